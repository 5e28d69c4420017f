"""Meetings and agenda items for the page tests, made through the engine's services at
the real time of the test run (the pages use the real clock)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models import Case, Meeting
from engine.seeding import World
from engine.services.cases import fire, open_case
from engine.services.meetings import (
    approve_decision,
    create_meeting,
    place_item,
    proposed_dates,
    record_outcome,
)

MEMO = {"memo": "Saksframlegg", "access_assessed": True}


def today() -> date:
    return to_oslo(resolve(None)).date()


def next_year() -> int:
    return today().year + 1


def meeting_days() -> list[date]:
    """Days next year on which an ordinary meeting may be held, in date order."""
    return [day for kind, day in proposed_dates(next_year(), today=today()) if kind == "ordinary"]


def make_meeting(session: Session, world: World, day: date | None = None) -> Meeting:
    return create_meeting(
        session,
        council=world.council,
        actor=world.actor("sec"),
        date=day or meeting_days()[0],
        location="Rådhuset",
    )


def proposed_item(
    session: Session,
    world: World,
    title: str,
    *,
    access: str = "public",
    public_title: str | None = None,
    legal_basis: str | None = None,
) -> Case:
    """An agenda item proposed by the secretariat, waiting for a meeting."""
    sec = world.actor("sec")
    item = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=sec,
        access=access,
        public_title=public_title,
        legal_basis=legal_basis,
        priority_areas=[world.area(session).id],
    )
    fire(session, item, "propose", actor=sec)
    return item


def placed(session: Session, world: World, meeting: Meeting, *items: Case) -> None:
    """Put the items on the meeting and mark their memos ready."""
    sec = world.actor("sec")
    for item in items:
        place_item(session, meeting, item, actor=sec)
        fire(session, item, "prepare", actor=sec, data=MEMO)


def convene(session: Session, world: World, meeting: Meeting) -> None:
    """Fix the agenda (both parties) and send the notice."""
    case = meeting.case
    fire(session, case, "start_agenda", actor=world.actor("sec"))
    fire(session, case, "fix_agenda", actor=world.actor("leader"))
    fire(session, case, "fix_agenda", actor=world.actor("deputy"))
    fire(session, case, "convene", actor=world.actor("sec"))


def hold(session: Session, world: World, meeting: Meeting) -> None:
    convene(session, world, meeting)
    fire(session, meeting.case, "hold", actor=world.actor("sec"))


def decide(session: Session, world: World, meeting: Meeting, item: Case, text: str) -> None:
    """Record a decision on a held meeting's item and have both parties approve it."""
    entry = next(e for e in meeting.agenda if e.case_id == item.id)
    record_outcome(session, entry, "decided", actor=world.actor("sec"), text=text)
    approve_decision(session, entry, actor=world.actor("leader"))
    approve_decision(session, entry, actor=world.actor("deputy"))


def publish_minutes(session: Session, world: World, meeting: Meeting) -> None:
    """Draft, circulate, approve (both parties) and publish the held meeting's minutes."""
    case = meeting.case
    fire(session, case, "draft_minutes", actor=world.actor("sec"))
    fire(session, case, "circulate_minutes", actor=world.actor("sec"))
    fire(session, case, "approve_minutes", actor=world.actor("leader"))
    fire(session, case, "approve_minutes", actor=world.actor("deputy"))
    fire(session, case, "publish", actor=world.actor("sec"))


def clear(session: Session, world: World, login: str) -> None:
    """Clear a person of the world for restricted items."""
    for seat in world.people[login].memberships:
        seat.cleared = True
    session.flush()
