"""Councils, people and memberships (administration).

Who sits in a council, with what role and whether cleared for restricted items, decides
what they may see and do; so every change to it is an event in the audit chain, about
the person rather than a case: a seat given or changed (``membership``), a person's
details or activation changed (``person``, once in each council where they have a seat).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from engine import audit
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import Conflict, NotFound, PermissionDenied, ValidationError
from engine.models import Council, Membership, Person
from engine.models.enums import EventKind, PartyCode, Role
from engine.passwords import check_password, hash_password
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


def _require_admin_of(session: Session, actor: Actor, person: Person) -> list[int]:
    """The secretariat of a council where ``person`` has (or had) a seat administers them.
    Returns the councils where they have or had one."""
    councils = sorted(
        set(session.scalars(select(Membership.council_id).where(Membership.person_id == person.id)))
    )
    if actor.is_system or any(is_secretariat(actor, council_id) for council_id in councils):
        return councils
    raise PermissionDenied("only the secretariat of the person's council may change them")


def _seat_fields(membership: Membership) -> dict[str, Any]:
    """What a seat is, as the audit chain records it."""
    return {
        "party": membership.party,
        "role": membership.role,
        "valid_from": membership.valid_from.isoformat(),
        "valid_to": membership.valid_to.isoformat() if membership.valid_to else None,
        "appointed_by": membership.appointed_by.login if membership.appointed_by else None,
        "cleared": membership.cleared,
    }


def _audit_seat(
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
        changed = {name: [None, value] for name, value in _seat_fields(membership).items()}
    audit.append_about_person(
        session.connection(),
        membership.person_id,
        membership.council_id,
        kind=EventKind.MEMBERSHIP,
        actor=actor,
        party=party or _party_of(actor, membership.council_id, now),
        at=now,
        changes={f"membership.{membership.id}.{name}": pair for name, pair in changed.items()},
    )


def _audit_person(
    session: Session,
    actor: Actor,
    person: Person,
    councils: list[int],
    changes: dict[str, list[Any]],
    now: datetime,
) -> None:
    """Audit a change to a person once in every council where they have or had a seat."""
    conn = session.connection()
    for council_id in councils:
        audit.append_about_person(
            conn,
            person.id,
            council_id,
            kind=EventKind.PERSON,
            actor=actor,
            party=_party_of(actor, council_id, now),
            at=now,
            changes=changes,
        )


def _party_of(actor: Actor, council_id: int, now: datetime) -> str | None:
    """The party the actor acts for in the council (their secretariat seat's, if any)."""
    seats = sorted(
        actor.seats_in(council_id, to_oslo(now).date()),
        key=lambda seat: seat.role != Role.SECRETARIAT,
    )
    return seats[0].party if seats else None


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
        now = resolve(None)
        today = to_oslo(now).date()
        own = next(s for s in actor.seats if s.role == Role.SECRETARIAT and s.active_on(today))
        audit.next_seq(session.connection())  # lock the chain's head first, as every writer does
        membership = Membership(
            person_id=actor.person_id,
            council_id=council.id,
            party=own.party,
            role=Role.SECRETARIAT,
            valid_from=today,
            appointed_by_id=actor.person_id,
        )
        session.add(membership)
        session.flush()
        _audit_seat(session, actor, membership, {}, now, party=own.party)
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
    councils: Sequence[Council] = (),
    must_change_password: bool = True,
) -> Person:
    """Register a person who can log in (with a password) or be named on cases.

    The password meets the rules of ``engine.passwords`` (with the names of ``councils``,
    where the person gets a seat, as words to avoid). Since someone else chose it, the
    person must change it at their first login, unless ``must_change_password`` is False
    (the demo's people)."""
    _require_admin(actor)
    login = login.strip().lower()
    if not LOGIN_PATTERN.match(login):
        raise ValidationError(
            "a login is 2–80 lowercase letters, digits, '.', '_' or '-'", {"login": "invalid"}
        )
    if session.scalars(select(Person).where(Person.login == login)).first():
        raise Conflict(f"the login '{login}' is taken")
    display_name = display_name.strip() or login
    if password is not None:
        check_password(
            password, login=login, name=display_name, councils=[c.name for c in councils]
        )
    person = Person(
        login=login,
        display_name=display_name,
        email=email,
        password_hash=hash_password(password) if password else None,
        locale=locale,
        must_change_password=bool(password) and must_change_password,
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
    now: datetime | None = None,
) -> Membership:
    """Give a person a seat in a council for a period."""
    now = resolve(now)
    _require_admin(actor, council.id)
    if party not in tuple(PartyCode):
        raise ValidationError(f"unknown party '{party}'", {"party": "unknown"})
    if role not in tuple(Role):
        raise ValidationError(f"unknown role '{role}'", {"role": "unknown"})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("a membership cannot end before it starts", {"valid_to": "too early"})
    audit.next_seq(session.connection())  # lock the chain's head first, as every writer does
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
    _audit_seat(session, actor, membership, {}, now)
    return membership


def set_active(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    active: bool,
    now: datetime | None = None,
) -> Person:
    """Activate or deactivate a person; deactivating ends every session they have open."""
    now = resolve(now)
    councils = _require_admin_of(session, actor, person)
    if not active and person.id == actor.person_id:
        raise ValidationError("you cannot deactivate yourself", {"active": "yourself"})
    if person.active == active:
        return person
    _audit_person(session, actor, person, councils, {"active": [person.active, active]}, now)
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
    now: datetime | None = None,
) -> Person:
    """Change a person's name, e-mail address and language."""
    now = resolve(now)
    councils = _require_admin_of(session, actor, person)
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError("a person needs a name", {"display_name": "required"})
    if locale not in ("nb", "en"):
        raise ValidationError(f"unknown language '{locale}'", {"locale": "unknown"})
    new = {"display_name": display_name, "email": (email or "").strip() or None, "locale": locale}
    changes = {k: [getattr(person, k), v] for k, v in new.items() if getattr(person, k) != v}
    if not changes:
        return person
    _audit_person(session, actor, person, councils, changes, now)
    for name, (_old, value) in changes.items():
        setattr(person, name, value)
    session.flush()
    return person


def update_membership(
    session: Session,
    *,
    actor: Actor,
    membership: Membership,
    valid_to: date | None,
    cleared: bool,
    now: datetime | None = None,
) -> Membership:
    """End a seat (or change its end) and grant or withdraw clearance for restricted items."""
    now = resolve(now)
    _require_admin(actor, membership.council_id)
    if valid_to is not None and valid_to < membership.valid_from:
        raise ValidationError("a membership cannot end before it starts", {"valid_to": "too early"})
    old = _seat_fields(membership)
    new = {**old, "valid_to": valid_to.isoformat() if valid_to else None, "cleared": cleared}
    changed = {name: [old[name], new[name]] for name in old if old[name] != new[name]}
    if not changed:
        return membership
    _audit_seat(session, actor, membership, changed, now)
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
    now: datetime | None = None,
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
        councils=[council],
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
        now=now,
    )
