"""Meetings: the calendar, a meeting, its agenda, who was called and came, its minutes;
planning a meeting and placing items on its agenda."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from engine.access import Visibility, visibility
from engine.actors import Actor
from engine.errors import NotFound
from engine.models import AgendaEntry, Case, Council, Meeting
from engine.services.meetings import (
    create_meeting,
    entry_title,
    get_meeting,
    list_meetings,
    place_item,
    sees_entry,
)
from engine.services.minutes import published_minutes
from web.api import auth
from web.api.common import COUNCIL, case_by_number, council_of, today
from web.api.schemas import (
    AgendaEntrySchema,
    MeetingCreateSchema,
    MeetingListArgs,
    MeetingSchema,
    MinutesSchema,
    ParticipantSchema,
    PlaceItemSchema,
)
from web.db import commit, db

blueprint = Blueprint("api_meetings", __name__, description="Meetings")

MEETING = (
    f"/councils/{COUNCIL}/meetings/<int(min=1000, max=9999):year>"
    "/<int(min=1, max=2147483647):number>"
)


@blueprint.get(f"/councils/{COUNCIL}/meetings")
@blueprint.arguments(MeetingListArgs, location="query", as_kwargs=True)
@blueprint.response(200, MeetingSchema(many=True))
def meetings(council, year=None):
    """The council's meetings in date order (the meeting calendar is public)."""
    found = council_of(council)
    actor, day = auth.actor(), today()
    listed = list_meetings(db(), found, year=year)
    # One query for all the meetings' cases; held here, the session has them at hand.
    cases = db().scalars(select(Case).where(Case.id.in_([m.case_id for m in listed]))).all()
    shown = [_meeting(m) for m in listed if visibility(actor, m.case, day) != Visibility.HIDDEN]
    del cases
    return shown


@blueprint.post(f"/councils/{COUNCIL}/meetings")
@blueprint.arguments(MeetingCreateSchema)
@blueprint.response(201, MeetingSchema)
def plan(body, council):
    """Plan a meeting: its case, its number PR n/YYYY, the members called to it."""
    meeting = create_meeting(
        db(),
        council=council_of(council),
        actor=auth.actor(),
        date=body["date"],
        kind=body["kind"],
        location=body.get("location"),
        starts_at=body.get("starts_at"),
    )
    commit()
    return _meeting(meeting), 201


@blueprint.get(MEETING)
@blueprint.response(200, MeetingSchema)
def meeting(council, year, number):
    """One meeting, PR number/year."""
    return _meeting(_find(auth.actor(), council_of(council), year, number))


@blueprint.get(f"{MEETING}/agenda")
@blueprint.response(200, AgendaEntrySchema(many=True))
def agenda(council, year, number):
    """The numbered agenda; an item you may not see in full shows its public title."""
    actor = auth.actor()
    found = _find(actor, council_of(council), year, number)
    day = today()
    return [_entry(actor, entry, day) for entry in found.agenda]


@blueprint.post(f"{MEETING}/agenda")
@blueprint.arguments(PlaceItemSchema)
@blueprint.response(201, AgendaEntrySchema)
def place(body, council, year, number):
    """Put a proposed or deferred agenda item (or a submitted report) on the agenda."""
    actor = auth.actor()
    found_council = council_of(council)
    found = _find(actor, found_council, year, number)
    entry = place_item(db(), found, case_by_number(actor, found_council, body["case"]), actor=actor)
    commit()
    return _entry(actor, entry, today()), 201


@blueprint.get(f"{MEETING}/attendance")
@blueprint.response(200, ParticipantSchema(many=True))
def attendance(council, year, number):
    """Who is called to the meeting and, once it is held, who came (for a meeting you may
    see only by title: nobody)."""
    actor = auth.actor()
    found = _find(actor, council_of(council), year, number)
    if visibility(actor, found.case, today()) != Visibility.FULL:
        return []
    return [
        {
            "name": p.name,
            "login": p.person.login if p.person else None,
            "organisation": p.organisation,
            "party": p.party,
            "role": p.role,
            "substitute_for": p.substitute_for.login if p.substitute_for else None,
            "attendance": p.attendance,
        }
        for p in found.participants
    ]


@blueprint.get(f"{MEETING}/minutes")
@blueprint.response(200, MinutesSchema)
def minutes(council, year, number):
    """The minutes (protokoll): for everyone once published, for the members from the draft."""
    actor = auth.actor()
    found = _find(actor, council_of(council), year, number)
    text = published_minutes(db(), found, actor=actor)
    return {"meeting": found.label, "state": found.case.state, "text": text}


def _find(actor: Actor, council: Council, year: int, number: int) -> Meeting:
    meeting = get_meeting(db(), council, f"PR {number}/{year}")
    if visibility(actor, meeting.case, today()) == Visibility.HIDDEN:
        raise NotFound(f"no meeting PR {number}/{year} in {council.name}")
    return meeting


def _meeting(meeting: Meeting) -> dict:
    return {
        "label": meeting.label,
        "year": meeting.year,
        "number": meeting.number,
        "case": meeting.case.number,
        "kind": meeting.kind,
        "date": meeting.date,
        "starts_at": meeting.starts_at,
        "location": meeting.location,
        "state": meeting.case.state,
        "version": meeting.case.version,
    }


def _entry(actor: Actor, entry: AgendaEntry, day) -> dict:
    full = sees_entry(actor, entry, day)
    case = entry.case
    known = case is not None and visibility(actor, case, day) != Visibility.HIDDEN
    return {
        "position": entry.position,
        "title": entry_title(actor, entry, day),
        "case": case.number if known else None,
        "standing": entry.standing,
        "access": case.access if case is not None else entry.access,
        "legal_basis": case.legal_basis if case is not None else entry.legal_basis,
        "full": full,
        "outcome": entry.outcome,
        "outcome_text": entry.outcome_text if full else None,
    }
