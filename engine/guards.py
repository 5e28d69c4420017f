"""Named guards that workflow definitions refer to.

A guard returns ``None`` when it is met, or the reason in words when it is not, so
that "why not?" can be answered for every transition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.calendar import is_working_day
from engine.models import Action, Case, Referral
from engine.models.followup import CLOSED_ACTION_STATUSES

MEETING_OPEN_STATES = ("planned", "agenda_draft")
MEETING_HELD_STATES = (
    "held",
    "minutes_draft",
    "minutes_review",
    "minutes_approved",
    "published",
)


@dataclass
class GuardContext:
    session: Session
    case: Case
    actor: Actor
    data: dict[str, Any]
    now: datetime


Guard = Callable[[GuardContext], str | None]
GUARDS: dict[str, Guard] = {}


def guard(fn: Guard) -> Guard:
    GUARDS[fn.__name__] = fn
    return fn


def parse_date(value: Any) -> date | None:
    """A date from case data (stored as ISO text); None when absent."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _meeting(ctx: GuardContext) -> Case | None:
    if ctx.case.meeting_id is None:
        return None
    return ctx.session.get(Case, ctx.case.meeting_id)


@guard
def has_priority_area(ctx: GuardContext) -> str | None:
    if ctx.case.priority_areas:
        return None
    return "the case is not tagged with a priority area"


@guard
def has_meeting(ctx: GuardContext) -> str | None:
    return None if ctx.case.meeting_id is not None else "the case is not placed on a meeting"


@guard
def meeting_accepts_items(ctx: GuardContext) -> str | None:
    meeting = _meeting(ctx)
    if meeting is None:
        return "the case is not placed on a meeting"
    if meeting.state not in MEETING_OPEN_STATES:
        return f"meeting {meeting.number} is {meeting.state}; its agenda is closed"
    return None


@guard
def meeting_held(ctx: GuardContext) -> str | None:
    meeting = _meeting(ctx)
    if meeting is None:
        return "the case is not placed on a meeting"
    if meeting.state not in MEETING_HELD_STATES:
        return f"meeting {meeting.number} has not been held yet (it is {meeting.state})"
    return None


@guard
def access_assessed(ctx: GuardContext) -> str | None:
    if ctx.data.get("access_assessed"):
        return None
    return "public access has not been assessed (offentlighetsvurdering)"


@guard
def meeting_date_is_working_day(ctx: GuardContext) -> str | None:
    day = parse_date(ctx.data.get("meeting_date"))
    if day is None:
        return "the meeting has no date"
    if not is_working_day(day):
        return f"{day.isoformat()} is not a working day"
    return None


def open_follow_up(session: Session, case_id: int) -> tuple[int, int]:
    """How many of a case's actions are not done or cancelled, and referrals not answered."""
    actions = session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.case_id == case_id, Action.status.not_in(CLOSED_ACTION_STATUSES))
    )
    referrals = session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(Referral.case_id == case_id, Referral.response.is_(None))
    )
    return actions, referrals


@guard
def follow_up_complete(ctx: GuardContext) -> str | None:
    actions, referrals = open_follow_up(ctx.session, ctx.case.id)
    if not actions and not referrals:
        return None
    return (
        f"the follow-up is not complete: {actions} action(s) still open, "
        f"{referrals} referral(s) awaiting a response"
    )


@guard
def commencement_not_before_promulgation(ctx: GuardContext) -> str | None:
    promulgated = parse_date(ctx.data.get("promulgated_on"))
    commencement = parse_date(ctx.data.get("commencement_date"))
    if promulgated is None or commencement is None:
        return "the promulgation date and the commencement date are both needed"
    if commencement < promulgated:
        return (
            f"commencement {commencement.isoformat()} is before promulgation "
            f"{promulgated.isoformat()} (forvaltningsloven § 39)"
        )
    return None


@guard
def consultation_summarised(ctx: GuardContext) -> str | None:
    if ctx.data.get("consultation_summary"):
        return None
    return "the consultation has not been summarised (høringsoppsummering)"


def _period(data: dict[str, Any]) -> tuple[date | None, date | None]:
    return parse_date(data.get("valid_from")), parse_date(data.get("valid_to"))


@guard
def valid_period(ctx: GuardContext) -> str | None:
    start, end = _period(ctx.data)
    if start is None or end is None:
        return "the agreement needs a valid-from and a valid-to date"
    if start > end:
        return f"valid from {start.isoformat()} is after valid to {end.isoformat()}"
    return None


@guard
def no_overlapping_agreement(ctx: GuardContext) -> str | None:
    start, end = _period(ctx.data)
    if start is None or end is None:
        return "the agreement needs a valid-from and a valid-to date"
    others = ctx.session.scalars(
        select(Case).where(
            Case.council_id == ctx.case.council_id,
            Case.kind == ctx.case.kind,
            Case.state.in_(("signed", "in_force", "revision_due")),
            Case.id != ctx.case.id,
        )
    )
    for other in others:
        o_start, o_end = _period(other.data)
        if o_start and o_end and o_start <= end and start <= o_end:
            return (
                f"agreement {other.number} is valid {o_start.isoformat()}–{o_end.isoformat()}, "
                "which overlaps"
            )
    return None


def _requested_document_id(ctx: GuardContext) -> int | None:
    """The id of the document an access request names, if it names one of its council."""
    from engine.models import Document

    value = ctx.data.get("document_id")
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        return None
    return ctx.session.scalar(
        select(Document.id).where(
            Document.id == int(value), Document.council_id == ctx.case.council_id
        )
    )


@guard
def document_releasable(ctx: GuardContext) -> str | None:
    """An access request releases the document it names, which must be one of the council's."""
    if _requested_document_id(ctx) is None:
        return "the request names no document of this council to release"
    return None


@guard
def redaction_registered(ctx: GuardContext) -> str | None:
    """An access request is granted in part by releasing a redacted copy, which must exist."""
    from engine.models import Redaction

    document_id = _requested_document_id(ctx)
    found = document_id is not None and ctx.session.scalar(
        select(func.count()).select_from(Redaction).where(Redaction.document_id == document_id)
    )
    if not found:
        return "register a redacted copy of the requested document before granting in part"
    return None
