"""Seats (memberships) as the policy and the audit chain see them: who administers a council,
which seats carry power, and how a seat, a grant or a person's details are written to the
chain. Shared by ``engine.services.people`` and ``engine.services.grants``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import PermissionDenied, ValidationError
from engine.models import Council, Membership, Person, SeatGrant
from engine.models.enums import EventKind, PartyCode, Role

POWER_ROLES = (Role.SECRETARIAT, Role.LEADER, Role.DEPUTY)
"""The seats with the power to administer a council (the secretariat) or to approve on behalf
of a party (leader, deputy): giving one needs a second person with that power."""


def oslo_day(now: datetime | None = None) -> date:
    return to_oslo(resolve(now)).date()


def require_admin(actor: Actor, council_id: int | None = None) -> None:
    """PermissionDenied unless the actor sits in a secretariat today (of ``council_id`` if
    given), or is the system."""
    if actor.is_system:
        return
    today = oslo_day()
    for seat in actor.seats:
        in_council = council_id is None or seat.council_id == council_id
        if seat.role == Role.SECRETARIAT and seat.active_on(today) and in_council:
            return
    raise PermissionDenied("only the secretariat may administer councils and people")


def require_secretariat(actor: Actor, council: Council) -> None:
    """PermissionDenied unless the actor sits in the council's secretariat today."""
    require_admin(actor, council.id)


def is_secretariat(actor: Actor, council_id: int | None = None) -> bool:
    """Whether the actor sits in a secretariat today (of ``council_id`` if given)."""
    try:
        require_admin(actor, council_id)
    except PermissionDenied:
        return False
    return True


def check_seat(party: str, role: str, valid_from: date, valid_to: date | None) -> None:
    """ValidationError for a seat that cannot be: an unknown party or role, or a period
    that ends before it starts."""
    if party not in tuple(PartyCode):
        raise ValidationError(f"unknown party '{party}'", {"party": "unknown"})
    if role not in tuple(Role):
        raise ValidationError(f"unknown role '{role}'", {"role": "unknown"})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("a membership cannot end before it starts", {"valid_to": "too early"})


def seat_fields(membership: Membership) -> dict[str, Any]:
    """What a seat is, as the audit chain records it."""
    return {
        "party": membership.party,
        "role": membership.role,
        "valid_from": membership.valid_from.isoformat(),
        "valid_to": membership.valid_to.isoformat() if membership.valid_to else None,
        "appointed_by": membership.appointed_by.login if membership.appointed_by else None,
        "cleared": membership.cleared,
    }


def audit_seat(
    session: Session,
    actor: Actor,
    membership: Membership,
    changed: dict[str, list[Any]],
    now: datetime,
    *,
    party: str | None = None,
) -> None:
    """Audit a seat: ``changed`` fields old → new, or the whole seat when it is new."""
    if not changed:
        changed = {name: [None, value] for name, value in seat_fields(membership).items()}
    audit.append_about_person(
        session.connection(),
        membership.person_id,
        membership.council_id,
        kind=EventKind.MEMBERSHIP,
        actor=actor,
        party=party or party_of(actor, membership.council_id, now),
        at=now,
        changes={f"membership.{membership.id}.{name}": pair for name, pair in changed.items()},
    )


def audit_grant(
    session: Session, actor: Actor, grant: SeatGrant, changed: dict[str, list[Any]], now: datetime
) -> None:
    """Audit a grant asked for, approved, refused or withdrawn: a ``membership`` event about
    its person, its fields named ``grant.<id>.<field>``."""
    audit.append_about_person(
        session.connection(),
        grant.person_id,
        grant.council_id,
        kind=EventKind.MEMBERSHIP,
        actor=actor,
        party=party_of(actor, grant.council_id, now),
        at=now,
        changes={f"grant.{grant.id}.{name}": pair for name, pair in changed.items()},
    )


def audit_person(
    session: Session,
    actor: Actor,
    person: Person,
    councils: list[int],
    changes: dict[str, list[Any]],
    now: datetime,
) -> None:
    """Audit a change to a person once in each of ``councils``."""
    conn = session.connection()
    for council_id in councils:
        audit.append_about_person(
            conn,
            person.id,
            council_id,
            kind=EventKind.PERSON,
            actor=actor,
            party=party_of(actor, council_id, now),
            at=now,
            changes=changes,
        )


def party_of(actor: Actor, council_id: int, now: datetime) -> str | None:
    """The party the actor acts for in the council (their secretariat seat's, if any)."""
    seats = sorted(
        actor.seats_in(council_id, to_oslo(now).date()),
        key=lambda seat: seat.role != Role.SECRETARIAT,
    )
    return seats[0].party if seats else None


def councils_of(session: Session, person: Person) -> list[int]:
    """The councils where the person has or had a seat."""
    return sorted(
        set(session.scalars(select(Membership.council_id).where(Membership.person_id == person.id)))
    )


def require_admin_of(session: Session, actor: Actor, person: Person) -> list[int]:
    """PermissionDenied unless the actor sits in the secretariat of a council where the
    person has or had a seat (or is the system); returns those councils."""
    councils = councils_of(session, person)
    if actor.is_system or any(is_secretariat(actor, council_id) for council_id in councils):
        return councils
    raise PermissionDenied("only the secretariat of the person's council may do this")


def has_sat_in(session: Session, person: Person, council_id: int) -> bool:
    """Whether the person has or had a seat in the council."""
    return (
        session.scalars(
            select(Membership.id).where(
                Membership.person_id == person.id, Membership.council_id == council_id
            )
        ).first()
        is not None
    )


def new_seat(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    council_id: int,
    party: str,
    role: str,
    valid_from: date,
    valid_to: date | None,
    appointed_by: Person | None,
    cleared: bool,
    now: datetime,
) -> Membership:
    """Give the seat now and audit it; the caller has checked that it may."""
    audit.next_seq(session.connection())  # lock the chain's head first, as every writer does
    membership = Membership(
        person=person,
        council_id=council_id,
        party=party,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        appointed_by=appointed_by,
        cleared=cleared,
    )
    session.add(membership)
    session.flush()
    audit_seat(session, actor, membership, {}, now)
    return membership
