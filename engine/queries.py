"""Read-side queries; every list of cases goes through the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.access import Visibility, full_access_clause, visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models import Case, CaseEvent, Council, Deadline
from engine.models.enums import DeadlineStatus


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
    """Cases of a council, newest first; titles the actor may not see show as public titles.

    A text search matches the title only where the actor may see it, so a hidden
    title cannot be probed by searching.
    """
    day = to_oslo(resolve(now)).date()
    full = full_access_clause(actor, day)
    query = select(Case, full.label("full")).where(Case.council_id == council.id)
    if kind:
        query = query.where(Case.kind == kind)
    if state:
        query = query.where(Case.state == state)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                and_(full, func.lower(Case.title).like(pattern)),
                func.lower(Case.public_title).like(pattern),
            )
        )
    query = query.order_by(Case.year.desc(), Case.seq.desc()).limit(limit).offset(offset)
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
        )
        for case, is_full in session.execute(query)
    ]


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
