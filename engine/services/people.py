"""Councils, people and memberships (administration)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import Conflict, NotFound, PermissionDenied, ValidationError
from engine.models import Council, Membership, Person
from engine.models.enums import PartyCode, Role
from engine.passwords import hash_password
from engine.services.logins import end_all_sessions

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
# First segments of the site's own addresses: a council's pages live under its slug.
RESERVED_SLUGS = frozenset(
    {"admin", "api", "feeds", "health", "language", "login", "logout", "me", "public", "static"}
)


def _require_admin(actor: Actor, council_id: int | None = None) -> None:
    if actor.is_system:
        return
    today = to_oslo(resolve(None)).date()
    for seat in actor.seats:
        in_council = council_id is None or seat.council_id == council_id
        if seat.role == Role.SECRETARIAT and seat.active_on(today) and in_council:
            return
    raise PermissionDenied("only the secretariat may administer councils and people")


def require_secretariat(actor: Actor, council: Council) -> None:
    """PermissionDenied unless the actor sits in the council's secretariat today."""
    _require_admin(actor, council.id)


def is_secretariat(actor: Actor, council_id: int | None = None) -> bool:
    """Whether the actor sits in a secretariat today (of ``council_id`` if given)."""
    try:
        _require_admin(actor, council_id)
    except PermissionDenied:
        return False
    return True


def _require_admin_of(session: Session, actor: Actor, person: Person) -> None:
    """The secretariat of a council where ``person`` has (or had) a seat administers them."""
    if actor.is_system:
        return
    councils = set(
        session.scalars(select(Membership.council_id).where(Membership.person_id == person.id))
    )
    for council_id in councils:
        if is_secretariat(actor, council_id):
            return
    raise PermissionDenied("only the secretariat of the person's council may change them")


def create_council(
    session: Session, *, actor: Actor, slug: str, name: str, municipality: str, police_district: str
) -> Council:
    """Register a council (politiråd). A person who registers it gets a seat in its
    secretariat from today (their party as in their own secretariat), so that someone
    can set it up."""
    _require_admin(actor)
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationError(
            f"'{slug}' cannot name a council: use 2–40 lowercase letters, digits and '-'",
            {"slug": "invalid"},
        )
    values = _council_fields(name=name, municipality=municipality, police_district=police_district)
    if session.scalars(select(Council).where(Council.slug == slug)).first():
        raise Conflict(f"a council '{slug}' exists already")
    council = Council(slug=slug, **values)
    session.add(council)
    session.flush()
    if actor.person_id is not None:
        today = to_oslo(resolve(None)).date()
        own = next(s for s in actor.seats if s.role == Role.SECRETARIAT and s.active_on(today))
        session.add(
            Membership(
                person_id=actor.person_id,
                council_id=council.id,
                party=own.party,
                role=Role.SECRETARIAT,
                valid_from=today,
                appointed_by_id=actor.person_id,
            )
        )
        session.flush()
    return council


def get_council(session: Session, slug: str | None) -> Council:
    """The council with ``slug``; without one, the only council of the installation."""
    if slug is None:
        councils = list(session.scalars(select(Council).limit(2)))
        if len(councils) != 1:
            raise ValidationError("say which council (--council SLUG)")
        return councils[0]
    council = session.scalars(_COUNCIL_BY_SLUG, {"slug": slug}).one_or_none()
    if council is None:
        raise NotFound(f"no council '{slug}'")
    return council


_COUNCIL_BY_SLUG = select(Council).where(Council.slug == bindparam("slug"))
"""Built once: making a statement costs more than running this one."""


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
    _require_admin_of(session, actor, person)
    if not active and person.id == actor.person_id:
        raise ValidationError("you cannot deactivate yourself", {"active": "yourself"})
    person.active = active
    if not active:
        end_all_sessions(session, person)
    session.flush()
    return person


def update_person(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    display_name: str,
    email: str | None,
    locale: str,
) -> Person:
    """Change a person's name, e-mail address and language."""
    _require_admin_of(session, actor, person)
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError("a person needs a name", {"display_name": "required"})
    if locale not in ("nb", "en"):
        raise ValidationError(f"unknown language '{locale}'", {"locale": "unknown"})
    person.display_name = display_name
    person.email = (email or "").strip() or None
    person.locale = locale
    session.flush()
    return person


def update_membership(
    session: Session,
    *,
    actor: Actor,
    membership: Membership,
    valid_to: date | None,
    cleared: bool,
) -> Membership:
    """End a seat (or change its end) and grant or withdraw clearance for restricted items."""
    _require_admin(actor, membership.council_id)
    if valid_to is not None and valid_to < membership.valid_from:
        raise ValidationError("a membership cannot end before it starts", {"valid_to": "too early"})
    membership.valid_to = valid_to
    membership.cleared = cleared
    session.flush()
    return membership


def update_council(
    session: Session,
    *,
    actor: Actor,
    council: Council,
    name: str,
    municipality: str,
    police_district: str,
) -> Council:
    """Change a council's name, municipality and police district (the slug stays)."""
    _require_admin(actor, council.id)
    values = _council_fields(name=name, municipality=municipality, police_district=police_district)
    for key, value in values.items():
        setattr(council, key, value)
    session.flush()
    return council


def _council_fields(**values: str) -> dict[str, str]:
    cleaned = {key: (value or "").strip() for key, value in values.items()}
    missing = {key: "required" for key, value in cleaned.items() if not value}
    if missing:
        raise ValidationError(f"a council needs {', '.join(sorted(missing))}", missing)
    return cleaned


def council_people(session: Session, council: Council) -> list[Person]:
    """Everyone who has or had a seat in the council, with their memberships, by name."""
    return list(
        session.scalars(
            select(Person)
            .where(
                Person.id.in_(
                    select(Membership.person_id).where(Membership.council_id == council.id)
                )
            )
            .options(selectinload(Person.memberships).selectinload(Membership.appointed_by))
            .order_by(Person.display_name, Person.login)
        )
    )


def council_person(session: Session, council: Council, person_id: int) -> Person:
    """A person who has or had a seat in the council; NotFound for anyone else."""
    person = session.get(Person, person_id)
    if person is None or not any(m.council_id == council.id for m in person.memberships):
        raise NotFound(f"no person {person_id} in {council.name}")
    return person


def council_membership(session: Session, council: Council, membership_id: int) -> Membership:
    """A membership of the council; NotFound for one of another council."""
    membership = session.get(Membership, membership_id)
    if membership is None or membership.council_id != council.id:
        raise NotFound(f"no membership {membership_id} in {council.name}")
    return membership


def register_member(
    session: Session,
    *,
    actor: Actor,
    council: Council,
    login: str,
    display_name: str,
    party: str,
    role: str,
    valid_from: date,
    valid_to: date | None = None,
    appointed_by: Person | None = None,
    cleared: bool = False,
    email: str | None = None,
    password: str | None = None,
    locale: str = "nb",
) -> Membership:
    """Register a new person together with their first seat in the council."""
    _require_admin(actor, council.id)
    person = create_person(
        session,
        actor=actor,
        login=login,
        display_name=display_name,
        email=(email or "").strip() or None,
        password=password or None,
        locale=locale,
    )
    return add_membership(
        session,
        actor=actor,
        person=person,
        council=council,
        party=party,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        appointed_by=appointed_by,
        cleared=cleared,
    )
