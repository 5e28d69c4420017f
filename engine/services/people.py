"""Councils, people and memberships (administration)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import Conflict, NotFound, PermissionDenied, ValidationError
from engine.models import Council, Membership, Person
from engine.models.enums import PartyCode, Role
from engine.passwords import hash_password
from engine.services.logins import end_all_sessions

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def _require_admin(actor: Actor, council_id: int | None = None) -> None:
    if actor.is_system:
        return
    today = to_oslo(resolve(None)).date()
    for seat in actor.seats:
        in_council = council_id is None or seat.council_id == council_id
        if seat.role == Role.SECRETARIAT and seat.active_on(today) and in_council:
            return
    raise PermissionDenied("only the secretariat may administer councils and people")


def create_council(
    session: Session, *, actor: Actor, slug: str, name: str, municipality: str, police_district: str
) -> Council:
    """Register a council (politiråd)."""
    _require_admin(actor)
    if session.scalars(select(Council).where(Council.slug == slug)).first():
        raise Conflict(f"a council '{slug}' exists already")
    council = Council(
        slug=slug, name=name, municipality=municipality, police_district=police_district
    )
    session.add(council)
    session.flush()
    return council


def get_council(session: Session, slug: str | None) -> Council:
    """The council with ``slug``; without one, the only council of the installation."""
    if slug is None:
        councils = list(session.scalars(select(Council).limit(2)))
        if len(councils) != 1:
            raise ValidationError("say which council (--council SLUG)")
        return councils[0]
    council = session.scalars(select(Council).where(Council.slug == slug)).one_or_none()
    if council is None:
        raise NotFound(f"no council '{slug}'")
    return council


def create_person(
    session: Session,
    *,
    actor: Actor,
    login: str,
    display_name: str,
    email: str | None = None,
    password: str | None = None,
    locale: str = "nb",
) -> Person:
    """Register a person who can log in (with a password) or be named on cases."""
    _require_admin(actor)
    login = login.strip().lower()
    if not LOGIN_PATTERN.match(login):
        raise ValidationError(
            "a login is 2–80 lowercase letters, digits, '.', '_' or '-'", {"login": "invalid"}
        )
    if session.scalars(select(Person).where(Person.login == login)).first():
        raise Conflict(f"the login '{login}' is taken")
    if password is not None and len(password) < 10:
        raise ValidationError("a password needs at least 10 characters", {"password": "too short"})
    person = Person(
        login=login,
        display_name=display_name.strip() or login,
        email=email,
        password_hash=hash_password(password) if password else None,
        locale=locale,
    )
    session.add(person)
    session.flush()
    return person


def add_membership(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    council: Council,
    party: str,
    role: str,
    valid_from: date,
    valid_to: date | None = None,
    appointed_by: Person | None = None,
    cleared: bool = False,
) -> Membership:
    """Give a person a seat in a council for a period."""
    _require_admin(actor, council.id)
    if party not in tuple(PartyCode):
        raise ValidationError(f"unknown party '{party}'", {"party": "unknown"})
    if role not in tuple(Role):
        raise ValidationError(f"unknown role '{role}'", {"role": "unknown"})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("a membership cannot end before it starts", {"valid_to": "too early"})
    membership = Membership(
        person=person,
        council_id=council.id,
        party=party,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        appointed_by=appointed_by,
        cleared=cleared,
    )
    session.add(membership)
    session.flush()
    return membership


def set_active(session: Session, *, actor: Actor, person: Person, active: bool) -> Person:
    """Activate or deactivate a person; deactivating ends every session they have open."""
    _require_admin(actor)
    person.active = active
    if not active:
        end_all_sessions(session, person)
    session.flush()
    return person
