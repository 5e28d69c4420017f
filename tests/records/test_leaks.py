"""No leaks: for every role and every access level, nothing a role may not see appears in the
Noark 5 extract, the calendar feeds, the public journal or the downloads.

One council holds an agenda item at each access level (public, exempt, restricted), each on
the same meeting, decided, with a follow-up action, and documents of every access level on
each (a restricted case's documents are restricted). Every title, public title, file,
correspondent and action carries a marker; the table below says, independently of the
code under test, how much of each record each role may see.
"""

# ruff: noqa: F811  (the web fixtures are imported by name)

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from engine.access import Visibility
from engine.actors import Actor, actor_for
from engine.calendar_feeds import personal_calendar, public_calendar
from engine.errors import NotFound, PermissionDenied
from engine.models import Document
from engine.noark5 import Period, export
from engine.services import fire, open_case
from engine.services.documents import open_document, register_document
from engine.services.followup import add_action
from engine.services.journal import journal_csv, journal_json, public_journal
from engine.services.meetings import (
    approve_decision,
    create_meeting,
    place_item,
    record_outcome,
)
from engine.services.people import add_membership, create_person
from tests.clock import NOW
from tests.web.conftest import app, client, log_in  # noqa: F401

LATER = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
LEVELS = ("public", "exempt", "restricted")
BASIS = "offl. § 24 tredje ledd"

# role → (has a council seat (leader, deputy, member, secretariat), is cleared)
ROLES = {
    "leader": (True, True),
    "deputy": (True, True),
    "pmember": (True, True),
    "kmember": (True, False),
    "sec": (True, False),
    "reporter": (False, False),
    "guest": (False, False),
    "outsider": (False, False),
    "public": (False, False),
}
FULL, TITLE, HIDDEN = Visibility.FULL, Visibility.TITLE_ONLY, Visibility.HIDDEN


def may_see(role: str, access: str) -> Visibility:
    """The policy, written out: public records for all; exempt ones in full for the council,
    by public title for others; restricted ones for cleared members, and for no one else."""
    seat, cleared = ROLES[role]
    if access == "public":
        return FULL
    if access == "exempt":
        return FULL if seat else TITLE
    return FULL if seat and cleared else HIDDEN


@dataclass
class Record:
    """A record's markers: those only its full view shows, and those its public view shows."""

    name: str
    access: str
    case_access: str
    full: list[str]
    public: list[str] = field(default_factory=list)

    def seen_by(self, role: str) -> Visibility:
        if may_see(role, self.case_access) == HIDDEN:
            return HIDDEN
        return may_see(role, self.access)


@dataclass
class Council:
    world: object
    cases: dict
    documents: list
    records: list[Record]


@pytest.fixture
def council(session, world) -> Council:
    system = Actor.system()
    clerk = create_person(session, actor=system, login="testby-sec2", display_name="Klarert")
    add_membership(
        session,
        actor=system,
        person=clerk,
        council=world.council,
        party="municipality",
        role="secretariat",
        valid_from=date(2020, 1, 1),
        cleared=True,
    )
    session.flush()
    session.refresh(clerk)
    sec = actor_for(clerk)  # a cleared secretariat handles the restricted item
    meeting = create_meeting(
        session,
        council=world.council,
        actor=sec,
        date=date(2026, 3, 26),
        kind="ordinary",
        location="Rådhuset",
        now=NOW,
    )
    records, cases, entries = [], {}, {}
    for level in LEVELS:
        screened = {} if level == "public" else {"public_title": f"offentligsak-{level}"}
        legal = {"legal_basis": BASIS} if level == "exempt" else {}
        case = open_case(
            session,
            council=world.council,
            kind="agenda_item",
            title=f"Sak saksmerke-{level}",
            actor=sec,
            access=level,
            priority_areas=[world.area(session).id],
            now=NOW,
            **screened,
            **legal,
        )
        fire(session, case, "propose", actor=sec, now=NOW)
        entries[level] = place_item(session, meeting, case, actor=sec, now=NOW)
        memo = {"memo": "Saksframlegg", "access_assessed": True}
        fire(session, case, "prepare", actor=sec, data=memo, now=NOW)
        cases[level] = case
        public = [f"offentligsak-{level}"] if level != "public" else [f"saksmerke-{level}"]
        records.append(Record(f"case {level}", level, level, [f"saksmerke-{level}"], public))
    for trigger, by in (("start_agenda", sec), ("fix_agenda", None), ("convene", sec)):
        actors = [world.actor("leader"), world.actor("deputy")] if by is None else [by]
        for actor in actors:
            fire(session, meeting.case, trigger, actor=actor, now=NOW)
    fire(session, meeting.case, "hold", actor=sec, now=NOW)
    for level, case in cases.items():
        record_outcome(
            session, entries[level], "decided", actor=sec, text=f"vedtaksmerke-{level}", now=NOW
        )
        for leader in ("leader", "deputy"):
            approve_decision(session, entries[level], actor=world.actor(leader), now=NOW)
        add_action(
            session,
            case,
            actor=sec,
            description=f"tiltaksmerke-{level}",
            owner_party="police",
            owner_person=world.people["pmember"],
            due=date(2026, 4, 15),
            now=NOW,
        )
        records.append(Record(f"decision {level}", level, level, [f"vedtaksmerke-{level}"], []))
        records.append(Record(f"action {level}", level, level, [f"tiltaksmerke-{level}"], []))
    documents = []
    for case_level, case in cases.items():
        for level in LEVELS:
            if case_level == "restricted" and level != "restricted":
                continue
            key = f"{case_level}-{level}"
            extra = {} if level == "public" else {"public_title": f"offentligdok-{key}"}
            document = register_document(
                session,
                case,
                actor=sec,
                data=f"filmerke-{key}\n".encode(),
                filename="brev.txt",
                title=f"Brev dokmerke-{key}",
                kind="letter",
                entry_type="incoming",
                access=level,
                legal_basis=BASIS if level != "public" else None,
                correspondent=f"avsendermerke-{key}",
                now=NOW,
                **extra,
            )
            documents.append(document)
            shown = [f"dokmerke-{key}", f"avsendermerke-{key}"]
            public = [f"offentligdok-{key}"] if level != "public" else shown
            records.append(Record(f"document {key}", document.access, case_level, shown, public))
            records.append(Record(f"file {key}", document.access, case_level, [f"filmerke-{key}"]))
    session.flush()
    return Council(world, cases, documents, records)


def notice_documents(session, council: Council) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.kind == "notice")))


def actor_of(council: Council, role: str) -> Actor:
    return Actor.public() if role == "public" else council.world.actor(role)


def leaks(text: str, council: Council, allowed) -> list[str]:
    """Every marker in ``text`` that ``allowed(record)`` does not allow: FULL allows all of a
    record's markers, TITLE_ONLY its public ones, HIDDEN none."""
    found = []
    for record in council.records:
        level = allowed(record)
        shown = {FULL: record.full + record.public, TITLE: record.public, HIDDEN: []}[level]
        for marker in record.full + record.public:
            if marker in text and marker not in shown:
                found.append(f"{record.name}: {marker}")
    return found


def in_feeds(record: Record, role: str) -> Visibility:
    """A feed shows no more than a public title of anything not public, to anyone."""
    seen = record.seen_by(role)
    return min(seen, TITLE, key=[HIDDEN, TITLE, FULL].index) if record.access != "public" else seen


@pytest.mark.parametrize("role", ROLES)
def test_the_noark5_extract_shows_each_role_only_what_it_may_see(session, council, role, tmp_path):
    actor = actor_of(council, role)
    export(
        session,
        actor,
        council.world.council,
        Period(date(2026, 1, 1), date(2026, 12, 31)),
        tmp_path,
        now=LATER,
    )
    notices = {f"{d.sha256}.txt" for d in notice_documents(session, council)}
    text = "\n".join(
        p.read_text()
        for p in tmp_path.rglob("*")
        if p.suffix in (".xml", ".txt") and p.name not in notices  # see the notice's own test
    )
    assert leaks(text, council, lambda r: r.seen_by(role)) == []
    # ... and what the role may see is there, so the check above can fail
    for record in council.records:
        if record.name.startswith(("case", "document")) and record.seen_by(role) == FULL:
            assert all(m in text for m in record.full), record.name
        if record.name.startswith("file") and record.seen_by(role) == FULL:
            assert record.full[0] in text, record.name
    ET.parse(tmp_path / "arkivstruktur.xml")


@pytest.mark.parametrize("role", ROLES)
def test_downloads_give_each_role_exactly_the_files_it_may_read(session, council, role):
    actor = actor_of(council, role)
    for document in council.documents:
        seen = may_see(role, document.case.access)
        seen = seen if seen == HIDDEN else may_see(role, document.access)
        if seen == FULL:
            _, data = open_document(session, council.world.council, document.id, actor=actor)
            assert data.startswith(b"filmerke-")
        else:
            refused = PermissionDenied if seen == TITLE else NotFound
            with pytest.raises(refused):
                open_document(session, council.world.council, document.id, actor=actor, now=LATER)


@pytest.mark.parametrize("role", ROLES)
def test_the_calendar_feeds_never_show_a_role_more_than_public_titles(session, council, role):
    feeds = [public_calendar(session, council.world.council, now=NOW).decode()]
    if role != "public":
        person = council.world.people[role]
        feeds.append(personal_calendar(session, person, now=NOW).decode())
    text = "\n".join(feeds).replace("\r\n ", "")  # unfold long lines
    assert leaks(text, council, lambda r: in_feeds(r, role)) == []
    assert "saksmerke-public" in text and "offentligsak-exempt" in text
    if role == "pmember":  # cleared, and the owner of the actions
        assert "tiltaksmerke-public" in text and "offentligsak-restricted" in text


def public_journal_view(record: Record) -> Visibility:
    """The public journal shows a public document as it is, anything else by public title."""
    if record.access == "public" and record.case_access != "restricted":
        return FULL
    return TITLE if record.seen_by("public") != HIDDEN else HIDDEN


def test_the_public_journal_shows_public_titles_only_and_nothing_restricted(session, council):
    today = LATER.date()
    rows = public_journal(
        session,
        council.world.council,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 12, 31),
        today=today,
    )
    text = journal_csv(rows) + str(
        journal_json(council.world.council, rows, date(2026, 1, 1), date(2026, 12, 31))
    )
    assert leaks(text, council, public_journal_view) == []
    assert "offentligdok-public-exempt" in text and "dokmerke-public-public" in text
    assert "restricted" not in text.replace('"access": "restricted"', "")


def test_the_extracts_public_journal_is_the_publics_whoever_exports(session, council, tmp_path):
    export(
        session,
        Actor.system(),
        council.world.council,
        Period(date(2026, 1, 1), date(2026, 12, 31)),
        tmp_path,
        now=LATER,
    )
    text = (tmp_path / "offentligJournal.xml").read_text()
    assert leaks(text, council, lambda r: TITLE if r.seen_by("public") != HIDDEN else HIDDEN) == []
    assert "offentligdok-exempt-exempt" in text
    assert "dokmerke-exempt-exempt" in (tmp_path / "loependeJournal.xml").read_text()


def test_the_public_notice_shows_screened_items_by_their_public_titles_only(session, council):
    """An agenda line of a restricted item keeps its public title (the issue: "restricted
    ones nothing beyond their public title"), never its real title or its case number."""
    (notice,) = notice_documents(session, council)
    _, data = open_document(session, council.world.council, notice.id, actor=Actor.public())
    text = data.decode()
    assert "offentligsak-exempt" in text and "offentligsak-restricted" in text
    assert "saksmerke-exempt" not in text and "saksmerke-restricted" not in text
    assert f"(sak {council.cases['restricted'].number})" not in text


@pytest.mark.parametrize("role", ROLES)
def test_the_download_routes_serve_each_role_exactly_the_files_it_may_read(
    client, session, council, role
):
    if role != "public":
        log_in(client, session, council.world.people[role])
    for document in council.documents:
        seen = may_see(role, document.case.access)
        seen = seen if seen == HIDDEN else may_see(role, document.access)
        response = client.get(f"/testby/documents/{document.id}")
        assert response.status_code == {FULL: 200, TITLE: 403, HIDDEN: 404}[seen], document.title
        assert (b"filmerke-" in response.data) is (seen == FULL)
        public = client.get(f"/public/testby/documents/{document.id}")
        readable = may_see("public", document.case.access) != HIDDEN and document.access == "public"
        assert (public.status_code == 200) is readable, document.title
        assert (b"filmerke-" in public.data) is readable


def test_the_public_journal_pages_show_public_titles_only_and_nothing_restricted(client, council):
    period = "from=2026-01-01&to=2026-12-31"
    pages = [
        client.get(f"/public/testby/journal{suffix}?{period}") for suffix in ("", ".csv", ".json")
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    text = "\n".join(page.get_data(as_text=True) for page in pages)
    assert leaks(text, council, public_journal_view) == []
    assert "offentligdok-exempt-exempt" in text and "dokmerke-public-public" in text
