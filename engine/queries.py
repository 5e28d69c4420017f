"""Read-side queries; every list of cases goes through the access policy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from engine.access import Visibility, full_access_clause, listable_clause, visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import NotFound
from engine.models import (
    Action,
    Bydel,
    Case,
    CaseEvent,
    Council,
    Deadline,
    Membership,
    Person,
    PoliceUnit,
    PriorityArea,
    Referral,
    UnitCoverage,
    case_bydel,
    case_priority_area,
)
from engine.models.enums import DeadlineStatus
from engine.runtime import definition_of
from engine.services.cases import Availability, available_transitions, get_case
from workflows.model import Definition


@dataclass(frozen=True)
class CaseRow:
    """A case as one actor may see it in a list."""

    number: str
    kind: str
    state: str
    title: str
    access: str
    legal_basis: str | None
    full: bool
    version: int
    state_entered_at: datetime
    next_due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CaseFilter:
    """What a case list may be narrowed to; every field is optional."""

    kind: str | None = None
    state: str | None = None
    bydel: str | None = None
    """a bydel's code"""
    unit: str | None = None
    """a police unit's code: cases tagged with a bydel the unit covers"""
    area: int | None = None
    """a priority area's number"""
    overdue: bool = False
    """only cases with a pending deadline that has passed"""
    text: str | None = None
    """words of the title, or a case number like 2026/17"""


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


NUMBER = re.compile(r"^\s*(\d{4})/(\d{1,9})\s*$")


def list_cases(
    session: Session,
    actor: Actor,
    council: Council,
    *,
    kind: str | None = None,
    state: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[CaseRow]:
    """Cases of a council, newest first (see ``search_cases``)."""
    now = resolve(now)
    query = _case_query(actor, council, CaseFilter(kind=kind, state=state, text=text), now)
    return _rows(session.execute(query.limit(limit).offset(offset)), now)


def search_cases(
    session: Session,
    actor: Actor,
    council: Council,
    filters: CaseFilter = CaseFilter(),
    *,
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
) -> CasePage:
    """One page of a council's cases, newest first, with the total: one statement
    whatever the page size (two for a page past the last).

    Titles the actor may not see show as public titles; restricted cases the actor is
    not cleared for are left out altogether, from the rows and the total. A text search
    matches the title only where the actor may see it, so a hidden title cannot be
    probed by searching.
    """
    now = resolve(now)
    page, per_page = max(1, page), min(max(1, per_page), 200)
    query = _case_query(actor, council, filters, now)
    # Each row carries the count of all rows the WHERE finds (a window over the whole
    # result, taken before LIMIT), so the total needs no second statement.
    result = session.execute(
        query.add_columns(func.count().over().label("total"))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    rows = _rows((row[:3] for row in result), now)
    if result:
        total = result[0].total
    else:  # past the last page: no row to carry the total, so count on its own
        total = session.scalar(select(func.count(Case.id)).where(query.whereclause)) or 0
    return CasePage(rows, total, page, per_page)


def _case_query(actor: Actor, council: Council, filters: CaseFilter, now: datetime) -> Select:
    day = to_oslo(now).date()
    full = full_access_clause(actor, day)
    next_due = (
        select(func.min(Deadline.due))
        .where(Deadline.case_id == Case.id, Deadline.status == DeadlineStatus.PENDING)
        .correlate(Case)
        .scalar_subquery()
    )
    query = select(Case, full.label("full"), next_due.label("next_due")).where(
        Case.council_id == council.id, listable_clause(actor, day)
    )
    if filters.kind:
        query = query.where(Case.kind == filters.kind)
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.bydel:
        query = query.where(
            Case.id.in_(
                select(case_bydel.c.case_id)
                .join(Bydel, Bydel.id == case_bydel.c.bydel_id)
                .where(Bydel.code == filters.bydel, Bydel.council_id == council.id)
            )
        )
    if filters.unit:
        query = query.where(
            Case.id.in_(
                select(case_bydel.c.case_id)
                .join(UnitCoverage, UnitCoverage.bydel_id == case_bydel.c.bydel_id)
                .join(PoliceUnit, PoliceUnit.id == UnitCoverage.unit_id)
                .where(PoliceUnit.code == filters.unit, PoliceUnit.council_id == council.id)
            )
        )
    if filters.area is not None:
        query = query.where(
            Case.id.in_(
                select(case_priority_area.c.case_id)
                .join(PriorityArea, PriorityArea.id == case_priority_area.c.priority_area_id)
                .where(PriorityArea.number == filters.area, PriorityArea.council_id == council.id)
            )
        )
    if filters.overdue:
        query = query.where(
            Case.id.in_(
                select(Deadline.case_id).where(
                    Deadline.status == DeadlineStatus.PENDING, Deadline.due < now
                )
            )
        )
    if filters.text and filters.text.strip():
        number = NUMBER.match(filters.text)
        if number:
            query = query.where(Case.year == int(number[1]), Case.seq == int(number[2]))
        else:
            pattern = f"%{_escape_like(filters.text.strip().lower())}%"
            query = query.where(
                or_(
                    and_(full, func.lower(Case.title).like(pattern, escape="\\")),
                    func.lower(Case.public_title).like(pattern, escape="\\"),
                )
            )
    return query.order_by(Case.year.desc(), Case.seq.desc())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rows(result: Iterable[tuple[Case, Any, datetime | None]], now: datetime) -> list[CaseRow]:
    return [
        CaseRow(
            number=case.number,
            kind=case.kind,
            state=case.state,
            title=case.title if is_full else case.public_title,
            access=case.access,
            legal_basis=case.legal_basis,
            full=bool(is_full),
            version=case.version,
            state_entered_at=case.state_entered_at,
            next_due=next_due,
            overdue=next_due is not None and next_due < now,
        )
        for case, is_full, next_due in result
    ]


def visible_case(
    session: Session, actor: Actor, council: Council, number: str, *, now: datetime | None = None
) -> Case:
    """The case ``number`` if the actor may know it exists; else ``NotFound``, exactly as
    for a case that does not exist."""
    case = get_case(session, council, number)
    if visibility(actor, case, to_oslo(resolve(now)).date()) == Visibility.HIDDEN:
        raise NotFound(f"no case {number} in {council.name}")
    return case


def history(session: Session, case: Case, actor: Actor, *, now: datetime | None = None):
    """The case's audit events, oldest first (only for actors who see the case in full)."""
    day = to_oslo(resolve(now)).date()
    if visibility(actor, case, day) != Visibility.FULL:
        return []
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        )
    )


def pending_deadlines(session: Session, case: Case) -> list[Deadline]:
    return list(
        session.scalars(
            select(Deadline)
            .where(Deadline.case_id == case.id, Deadline.status == DeadlineStatus.PENDING)
            .order_by(Deadline.due)
        )
    )


# --- the case page -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One audited event as the history shows it: who, party, when, from → to, what changed."""

    seq: int
    kind: str
    at: datetime
    actor: str
    """the login, or ``system``"""
    actor_name: str
    party: str | None
    trigger: str | None
    from_state: str | None
    to_state: str | None
    changes: dict[str, list[Any]]
    comment: str


@dataclass(frozen=True)
class CaseFile:
    """Everything the case page shows, read in a number of statements that does not grow
    with the case's history, deadlines or follow-up."""

    case: Case
    visibility: Visibility
    definition: Definition
    timeline: list[TimelineEntry]
    path: list[str]
    """the states the case has been in, in order, ending with the current one"""
    deadlines: list[Deadline]
    transitions: list[Availability]
    approvers: dict[str, str]
    """display names of the people who approved a pending transition, by login"""
    awaited: dict[tuple[str, str], list[str]]
    """who may still give a party's approval, by (trigger, party)"""
    meeting: Case | None
    parent: Case | None
    actions: list[Action]
    referrals: list[Referral]
    last_seq: int
    """the newest event the page shows (a form sends it back, to say what changed since)"""


def case_file(
    session: Session, actor: Actor, council: Council, number: str, *, now: datetime | None = None
) -> CaseFile:
    """The case ``number`` as ``actor`` may see it; ``NotFound`` when it is hidden from them.

    An actor who may see only the public title gets the case with no history, deadlines,
    follow-up or transitions.
    """
    now = resolve(now)
    case = visible_case(session, actor, council, number, now=now)
    seen = visibility(actor, case, to_oslo(now).date())
    definition = definition_of(session, case)
    if seen != Visibility.FULL:
        return CaseFile(case, seen, definition, [], [], [], [], {}, {}, None, None, [], [], 0)
    timeline = case_timeline(session, case)
    transitions = available_transitions(session, case, actor, now=now)
    logins = {login for t in transitions for login in t.approved_by.values()}
    approvers = (
        dict(
            session.execute(
                select(Person.login, Person.display_name).where(Person.login.in_(logins))
            ).all()
        )
        if logins
        else {}
    )
    linked = (
        {
            other.id: other
            for other in session.scalars(
                select(Case).where(Case.id.in_([i for i in (case.meeting_id, case.parent_id) if i]))
            )
        }
        if case.meeting_id or case.parent_id
        else {}
    )
    return CaseFile(
        case=case,
        visibility=seen,
        definition=definition,
        timeline=timeline,
        path=[e.to_state for e in timeline if e.to_state],
        deadlines=pending_deadlines(session, case),
        transitions=transitions,
        approvers=approvers,
        awaited=approvers_awaited(session, case, transitions, now=now),
        meeting=linked.get(case.meeting_id),
        parent=linked.get(case.parent_id),
        actions=list(
            session.scalars(
                select(Action)
                .where(Action.case_id == case.id)
                .options(selectinload(Action.owner))
                .order_by(Action.due, Action.id)
            )
        ),
        referrals=list(
            session.scalars(
                select(Referral)
                .where(Referral.case_id == case.id)
                .order_by(Referral.response_due, Referral.id)
            )
        ),
        last_seq=timeline[-1].seq if timeline else 0,
    )


def case_timeline(session: Session, case: Case, *, after: int = 0) -> list[TimelineEntry]:
    """The case's events after audit sequence ``after``, oldest first, with who made them.

    The caller decides whether the actor may see them (see ``case_file``).
    """
    return _timeline(session, CaseEvent.case_id == case.id, CaseEvent.seq > after)


def person_history(session: Session, council_id: int, person_id: int) -> list[TimelineEntry]:
    """The audited changes to a person's seats and details in a council, oldest first: what
    the council's secretariat sees on the person's page."""
    return _timeline(
        session, CaseEvent.about_person_id == person_id, CaseEvent.council_id == council_id
    )


def _timeline(session: Session, *where: ColumnElement[bool]) -> list[TimelineEntry]:
    rows = session.execute(
        select(CaseEvent, Person.display_name)
        .outerjoin(Person, Person.id == CaseEvent.actor_id)
        .where(*where)
        .order_by(CaseEvent.seq)
    )
    return [
        TimelineEntry(
            seq=event.seq,
            kind=event.kind,
            at=event.at,
            actor=event.actor,
            actor_name=name or event.actor,
            party=event.party,
            trigger=event.trigger,
            from_state=event.from_state,
            to_state=event.to_state,
            changes=json.loads(event.changes) if event.changes else {},
            comment=event.comment,
        )
        for event, name in rows
    ]


def approvers_awaited(
    session: Session, case: Case, options: list[Availability], *, now: datetime | None = None
) -> dict[tuple[str, str], list[str]]:
    """Who may still give each party's approval of each two-party transition out of the
    case's state: ``(trigger, party) → display names``, in one statement."""
    wanted = {
        (option.trigger, party): set(option.roles)
        for option in options
        for party in option.approvals_needed
        if party not in option.approved_by
    }
    if not wanted:
        return {}
    day = to_oslo(resolve(now)).date()
    rows = session.execute(
        select(
            Membership.party,
            Membership.role,
            Membership.valid_from,
            Membership.valid_to,
            Person.display_name,
        )
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.council_id == case.council_id,
            Membership.party.in_(sorted({party for _t, party in wanted})),
            Person.active.is_(True),
        )
        .order_by(Person.display_name)
    ).all()
    return {
        (trigger, party): [
            name
            for row_party, role, start, end, name in rows
            if row_party == party and role in roles and start <= day and (end is None or day <= end)
        ]
        for (trigger, party), roles in wanted.items()
    }
