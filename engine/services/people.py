"""Councils, people and memberships (administration).

Who sits in a council, with what role and whether cleared for restricted items, decides
what they may see and do; so every change to it is an event in the audit chain, about
the person rather than a case: a seat given or changed (``membership``), a person's
details or activation changed (``person``, once in each council where they have a seat).

A council's secretariat administers the council's seats and nothing else. Clearance, a seat
with power (secretariat, leader, deputy) and any seat for a person who has never sat in the
council wait for a second person's approval (``engine.services.grants``). A person's own
details (name, e-mail address, language) and their activation belong to the whole
installation: the person changes their details, an installation administrator changes
anyone's; a secretariat ends the person's seats in its council instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, selectinload

from engine import audit, outbox
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import Conflict, NotFound, PermissionDenied, ValidationError
from engine.models import Council, Membership, Person, SeatGrant
from engine.models.enums import Role
from engine.passwords import check_password, hash_password
from engine.services.grants import request_clearance, request_seat, withdraw_waiting
from engine.services.logins import end_all_sessions
from engine.services.seats import (
    POWER_ROLES,
    audit_person,
    audit_seat,
    check_seat,
    councils_of,
    has_sat_in,
    new_seat,
    require_admin,
    require_secretariat,
    seat_fields,
)

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
# First segments of the site's own addresses: a council's pages live under its slug.
RESERVED_SLUGS = frozenset(
    {"admin", "api", "feeds", "health", "language", "login", "logout", "me", "public", "static"}
)


@dataclass(frozen=True)
class Seating:
    """What giving a seat did: the seat given at once, if it needed no second person, and the
    grant that waits for one (a seat with power, clearance), if any."""

    seat: Membership | None
    waiting: SeatGrant | None


def create_council(
    session: Session, *, actor: Actor, slug: str, name: str, municipality: str, police_district: str
) -> Council:
    """Register a council (politiråd). A person who registers it gets a seat in its
    secretariat from today (their party as in their own secretariat), so that someone
    can set it up."""
    require_admin(actor)
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
        audit_seat(session, actor, membership, {}, now, party=own.party)
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
    require_admin(actor)
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
) -> Seating:
    """Give a person a seat in a council for a period.

    The system (the operator's command line) gives any seat at once. The council's secretariat
    gives an ordinary seat at once to a person who sits or sat in the council; a seat with
    power, clearance, and any seat for a person who has never sat in the council wait for a
    second person's approval (``engine.services.grants``)."""
    return _give_seat(
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
        now=resolve(now),
        newcomer=False,
    )


def _give_seat(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    council: Council,
    party: str,
    role: str,
    valid_from: date,
    valid_to: date | None,
    appointed_by: Person | None,
    cleared: bool,
    now: datetime,
    newcomer: bool,
) -> Seating:
    """``newcomer``: the person is being registered by the council now, so they are its own."""
    require_secretariat(actor, council)
    check_seat(party, role, valid_from, valid_to)
    seat = {
        "party": party,
        "role": role,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "appointed_by": appointed_by,
        "cleared": cleared,
    }
    if actor.is_system:
        given = new_seat(
            session, actor=actor, person=person, council_id=council.id, now=now, **seat
        )
        return Seating(given, None)
    outsider = not newcomer and not has_sat_in(session, person, council.id)
    if role in POWER_ROLES or outsider:
        waiting = request_seat(
            session, actor=actor, person=person, council=council, now=now, **seat
        )
        return Seating(None, waiting)
    if cleared and person.id == actor.person_id:
        raise PermissionDenied("nobody may ask for clearance for themselves")
    given = new_seat(
        session,
        actor=actor,
        person=person,
        council_id=council.id,
        now=now,
        **{**seat, "cleared": False},
    )
    if not cleared:
        return Seating(given, None)
    return Seating(given, request_clearance(session, actor=actor, membership=given, now=now))


def end_seats(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    council: Council,
    now: datetime | None = None,
) -> list[Membership]:
    """End every seat the person holds in the council, from today (what a council's
    secretariat does instead of deactivating a person, whose other councils are not its own),
    and withdraw every grant about them waiting there.

    A seat that began before today ends yesterday; one that begins today or later is taken
    away. Returns the seats that ended or were taken away."""
    now = resolve(now)
    require_secretariat(actor, council)
    if person.id == actor.person_id:
        raise ValidationError("you cannot end your own seats", {"_form": "own seats"})
    today = to_oslo(now).date()
    audit.next_seq(session.connection())  # lock the chain's head first, as every writer does
    withdraw_waiting(session, actor=actor, person=person, council=council, now=now)
    ended = [
        m
        for m in person.memberships
        if m.council_id == council.id and (m.valid_to is None or m.valid_to >= today)
    ]
    for membership in ended:
        if membership.valid_from < today:
            yesterday = today - timedelta(days=1)
            old = membership.valid_to.isoformat() if membership.valid_to else None
            audit_seat(session, actor, membership, {"valid_to": [old, yesterday.isoformat()]}, now)
            membership.valid_to = yesterday
        else:
            gone = {name: [value, None] for name, value in seat_fields(membership).items()}
            audit_seat(session, actor, membership, gone, now)
            session.delete(membership)
    session.flush()
    session.expire(person, ["memberships"])
    return ended


def set_active(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    active: bool,
    now: datetime | None = None,
) -> Person:
    """Activate or deactivate a person in the whole installation (an installation
    administrator, or the system); deactivating ends every session they have open."""
    now = resolve(now)
    _require_installation_admin(actor, "deactivate or activate a person")
    if not active and person.id == actor.person_id:
        raise ValidationError("you cannot deactivate yourself", {"active": "yourself"})
    if person.active == active:
        return person
    changes = {"active": [person.active, active]}
    audit_person(session, actor, person, councils_of(session, person), changes, now)
    person.active = active
    if not active:
        end_all_sessions(session, person)
    session.flush()
    return person


def _require_installation_admin(actor: Actor, doing: str) -> None:
    if not (actor.is_system or actor.installation_admin):
        raise PermissionDenied(
            f"only an installation administrator may {doing}; "
            "a council's secretariat ends the person's seats in its council"
        )


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
    """Change a person's name, e-mail address and language: the person themselves, or an
    installation administrator. A changed address is told to the old one."""
    now = resolve(now)
    if actor.person_id != person.id:
        _require_installation_admin(actor, "change another person's name or e-mail address")
    new = {
        "display_name": _bounded(display_name, "display_name", 200) or "",
        "email": _email_address(email),
        "locale": locale,
    }
    if not new["display_name"]:
        raise ValidationError("a person needs a name", {"display_name": "required"})
    if locale not in ("nb", "en"):
        raise ValidationError(f"unknown language '{locale}'", {"locale": "unknown"})
    changes = {k: [getattr(person, k), v] for k, v in new.items() if getattr(person, k) != v}
    if not changes:
        return person
    audit_person(session, actor, person, councils_of(session, person), changes, now)
    for name, (_old, value) in changes.items():
        setattr(person, name, value)
    if "email" in changes:
        _tell_of_new_address(session, person, changes["email"][0], now)
    session.flush()
    return person


def _bounded(text: str | None, field: str, limit: int) -> str | None:
    value = (text or "").strip() or None
    if value is not None and len(value) > limit:
        raise ValidationError(f"{field} is longer than {limit} characters", {field: "too long"})
    return value


def _email_address(text: str | None) -> str | None:
    address = _bounded(text, "email", 254)
    if address is not None and (
        address.count("@") != 1
        or address.startswith("@")
        or address.endswith("@")
        or any(c.isspace() for c in address)
    ):
        raise ValidationError(f"'{address}' is not an e-mail address", {"email": "invalid"})
    return address


def _tell_of_new_address(session: Session, person: Person, old: str | None, now: datetime) -> None:
    """Tell the old address (a message addressed to it alone) and the person's inbox that the
    e-mail address changed, so a change the person did not make is noticed."""
    en = person.locale == "en"
    subject = (
        "Your e-mail address in politirad was changed"
        if en
        else "E-postadressen din i politirad er endret"
    )
    body = (
        f"The e-mail address of the login {person.login} was changed from {old or '(none)'} to "
        f"{person.email or '(none)'}. If you did not do this, tell the council's secretariat.\n"
        if en
        else f"E-postadressen til brukeren {person.login} er endret fra {old or '(ingen)'} til "
        f"{person.email or '(ingen)'}. Hvis det ikke var deg, si fra til sekretariatet.\n"
    )
    if old:
        outbox.queue(
            session,
            case=None,
            recipient_id=None,
            topic="email_changed",
            subject=subject,
            body=body,
            payload={"email": old, "person": person.id},
            now=now,
        )
    outbox.queue(
        session,
        case=None,
        recipient_id=person.id,
        topic="email_changed",
        subject=subject,
        body=body,
        payload={"person": person.id},
        now=now,
    )


def set_installation_admin(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    admin: bool,
    now: datetime | None = None,
) -> Person:
    """Make a person an installation administrator, or no longer one: the operator's command
    line only. Audited in every council of the installation, since the power reaches them all."""
    now = resolve(now)
    if not actor.is_system:
        raise PermissionDenied("installation administrators are named from the command line")
    if person.installation_admin == admin:
        return person
    councils = list(session.scalars(select(Council.id).order_by(Council.id)))
    if not councils:
        raise ValidationError("there is no council yet to record it in", {"council": "none"})
    changes = {"installation_admin": [person.installation_admin, admin]}
    audit_person(session, actor, person, councils, changes, now)
    person.installation_admin = admin
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
) -> Seating:
    """End a seat (or change its end), withdraw its clearance, or ask for it: the system
    clears a seat at once, the secretariat's request waits for a second person's approval
    (asking again while it waits changes nothing)."""
    now = resolve(now)
    require_secretariat(actor, membership.council)
    if valid_to is not None and valid_to < membership.valid_from:
        raise ValidationError("a membership cannot end before it starts", {"valid_to": "too early"})
    if cleared and not membership.cleared and membership.person_id == actor.person_id:
        raise PermissionDenied("nobody may ask for clearance for themselves")
    old = seat_fields(membership)
    give_now = cleared and (membership.cleared or actor.is_system)
    new = {**old, "valid_to": valid_to.isoformat() if valid_to else None, "cleared": give_now}
    changed = {name: [old[name], new[name]] for name in old if old[name] != new[name]}
    if changed:
        audit_seat(session, actor, membership, changed, now)
        membership.valid_to = valid_to
        membership.cleared = give_now
        session.flush()
    waiting = None
    if cleared and not membership.cleared:
        waiting = request_clearance(session, actor=actor, membership=membership, now=now)
    return Seating(membership, waiting)


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
    require_admin(actor, council.id)
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
    """Everyone who has or had a seat in the council, or a grant asked for in it, with their
    memberships, by name."""
    return list(
        session.scalars(
            select(Person)
            .where(_of_council(council))
            .options(selectinload(Person.memberships).selectinload(Membership.appointed_by))
            .order_by(Person.display_name, Person.login)
        )
    )


def council_person(session: Session, council: Council, person_id: int) -> Person:
    """A person who has or had a seat in the council, or a grant asked for in it; NotFound for
    anyone else."""
    person = session.scalars(
        select(Person).where(Person.id == person_id, _of_council(council))
    ).one_or_none()
    if person is None:
        raise NotFound(f"no person {person_id} in {council.name}")
    return person


def _of_council(council: Council):
    return or_(
        Person.id.in_(select(Membership.person_id).where(Membership.council_id == council.id)),
        Person.id.in_(select(SeatGrant.person_id).where(SeatGrant.council_id == council.id)),
    )


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
) -> Seating:
    """Register a new person together with their first seat in the council: an ordinary seat
    at once, a seat with power or clearance once a second person approves it."""
    require_secretariat(actor, council)
    check_seat(party, role, valid_from, valid_to)
    person = create_person(
        session,
        actor=actor,
        login=login,
        display_name=display_name,
        email=_email_address(email),
        password=password or None,
        locale=locale,
        councils=[council],
    )
    return _give_seat(
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
        now=resolve(now),
        newcomer=True,
    )
