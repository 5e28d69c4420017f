"""The minutes (protokoll): written from the meeting's record, reviewed, approved, published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from engine import audit
from engine.actors import Actor
from engine.errors import GuardFailed, NotFound, PermissionDenied, ValidationError
from engine.models import AgendaEntry, CaseEvent, Meeting, MinutesComment
from engine.seeding import make_world
from engine.services import fire, open_case
from engine.services.followup import add_action, add_referral
from engine.services.meetings import (
    add_substitute,
    approve_decision,
    create_meeting,
    declare_disqualification,
    invite_guest,
    place_item,
    record_attendance,
    record_outcome,
)
from engine.services.minutes import (
    comment_on_minutes,
    generate_minutes,
    published_minutes,
    write_minutes,
)
from engine.services.people import add_membership, create_person
from tests.clock import NOW

HELD = datetime(2026, 3, 26, 15, 0, tzinfo=UTC)
AFTER = HELD + timedelta(days=1)
SECRET_TITLE = "Kartlegging av kriminelle nettverk på Tøyen"
SECRET_DECISION = "Politiet overvåker adressene i Hagegata"
EXEMPT_TITLE = "Bekymring for Ola Nordmann (17)"


@dataclass
class Held:
    """A held meeting with a full record, and the minutes drafted from it."""

    world: object
    meeting: Meeting
    later: Meeting
    entries: dict[str, AgendaEntry]

    def actor(self, login: str) -> Actor:
        return self.world.actor(login)


@pytest.fixture
def world(session):
    return with_cleared_secretariat(session, make_world(session))


def with_cleared_secretariat(session, world):
    """``world`` with a cleared secretariat (psec), who may handle restricted items too."""
    person = create_person(session, actor=Actor.system(), login="testby-psec", display_name="Psec")
    add_membership(
        session,
        actor=Actor.system(),
        person=person,
        council=world.council,
        party="police",
        role="secretariat",
        valid_from=date(2020, 1, 1),
        cleared=True,
    )
    session.flush()
    session.refresh(person)
    world.people["psec"] = person
    return world


def proposed(session, world, title, **kwargs):
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=world.actor("psec"),
        priority_areas=[world.area(session).id],
        now=NOW,
        **kwargs,
    )
    fire(session, case, "propose", actor=world.actor("psec"), now=NOW)
    return case


def meeting_on(session, world, day):
    return create_meeting(
        session,
        council=world.council,
        actor=world.actor("psec"),
        date=day,
        location="Oslo rådhus, byrådssalen",
        starts_at=time(10, 0),
        now=NOW,
    )


def both_approve(session, world, entry):
    approve_decision(session, entry, actor=world.actor("leader"), now=HELD)
    approve_decision(session, entry, actor=world.actor("deputy"), now=HELD)


def hold(session, world, meeting):
    psec = world.actor("psec")
    fire(session, meeting.case, "start_agenda", actor=psec, now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("leader"), now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("deputy"), now=NOW)
    fire(session, meeting.case, "convene", actor=psec, now=NOW)
    fire(session, meeting.case, "hold", actor=psec, now=HELD)


@pytest.fixture
def held(session, world):
    psec = world.actor("psec")
    meeting = meeting_on(session, world, date(2026, 3, 26))
    later = meeting_on(session, world, date(2026, 5, 21))
    cases = {
        "public": proposed(session, world, "Trygghet på Grønland"),
        "noted": proposed(session, world, "Status for SaLTo"),
        "deferred": proposed(session, world, "Belysning i parker"),
        "rejected": proposed(session, world, "Flere kameraer"),
        "secret": proposed(
            session,
            world,
            SECRET_TITLE,
            access="restricted",
            public_title="Orientering om nettverk",
        ),
        "exempt": proposed(
            session,
            world,
            EXEMPT_TITLE,
            access="exempt",
            public_title="Sak om enkeltperson",
            legal_basis="offl. § 13",
        ),
    }
    entries = {entry.standing: entry for entry in meeting.agenda if entry.standing is not None}
    for key, case in cases.items():
        entries[key] = place_item(session, meeting, case, actor=psec, now=NOW)
        memo = {"memo": "Saksframlegg", "access_assessed": True}
        fire(session, case, "prepare", actor=psec, data=memo, now=NOW)
    guest = invite_guest(
        session, meeting, actor=psec, name="Kari Nordmann", organisation="Oslo Næringsråd", now=NOW
    )
    hold(session, world, meeting)

    people = world.people
    stand_in = add_substitute(
        session,
        meeting,
        actor=psec,
        principal=people["kmember"],
        substitute=people["reporter"],
        now=HELD,
    )
    for participant in meeting.participants:
        absent = participant.person_id == people["kmember"].id
        attendance = "absent" if absent else "present"
        record_attendance(session, participant, attendance, actor=psec, now=HELD)
    assert stand_in.attendance == guest.attendance == "present"

    declare_disqualification(
        session,
        entries["public"],
        actor=world.actor("pmember"),
        reason="Gift med prosjektlederen",
        now=HELD,
    )
    declare_disqualification(
        session,
        entries["secret"],
        actor=world.actor("deputy"),
        reason="Kjenner en av de omtalte på Tøyen",
        now=HELD,
    )
    record_outcome(session, entries["follow_up_list"], "noted", actor=psec, now=HELD)
    record_outcome(
        session,
        entries["security_briefing"],
        "noted",
        actor=psec,
        text="PST orienterte om trusler mot Hagegata",
        now=HELD,
    )
    record_outcome(
        session,
        entries["public"],
        "decided",
        actor=psec,
        text="Politirådet ber om en felles plan for Grønland.",
        now=HELD,
    )
    both_approve(session, world, entries["public"])
    record_outcome(session, entries["noted"], "noted", actor=psec, now=HELD)
    record_outcome(session, entries["deferred"], "deferred", actor=psec, to_meeting=later, now=HELD)
    record_outcome(
        session, entries["rejected"], "rejected", actor=psec, text="Mangler finansiering", now=HELD
    )
    both_approve(session, world, entries["rejected"])
    record_outcome(
        session, entries["secret"], "decided", actor=psec, text=SECRET_DECISION, now=HELD
    )
    both_approve(session, world, entries["secret"])
    record_outcome(session, entries["exempt"], "noted", actor=psec, text="Drøftet", now=HELD)

    add_action(
        session,
        cases["public"],
        actor=psec,
        description="Lage en felles plan for Grønland",
        owner_party="police",
        owner_person=people["pmember"],
        owner_unit="Enhet Øst",
        due=date(2026, 6, 1),
        now=HELD,
    )
    add_action(
        session,
        cases["secret"],
        actor=psec,
        description="Kartlegge adressene i Hagegata",
        owner_party="police",
        due=date(2026, 6, 1),
        now=HELD,
    )
    add_referral(
        session,
        cases["public"],
        actor=psec,
        target="city_council",
        target_name="Bystyret",
        description="Bystyret bes vurdere midler til belysning",
        response_due=date(2026, 9, 1),
        now=HELD,
    )
    fire(session, meeting.case, "draft_minutes", actor=psec, now=AFTER)
    return Held(world, meeting, later, entries)


def test_starting_the_draft_writes_the_minutes_from_the_record(session, held):
    meeting = held.meeting
    assert meeting.case.state == "minutes_draft"
    assert meeting.minutes.startswith("Protokoll fra møte PR 1/2026 i Politirådet i testby\n")
    assert meeting.case.data["minutes"] == meeting.minutes
    update = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == meeting.case_id).order_by(CaseEvent.seq)
    ).all()[-1]
    assert (update.kind, update.actor) == ("update", held.world.people["psec"].login)
    assert json.loads(update.changes)["data.minutes"] == [None, meeting.minutes]
    assert audit.verify(session).ok


def test_the_minutes_give_the_time_place_and_attendance(held):
    text = held.meeting.minutes
    assert "Tid: torsdag 26. mars 2026 kl. 10.00\nSted: Oslo rådhus, byrådssalen\n" in text
    present = section(text, "Til stede")
    assert "- Leader (Kommunen)" in present
    assert "- Deputy (Politiet)" in present
    assert "- Reporter (vara for Kmember, Kommunen)" in present
    assert "- Kari Nordmann (gjest, Oslo Næringsråd)" in present
    assert "- Psec (sekretariatet, Politiet)" in present
    assert section(text, "Forfall") == ["- Kmember (Kommunen)"]
    assert "Oppmøte ikke registrert" not in text


def test_the_minutes_list_disqualifications_with_reasons_for_public_items_only(held):
    lines = section(held.meeting.minutes, "Inhabilitet")
    public, secret = held.entries["public"].position, held.entries["secret"].position
    assert lines == [
        f"- Pmember erklærte seg inhabil i sak {public} (Trygghet på Grønland). "
        "Grunn: Gift med prosjektlederen.",
        f"- Deputy erklærte seg inhabil i sak {secret} (Orientering om nettverk).",
    ]


def test_the_minutes_give_each_item_its_outcome_actions_and_referrals(held):
    text, entries = held.meeting.minutes, held.entries
    number = entries["public"].case.number
    assert item(text, entries["public"]) == [
        f"Sak {entries['public'].position}: Trygghet på Grønland (sak {number})",
        "Vedtak: Politirådet ber om en felles plan for Grønland.",
        "Oppfølgingspunkter:",
        "- Lage en felles plan for Grønland. Ansvar: Pmember, Enhet Øst, Politiet. "
        "Frist: 01.06.2026.",
        "Oversendelser:",
        "- Til Bystyret: Bystyret bes vurdere midler til belysning. Svarfrist: 01.09.2026.",
    ]
    assert item(text, entries["noted"])[1:] == ["Tatt til orientering."]
    assert item(text, entries["deferred"])[1:] == ["Utsatt til PR 2/2026."]
    assert item(text, entries["rejected"])[1:] == ["Avvist. Mangler finansiering."]
    assert item(text, entries["follow_up_list"]) == [
        f"Sak {entries['follow_up_list'].position}: Oppfølgingsliste",
        "Tatt til orientering.",
    ]
    positions = [int(line.split(":")[0][4:]) for line in text.splitlines() if line[:4] == "Sak "]
    assert positions == list(range(1, len(positions) + 1))


def test_restricted_items_show_only_their_public_title_and_exempt_ones_their_legal_basis(held):
    text, entries = held.meeting.minutes, held.entries
    number = entries["secret"].case.number
    assert item(text, entries["secret"]) == [
        f"Sak {entries['secret'].position}: Orientering om nettverk"
    ]
    assert f"(sak {number})" not in text
    assert item(text, entries["security_briefing"]) == [
        f"Sak {entries['security_briefing'].position}: Orientering fra PST"
    ]
    assert item(text, entries["exempt"])[1:] == ["Unntatt offentlighet, offl. § 13."]
    for secret in (SECRET_TITLE, SECRET_DECISION, "Hagegata", "Tøyen", EXEMPT_TITLE, "Drøftet"):
        assert secret not in text


def test_a_decision_waiting_for_the_other_party_is_a_proposal_in_the_minutes(session, world):
    meeting = meeting_on(session, world, date(2026, 3, 26))
    waiting = place_item(
        session, meeting, proposed(session, world, "Vakthold"), actor=world.actor("psec"), now=NOW
    )
    untouched = place_item(
        session, meeting, proposed(session, world, "Annet"), actor=world.actor("psec"), now=NOW
    )
    for entry in (waiting, untouched):
        memo = {"memo": "Saksframlegg", "access_assessed": True}
        fire(session, entry.case, "prepare", actor=world.actor("psec"), data=memo, now=NOW)
    hold(session, world, meeting)
    record_outcome(
        session, waiting, "decided", actor=world.actor("psec"), text="Mer vakthold", now=HELD
    )
    approve_decision(session, waiting, actor=world.actor("leader"), now=HELD)

    text = generate_minutes(session, meeting, now=AFTER)

    assert item(text, waiting)[1:] == [
        "Forslag til vedtak, venter på godkjenning fra begge parter: Mer vakthold"
    ]
    assert item(text, untouched)[1:] == ["Ikke behandlet."]
    assert "Ingen erklærte seg inhabil." in text
    assert section(text, "Oppmøte ikke registrert")
    assert meeting.minutes == text


def test_minutes_are_rewritten_only_while_the_draft_is_open(session, held):
    psec = held.actor("psec")
    again = write_minutes(session, held.meeting, actor=psec, now=AFTER + timedelta(days=1))
    assert "Protokollen er skrevet 28.03.2026" in again
    fire(session, held.meeting.case, "circulate_minutes", actor=psec, now=AFTER)
    with pytest.raises(ValidationError, match="minutes_review"):
        write_minutes(session, held.meeting, actor=psec, now=AFTER)
    assert held.meeting.minutes == again


def test_only_the_secretariat_or_the_leaders_rewrite_the_minutes(session, held):
    before = held.meeting.minutes
    later = AFTER + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        write_minutes(session, held.meeting, actor=held.actor("pmember"), now=later)
    assert held.meeting.minutes == before
    assert "skrevet 30.03.2026" in write_minutes(
        session, held.meeting, actor=held.actor("leader"), now=later
    )


def test_members_comment_on_the_minutes_while_they_are_out_for_review(session, held):
    meeting, psec = held.meeting, held.actor("psec")
    with pytest.raises(ValidationError, match="minutes_draft"):
        comment_on_minutes(session, meeting, actor=held.actor("kmember"), text="Feil", now=AFTER)
    fire(session, meeting.case, "circulate_minutes", actor=psec, now=AFTER)

    comment = comment_on_minutes(
        session, meeting, actor=held.actor("kmember"), text="Jeg hadde forfall.", now=AFTER
    )

    assert (comment.text, comment.person_id) == (
        "Jeg hadde forfall.",
        held.world.people["kmember"].id,
    )
    event = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == meeting.case_id).order_by(CaseEvent.seq)
    ).all()[-1]
    assert json.loads(event.changes) == {
        f"minutes_comment.{comment.id}": [None, "Jeg hadde forfall."]
    }
    assert event.party == "municipality"
    for login in ("guest", "reporter", "outsider"):
        with pytest.raises(PermissionDenied):
            comment_on_minutes(session, meeting, actor=held.actor(login), text="Hei", now=AFTER)
    with pytest.raises(PermissionDenied):
        comment_on_minutes(session, meeting, actor=Actor.system(), text="Hei", now=AFTER)
    with pytest.raises(ValidationError):
        comment_on_minutes(session, meeting, actor=held.actor("leader"), text=" ", now=AFTER)
    assert session.scalars(select(MinutesComment)).all() == [comment]


def test_both_parties_approve_the_minutes_before_they_are_published(session, held):
    meeting, psec = held.meeting, held.actor("psec")
    fire(session, meeting.case, "circulate_minutes", actor=psec, now=AFTER)
    first = fire(session, meeting.case, "approve_minutes", actor=held.actor("leader"), now=AFTER)
    assert not first.fired and first.waiting_for == ("police",)
    fire(session, meeting.case, "approve_minutes", actor=held.actor("deputy"), now=AFTER)
    assert meeting.case.state == "minutes_approved"

    with pytest.raises(PermissionDenied, match="not published yet"):
        published_minutes(session, meeting, actor=Actor.public(), now=AFTER)
    with pytest.raises(PermissionDenied):
        published_minutes(session, meeting, actor=held.actor("guest"), now=AFTER)
    assert published_minutes(session, meeting, actor=held.actor("kmember"), now=AFTER) == (
        meeting.minutes
    )

    fire(session, meeting.case, "publish", actor=psec, now=AFTER)

    assert published_minutes(session, meeting, actor=Actor.public(), now=AFTER) == meeting.minutes
    assert audit.verify(session).ok


def test_a_meeting_without_minutes_has_none_to_show(session, world):
    meeting = meeting_on(session, world, date(2026, 3, 26))
    with pytest.raises(NotFound, match="no minutes"):
        published_minutes(session, meeting, actor=world.actor("leader"), now=NOW)


def test_a_meeting_case_without_its_record_keeps_minutes_written_by_hand(session, world):
    psec = world.actor("psec")
    case = open_case(
        session,
        council=world.council,
        kind="meeting",
        title="Møte uten møteregistrering",
        actor=psec,
        data={"meeting_date": "2026-03-26", "kind": "ordinary"},
        now=NOW,
    )
    case.state = "held"  # the meeting's path so far is tested with the meetings
    session.flush()
    fire(session, case, "draft_minutes", actor=psec, now=AFTER)
    assert "minutes" not in case.data
    with pytest.raises(GuardFailed, match="minutes is required"):
        fire(session, case, "circulate_minutes", actor=psec, now=AFTER)
    fire(session, case, "circulate_minutes", actor=psec, data={"minutes": "Referat"}, now=AFTER)
    assert case.state == "minutes_review"


# -- reading the text ------------------------------------------------------------------


def section(text: str, heading: str) -> list[str]:
    """The lines under ``heading`` up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def item(text: str, entry: AgendaEntry) -> list[str]:
    """The lines of agenda item ``entry`` in the minutes."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"Sak {entry.position}:"))
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_participants_are_listed_in_the_order_they_were_called(held):
    called = [p.name for p in held.meeting.participants if p.attendance == "present"]
    present = section(held.meeting.minutes, "Til stede")
    assert [line[2:].split(" (")[0] for line in present] == called
