"""What a person's dashboard shows for one council, read in a fixed number of statements.

Approvals waiting for them, their own follow-up actions, the deadlines due this week,
the upcoming meetings, the year's cadence and their inbox. Every section is one or two
statements whatever the number of rows, so the page costs the same with 5 cases or
100,000 (``tests/web/test_statement_counts.py`` holds it to that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from engine.access import full_access_clause, listable_clause
from engine.actors import Actor
from engine.cadence import YearAtAGlance, year_at_a_glance
from engine.calendar import deadline_moment, to_oslo
from engine.clock import resolve
from engine.models import (
    Action,
    Approval,
    Case,
    Council,
    Deadline,
    InboxMessage,
    Meeting,
    Person,
)
from engine.models.enums import DeadlineStatus
from engine.models.followup import CLOSED_ACTION_STATUSES
from engine.runtime import current_definitions
from workflows.model import Transition

SECTION_LIMIT = 50
"""At most this many rows per section; the case list and the follow-up list have the rest."""
INBOX_LIMIT = 10
MEETINGS_LIMIT = 5


@dataclass(frozen=True)
class WaitingApproval:
    """A two-party transition on a case that waits for the actor's party."""

    case_number: str
    case_title: str
    kind: str
    state: str
    trigger: str
    label_nb: str
    label_en: str
    party: str
    """the actor's party, whose approval is awaited"""
    approved_by: Mapping[str, str]
    """parties that have approved, with the display name of who did"""


@dataclass(frozen=True)
class MyAction:
    action: Action
    case_number: str
    case_title: str
    overdue: bool


@dataclass(frozen=True)
class DueDeadline:
    case_number: str
    case_title: str
    kind: str
    name: str
    label_nb: str
    label_en: str
    due: datetime
    day: date
    """the day the deadline falls on (the last day to act, for a frist)"""
    effect: str
    overdue: bool


@dataclass(frozen=True)
class Dashboard:
    council: Council
    today: date
    week_end: date
    approvals: list[WaitingApproval]
    actions: list[MyAction]
    deadlines: list[DueDeadline]
    meetings: list[Meeting]
    cadence: YearAtAGlance
    inbox: list[InboxMessage]
    unread: int
    inbox_cases: dict[int, str]
    """the numbers of the cases the inbox messages are about, by case id"""


def dashboard(
    session: Session,
    actor: Actor,
    council: Council,
    *,
    now: datetime | None = None,
) -> Dashboard:
    """The actor's dashboard for ``council`` as of ``now``."""
    now = resolve(now)
    today = to_oslo(now).date()
    week_end = today + timedelta(days=6 - today.weekday())
    return Dashboard(
        council=council,
        today=today,
        week_end=week_end,
        approvals=waiting_approvals(session, actor, council, today),
        actions=my_actions(session, actor, council, today),
        deadlines=deadlines_due(session, actor, council, now, week_end),
        meetings=upcoming_meetings(session, council, today),
        cadence=year_at_a_glance(session, council, year=today.year, now=now),
        inbox=(messages := inbox(session, actor.person_id, limit=INBOX_LIMIT)),
        unread=unread_count(session, actor.person_id),
        inbox_cases=case_numbers(session, {m.case_id for m in messages if m.case_id}),
    )


def _awaited(transition: Transition, source: str, begun: bool) -> bool:
    """Whether a two-party transition counts as waiting for approval.

    One that another party has begun to approve always does. Otherwise only a step
    forward does: not a refusal that needs a reason (``reject``), and not a transition
    back into the same state (``extend`` while the agreement is in force), which are
    options the leaders may take, not work waiting for them.
    """
    return begun or (not transition.comment_required and transition.dest != source)


def waiting_approvals(
    session: Session, actor: Actor, council: Council, day: date
) -> list[WaitingApproval]:
    """Two-party transitions the actor's party has yet to approve and the actor may give."""
    seats = actor.seats_in(council.id, day)
    # (kind, state) → the transitions out of it the actor may approve, with the party
    offered: dict[tuple[str, str], list[tuple[Transition, str]]] = {}
    for definition in current_definitions().values():
        for t in definition.transitions:
            if not t.approvals:
                continue
            seat = next(
                (
                    s
                    for s in seats
                    if s.role in t.roles
                    and s.party in t.approvals
                    and (not t.parties or s.party in t.parties)
                ),
                None,
            )
            if seat is None:
                continue
            for source in t.sources:
                offered.setdefault((definition.name, source), []).append((t, seat.party))
    if not offered:
        return []
    clauses = [
        and_(
            Case.kind == kind, Case.state.in_(sorted({state for k, state in offered if k == kind}))
        )
        for kind in sorted({kind for kind, _state in offered})
    ]
    cases = list(
        session.scalars(
            select(Case)
            .where(
                Case.council_id == council.id,
                full_access_clause(actor, day),
                or_(false(), *clauses),
            )
            .order_by(Case.year, Case.seq)
        )
    )
    if not cases:
        return []
    given: dict[tuple[int, str], dict[str, str]] = {}
    rows = session.execute(
        select(Approval.case_id, Approval.trigger, Approval.state_entry, Approval.party, Person)
        .join(Person, Person.id == Approval.person_id)
        .where(Approval.case_id.in_([c.id for c in cases]))
    )
    entries = {case.id: case.state_entry for case in cases}
    for case_id, trigger, state_entry, party, person in rows:
        if entries[case_id] == state_entry:
            given.setdefault((case_id, trigger), {})[party] = person.display_name
    waiting = []
    for case in cases:
        for transition, party in offered.get((case.kind, case.state), []):
            approved = given.get((case.id, transition.trigger), {})
            if party in approved or not _awaited(transition, case.state, bool(approved)):
                continue
            waiting.append(
                WaitingApproval(
                    case_number=case.number,
                    case_title=case.title,
                    kind=case.kind,
                    state=case.state,
                    trigger=transition.trigger,
                    label_nb=transition.labels.nb,
                    label_en=transition.labels.en,
                    party=party,
                    approved_by=approved,
                )
            )
    return waiting[:SECTION_LIMIT]


def my_actions(session: Session, actor: Actor, council: Council, day: date) -> list[MyAction]:
    """The actor's own open follow-up actions in the council, soonest due first."""
    if actor.person_id is None:
        return []
    full = full_access_clause(actor, day)
    rows = session.execute(
        select(Action, Case, full.label("full"))
        .join(Case, Action.case_id == Case.id)
        .options(contains_eager(Action.case))
        .where(
            Case.council_id == council.id,
            Action.owner_person_id == actor.person_id,
            Action.status.not_in(CLOSED_ACTION_STATUSES),
            listable_clause(actor, day),
        )
        .order_by(Action.due, Action.id)
        .limit(SECTION_LIMIT)
    )
    return [
        MyAction(action, case.number, case.title if full else case.public_title, action.due < day)
        for action, case, full in rows
    ]


def deadlines_due(
    session: Session, actor: Actor, council: Council, now: datetime, week_end: date
) -> list[DueDeadline]:
    """Pending deadlines of the council's cases that fall by the end of this week (Sunday),
    including any that have passed and wait for the scheduler."""
    day = to_oslo(now).date()
    full = full_access_clause(actor, day)
    rows = session.execute(
        select(Deadline, Case, full.label("full"))
        .join(Case, Deadline.case_id == Case.id)
        .where(
            Case.council_id == council.id,
            Deadline.status == DeadlineStatus.PENDING,
            Deadline.due <= deadline_moment(week_end),
            listable_clause(actor, day),
        )
        .order_by(Deadline.due, Deadline.id)
        .limit(SECTION_LIMIT)
    )
    labels = _deadline_labels()
    result = []
    for deadline, case, full in rows:
        nb, en = labels.get((case.kind, deadline.name), (deadline.name, deadline.name))
        result.append(
            DueDeadline(
                case_number=case.number,
                case_title=case.title if full else case.public_title,
                kind=case.kind,
                name=deadline.name,
                label_nb=nb,
                label_en=en,
                due=deadline.due,
                day=deadline_day(case.kind, deadline.name, deadline.due),
                effect=deadline.effect,
                overdue=deadline.due < now,
            )
        )
    return result


def deadline_day(kind: str, name: str, due: datetime) -> date:
    """The day a deadline falls on in Oslo.

    A frist passes at the midnight that ends its day, so its moment is the start of the
    next day; an effective date (``at: start_of_day``) is the day its moment begins.
    """
    ends_day = _deadline_moments().get((kind, name), "end_of_day") == "end_of_day"
    return to_oslo(due - timedelta(microseconds=1) if ends_day else due).date()


def _deadline_moments() -> dict[tuple[str, str], str]:
    return {
        (definition.name, spec.name): spec.at
        for definition in current_definitions().values()
        for state in definition.states
        for spec in state.deadlines
    }


def _deadline_labels() -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (definition.name, spec.name): (spec.labels.nb, spec.labels.en)
        for definition in current_definitions().values()
        for state in definition.states
        for spec in state.deadlines
    }


def upcoming_meetings(session: Session, council: Council, day: date) -> list[Meeting]:
    """The council's next meetings from ``day`` on, not cancelled, with their cases loaded."""
    return list(
        session.scalars(
            select(Meeting)
            .join(Meeting.case)
            .options(contains_eager(Meeting.case))
            .where(
                Meeting.council_id == council.id,
                Meeting.date >= day,
                Case.state != "cancelled",
            )
            .order_by(Meeting.date, Meeting.number)
            .limit(MEETINGS_LIMIT)
        )
    )


def inbox(
    session: Session, person_id: int | None, *, limit: int = INBOX_LIMIT, offset: int = 0
) -> list[InboxMessage]:
    """A person's inbox messages, newest first."""
    if person_id is None:
        return []
    return list(
        session.scalars(
            select(InboxMessage)
            .where(InboxMessage.person_id == person_id)
            .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def case_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    """``YYYY/N`` of each case id, in one statement (none when there are no ids)."""
    if not ids:
        return {}
    rows = session.execute(select(Case.id, Case.year, Case.seq).where(Case.id.in_(sorted(ids))))
    return {case_id: f"{year}/{seq}" for case_id, year, seq in rows}


def inbox_size(session: Session, person_id: int | None) -> int:
    if person_id is None:
        return 0
    return (
        session.scalar(
            select(func.count(InboxMessage.id)).where(InboxMessage.person_id == person_id)
        )
        or 0
    )


def unread_count(session: Session, person_id: int | None) -> int:
    if person_id is None:
        return 0
    return (
        session.scalar(
            select(func.count(InboxMessage.id)).where(
                InboxMessage.person_id == person_id, InboxMessage.read_at.is_(None)
            )
        )
        or 0
    )
