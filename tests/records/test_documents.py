"""Documents: stored by hash outside the database, numbered, screened, audited and read
through the access policy; the notice and the approved minutes become documents."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from engine import audit, storage
from engine.access import Visibility
from engine.actors import Actor
from engine.errors import NotFound, PermissionDenied, ValidationError
from engine.models import CaseEvent, Document
from engine.services import fire, open_case
from engine.services.documents import (
    add_redaction,
    case_documents,
    document_visibility,
    open_document,
    register_document,
    screen_title,
)
from engine.services.meetings import create_meeting, place_item
from tests.clock import NOW

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
TEXT = "Referat fra befaring på Grønland\n".encode()
DAY = NOW.date()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def a_case(session, world, access="public", **kwargs):
    return open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=kwargs.pop("title", "Trygghet på Grønland"),
        actor=world.actor("leader"),
        access=access,
        now=NOW,
        **kwargs,
    )


def register(session, world, case, actor="sec", **kwargs):
    values = {
        "data": PDF,
        "filename": "notat.pdf",
        "title": "Notat om belysning",
        "kind": "memo",
        "entry_type": "internal",
        "now": NOW,
    }
    values.update(kwargs)
    return register_document(session, case, actor=world.actor(actor), **values)


# --- the store ------------------------------------------------------------------------------


def test_a_file_is_stored_once_under_its_sha256_and_read_back_checked(tmp_path):
    first = storage.put(PDF, root=tmp_path)
    again = storage.put(PDF, root=tmp_path)

    digest = hashlib.sha256(PDF).hexdigest()
    assert first == again == storage.StoredFile(digest, len(PDF), "application/pdf")
    path = storage.path_of(digest, root=tmp_path)
    assert path == tmp_path / digest[:2] / digest[2:4] / digest
    assert [p.name for p in path.parent.iterdir()] == [digest]  # no temporary file left
    assert storage.read(digest, root=tmp_path) == PDF


def test_an_altered_or_missing_file_is_not_served(tmp_path):
    stored = storage.put(PDF, root=tmp_path)
    storage.path_of(stored.sha256, root=tmp_path).write_bytes(b"%PDF-1.4 forged")

    with pytest.raises(NotFound, match="does not match"):
        storage.read(stored.sha256, root=tmp_path)
    with pytest.raises(NotFound, match="missing"):
        storage.read("0" * 64, root=tmp_path)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
        (TEXT, "text/plain"),
    ],
)
def test_the_type_is_read_from_the_bytes(data, expected):
    assert storage.sniff(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"\x7fELF\x02\x01\x01" + b"\x00" * 64,  # a program, whatever its name says
        b"MZ\x90\x00\x03" + b"\x00" * 64,
        b"PK\x03\x04" + b"\x00" * 64,  # a bare zip archive
        b"\xff\xfe\x00\x01binary",
    ],
)
def test_files_of_other_types_are_refused_whatever_their_name(data):
    with pytest.raises(ValidationError) as refused:
        storage.sniff(data)
    assert refused.value.errors == {"file": "type not accepted"}


def test_an_empty_or_too_large_file_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="empty"):
        storage.put(b"", root=tmp_path)
    with pytest.raises(ValidationError, match="limit is 10 bytes"):
        storage.put(PDF, root=tmp_path, max_bytes=10)
    assert list(tmp_path.iterdir()) == []


# --- registering ----------------------------------------------------------------------------


def test_documents_are_numbered_by_case_and_in_the_running_journal(session, world):
    case = a_case(session, world)
    other = a_case(session, world, title="Åpne rusmiljø")

    first = register(session, world, case)
    second = register(session, world, case, data=TEXT, filename="brev.txt", kind="letter")
    third = register(session, world, other)

    assert [first.number, second.number, third.number] == [
        f"{case.number}-1",
        f"{case.number}-2",
        f"{other.number}-1",
    ]
    assert [d.journal_seq for d in (first, second, third)] == [1, 2, 3]
    assert first.journal_number == "2026/1"
    assert (first.journal_date, first.document_date) == (DAY, DAY)
    assert (second.content_type, second.filename) == ("text/plain", "brev.txt")
    assert storage.read(first.sha256) == PDF


def test_the_file_name_is_kept_without_folders_and_the_type_comes_from_the_bytes(session, world):
    document = register(session, world, a_case(session, world), filename="C:\\tmp\\x/rapport.exe")

    assert (document.filename, document.content_type) == ("rapport.exe", "application/pdf")


def test_screened_words_show_as_stars_in_the_public_title(session, world):
    document = register(
        session,
        world,
        a_case(session, world),
        title="Bekymringsmelding om Ola Nordmann, Tøyen",
        access="exempt",
        legal_basis="offl. § 13 jf. fvl. § 13",
        screened_words=["Ola Nordmann"],
    )

    assert document.public_title == "Bekymringsmelding om *****, Tøyen"
    assert document.screened_words == ["Ola Nordmann"]


def test_screen_title_replaces_whole_words_in_any_case():
    assert screen_title("Ola og Olav møtte OLA", ["ola"]) == "***** og Olav møtte *****"


def test_only_an_exempt_or_restricted_document_screens_words_and_only_words_of_its_title(
    session, world
):
    case = a_case(session, world)
    with pytest.raises(ValidationError) as public:
        register(session, world, case, title="Brev fra Kari", screened_words=["Kari"])
    with pytest.raises(ValidationError) as absent:
        register(
            session,
            world,
            case,
            title="Brev fra Kari",
            access="exempt",
            legal_basis="offl. § 13",
            screened_words=["Per"],
        )

    assert public.value.errors == {"screened_words": "needs an exempt or restricted document"}
    assert absent.value.errors == {"screened_words": "not in the title"}


def test_an_exempt_document_needs_its_legal_basis(session, world):
    with pytest.raises(ValidationError) as refused:
        register(session, world, a_case(session, world), access="exempt")

    assert refused.value.errors == {"legal_basis": "required when exempt"}


def test_a_public_document_keeps_its_title_as_public_title_and_no_legal_basis(session, world):
    document = register(
        session, world, a_case(session, world), public_title="Noe annet", legal_basis="offl. § 14"
    )

    assert (document.public_title, document.legal_basis) == ("Notat om belysning", None)


def test_a_document_of_a_restricted_case_is_restricted(session, world):
    case = a_case(session, world, access="restricted", public_title="Sak fra PST")

    document = register(session, world, case, actor="leader")

    assert document.access == "restricted"


def test_the_sender_of_a_document_that_is_not_public_is_screened_unless_said_otherwise(
    session, world
):
    case = a_case(session, world)
    exempt = register(
        session,
        world,
        case,
        access="exempt",
        legal_basis="offl. § 13",
        correspondent="Kari Nordmann",
        entry_type="incoming",
        kind="letter",
    )
    public = register(
        session, world, case, correspondent="Oslo kommune", entry_type="incoming", kind="letter"
    )

    assert (exempt.correspondent, exempt.correspondent_screened) == ("Kari Nordmann", True)
    assert public.correspondent_screened is False


@pytest.mark.parametrize("login", ["kmember", "reporter", "guest", "outsider"])
def test_only_the_secretariat_and_the_leaders_register_documents(session, world, login):
    with pytest.raises(PermissionDenied):
        register(session, world, a_case(session, world), actor=login)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("title", " ", {"title": "required"}),
        ("kind", "poem", {"kind": "unknown document kind"}),
        ("entry_type", "sideways", {"entry_type": "unknown journal entry type"}),
        ("access", "secret", {"access": "unknown access level"}),
    ],
)
def test_a_document_with_an_unknown_kind_type_or_access_is_refused(
    session, world, field, value, error
):
    with pytest.raises(ValidationError) as refused:
        register(session, world, a_case(session, world), **{field: value})

    assert refused.value.errors == error


def test_registering_audits_the_document_on_its_case_without_its_exempt_title(session, world):
    case = a_case(session, world)
    document = register(
        session,
        world,
        case,
        title="Bekymring for Ola Nordmann",
        access="exempt",
        legal_basis="offl. § 13",
        screened_words=["Ola Nordmann"],
    )

    event = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
    ).first()
    changes = json.loads(event.changes)
    assert event.kind == "update" and event.actor == "testby-sec"
    assert changes == {
        "document.1": [
            None,
            {
                "number": document.number,
                "kind": "memo",
                "entry_type": "internal",
                "access": "exempt",
                "legal_basis": "offl. § 13",
                "public_title": "Bekymring for *****",
                "sha256": document.sha256,
            },
        ]
    }
    assert "Ola" not in event.changes + event.comment
    assert audit.verify(session).ok


# --- reading through the access policy ------------------------------------------------------


@pytest.fixture
def three(session, world):
    """A public case with a public, an exempt and a restricted document."""
    case = a_case(session, world)
    return {
        "public": register(session, world, case, title="Offentlig notat"),
        "exempt": register(
            session,
            world,
            case,
            title="Unntatt notat",
            access="exempt",
            legal_basis="offl. § 24 tredje ledd",
        ),
        "restricted": register(
            session,
            world,
            case,
            actor="leader",
            title="Gradert notat",
            access="restricted",
            public_title="Notat",
        ),
    }


# who → what they may see of (public, exempt, restricted)
SEES = {
    "public": ("full", "title_only", "hidden"),
    "outsider": ("full", "title_only", "hidden"),
    "guest": ("full", "title_only", "hidden"),
    "reporter": ("full", "title_only", "hidden"),
    "kmember": ("full", "full", "hidden"),
    "sec": ("full", "full", "hidden"),
    "pmember": ("full", "full", "full"),
    "leader": ("full", "full", "full"),
}


def actor_of(world, login):
    return Actor.public() if login == "public" else world.actor(login)


@pytest.mark.parametrize("login", sorted(SEES))
def test_each_role_sees_each_access_level_as_the_policy_says(world, three, login):
    actor = actor_of(world, login)

    levels = ("public", "exempt", "restricted")
    seen = tuple(str(document_visibility(actor, three[level], DAY)) for level in levels)

    assert seen == SEES[login]


@pytest.mark.parametrize("login", sorted(SEES))
def test_downloads_follow_the_policy(session, world, three, login):
    actor = actor_of(world, login)
    for level, seen in zip(("public", "exempt", "restricted"), SEES[login], strict=True):
        document = three[level]
        if seen == "full":
            got, data = open_document(session, world.council, document.id, actor=actor, now=NOW)
            assert (got, data) == (document, PDF)
        elif seen == "title_only":
            with pytest.raises(PermissionDenied, match=r"offl\. § 24 tredje ledd"):
                open_document(session, world.council, document.id, actor=actor, now=NOW)
        else:
            with pytest.raises(NotFound):
                open_document(session, world.council, document.id, actor=actor, now=NOW)


def test_the_documents_of_a_restricted_case_are_hidden_with_it(session, world):
    case = a_case(session, world, access="restricted", public_title="Sak fra PST")
    document = register(session, world, case, actor="leader")

    assert document_visibility(world.actor("sec"), document, DAY) == Visibility.HIDDEN
    assert case_documents(session, case, actor=world.actor("sec"), now=NOW) == []
    assert case_documents(session, case, actor=world.actor("leader"), now=NOW) == [
        (document, Visibility.FULL)
    ]


def test_a_case_lists_the_documents_each_reader_may_know_of(session, world, three):
    case = three["public"].case

    shown = case_documents(session, case, actor=Actor.public(), now=NOW)

    assert shown == [
        (three["public"], Visibility.FULL),
        (three["exempt"], Visibility.TITLE_ONLY),
    ]


def test_a_document_of_another_council_is_not_found(session, world, three):
    from engine.seeding import make_world

    other = make_world(session, slug="annenby")
    with pytest.raises(NotFound):
        open_document(session, other.council, three["public"].id, actor=Actor.system(), now=NOW)


def test_a_redacted_copy_is_kept_beside_the_document_and_audited(session, world, three):
    exempt = three["exempt"]

    redaction = add_redaction(
        session,
        exempt,
        actor=world.actor("sec"),
        data=TEXT,
        filename="sladdet.txt",
        note="Navn og adresse sladdet etter offl. § 13",
        now=NOW,
    )

    assert exempt.redactions == [redaction]
    assert storage.read(redaction.sha256) == TEXT
    with pytest.raises(ValidationError, match="same file"):
        add_redaction(
            session, exempt, actor=world.actor("sec"), data=PDF, filename="x.pdf", note="x"
        )
    with pytest.raises(ValidationError, match="what was removed"):
        add_redaction(
            session, exempt, actor=world.actor("sec"), data=TEXT, filename="x.txt", note=" "
        )
    assert audit.verify(session).ok


# --- the notice and the minutes -------------------------------------------------------------

HELD = NOW + timedelta(days=24)


def convened_meeting(session, world):
    meeting = create_meeting(
        session,
        council=world.council,
        actor=world.actor("sec"),
        date=date(2026, 3, 26),
        starts_at=time(10, 0),
        location="Rådhuset",
        now=NOW,
    )
    secret = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Trusselvurdering for Hagegata",
        public_title="Orientering om trusselbildet",
        access="exempt",
        legal_basis="offl. § 24 tredje ledd",
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
        now=NOW,
    )
    sec = world.actor("sec")
    fire(session, secret, "propose", actor=sec, now=NOW)
    place_item(session, meeting, secret, actor=sec, now=NOW)
    fire(session, meeting.case, "start_agenda", actor=sec, now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("leader"), now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("deputy"), now=NOW)
    fire(session, meeting.case, "convene", actor=sec, now=NOW)
    return meeting


def meeting_documents(session, meeting):
    return session.scalars(
        select(Document).where(Document.case_id == meeting.case_id).order_by(Document.seq)
    ).all()


def test_the_notice_is_registered_in_its_public_wording_when_it_is_sent(session, world):
    meeting = convened_meeting(session, world)

    [notice] = meeting_documents(session, meeting)
    text = storage.read(notice.sha256).decode()
    assert (notice.kind, notice.entry_type, notice.access) == ("notice", "outgoing", "public")
    assert notice.title == f"Innkalling til {meeting.label}"
    assert notice.content_type == "text/plain"
    assert "Orientering om trusselbildet" in text
    assert "Hagegata" not in text
    assert notice.created_by_id == world.people["sec"].id


def test_the_approved_minutes_are_registered_and_read_outside_the_council_once_published(
    session, world
):
    meeting = convened_meeting(session, world)
    sec = world.actor("sec")
    fire(session, meeting.case, "hold", actor=sec, now=HELD)
    fire(session, meeting.case, "draft_minutes", actor=sec, now=HELD)
    fire(session, meeting.case, "circulate_minutes", actor=sec, now=HELD)
    fire(session, meeting.case, "approve_minutes", actor=world.actor("leader"), now=HELD)
    assert len(meeting_documents(session, meeting)) == 1  # waits for the other party
    fire(session, meeting.case, "approve_minutes", actor=world.actor("deputy"), now=HELD)

    notice, minutes = meeting_documents(session, meeting)
    assert notice.kind == "notice"
    assert (minutes.kind, minutes.title) == ("minutes", f"Protokoll fra {meeting.label}")
    assert storage.read(minutes.sha256).decode() == meeting.minutes
    day = HELD.date()
    assert document_visibility(Actor.public(), minutes, day) == Visibility.TITLE_ONLY
    assert document_visibility(world.actor("kmember"), minutes, day) == Visibility.FULL

    fire(session, meeting.case, "publish", actor=sec, now=HELD)

    assert document_visibility(Actor.public(), minutes, day) == Visibility.FULL
    assert audit.verify(session).ok
