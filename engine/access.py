"""The one access policy: what an actor may see of a case and whether they may act on it.

Records are public by default (offentleglova). An exempt case shows its public
title and legal basis to those outside the council; a restricted case (police
security service information) is seen only by cleared members: to everyone else it
does not exist, in any list, search, page or count.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_, true

from engine.actors import Actor, Seat
from engine.errors import PermissionDenied
from engine.models import Case
from engine.models.enums import Access, Role

COUNCIL_ROLES = (Role.LEADER, Role.DEPUTY, Role.MEMBER, Role.SECRETARIAT)
EDITOR_ROLES = (Role.LEADER, Role.DEPUTY, Role.SECRETARIAT)


class Visibility(StrEnum):
    FULL = "full"
    TITLE_ONLY = "title_only"
    HIDDEN = "hidden"


def visibility(actor: Actor, case: Case, day: date) -> Visibility:
    """How much of ``case`` the actor may see on ``day``."""
    if actor.is_system or case.access == Access.PUBLIC:
        return Visibility.FULL
    seat = actor.seat_with_role(case.council_id, day, COUNCIL_ROLES)
    if case.access == Access.RESTRICTED:
        return Visibility.FULL if seat is not None and seat.cleared else Visibility.HIDDEN
    return Visibility.TITLE_ONLY if seat is None else Visibility.FULL


def full_access_clause(actor: Actor, day: date) -> ColumnElement[bool]:
    """SQL that is true for the cases ``visibility`` would show in full (for lists and search)."""
    if actor.is_system:
        return true()
    clauses = [Case.access == Access.PUBLIC]
    for seat in actor.seats:
        if seat.role not in COUNCIL_ROLES or not seat.active_on(day):
            continue
        allowed = (
            (Access.PUBLIC, Access.EXEMPT, Access.RESTRICTED)
            if seat.cleared
            else (
                Access.PUBLIC,
                Access.EXEMPT,
            )
        )
        clauses.append(and_(Case.council_id == seat.council_id, Case.access.in_(allowed)))
    return or_(false(), *clauses)


def listable_clause(actor: Actor, day: date) -> ColumnElement[bool]:
    """SQL that is true for the cases the actor may know exist (all but the restricted
    cases they are not cleared for)."""
    if actor.is_system:
        return true()
    cleared = [
        seat.council_id
        for seat in actor.seats
        if seat.cleared and seat.role in COUNCIL_ROLES and seat.active_on(day)
    ]
    return or_(
        Case.access != Access.RESTRICTED,
        Case.council_id.in_(cleared) if cleared else false(),
    )


def why_not_act(actor: Actor, case: Case, day: date) -> str | None:
    """None if the actor may act on the case at all, else the reason in words."""
    if actor.is_system:
        return None
    if not actor.seats_in(case.council_id, day):
        return "you are not a member of this council"
    if visibility(actor, case, day) != Visibility.FULL:
        return "the case is restricted and you are not cleared for it"
    return None


def editor_seat(actor: Actor, case: Case, day: date, doing: str) -> Seat | None:
    """The seat from which the actor may ``doing`` on ``case`` (the secretariat's or a
    leader's); None for the system. ``PermissionDenied`` says why anyone else may not."""
    if actor.is_system:
        return None
    blocked = why_not_act(actor, case, day)
    if blocked:
        raise PermissionDenied(blocked)
    seat = actor.seat_with_role(case.council_id, day, EDITOR_ROLES)
    if seat is None:
        raise PermissionDenied(f"only the secretariat or the leaders {doing}")
    return seat
