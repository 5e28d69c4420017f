"""Passwords of accounts: a person's own change, a reset link by e-mail ("Glemt passord?"),
and what an administrator or the operator may do: set a one-time password that must be
changed at the next login, or send the reset link.

Every new password meets the rules of ``engine.passwords.check_password``. A new
password ends the person's other sessions and voids every open reset link. Each change
is an event in the audit chain about the person (in every council where they have a
seat), without the password.

A request from the login page only records what was typed: the scheduler
(``send_requested_links``) matches it to people and queues the e-mails, so the page does
the same work, and answers the same, whether the login or address exists or not. The
link's token is made when the e-mail goes out (``link_for``, called by the outbox's
delivery), so no token is ever stored but as its hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from engine import outbox
from engine.actors import Actor, actor_for
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.config import base_url
from engine.errors import NotFound, PermissionDenied, ValidationError
from engine.models import Council, Membership, OutboxMessage, PasswordReset, Person
from engine.models.enums import Role
from engine.passwords import (
    PasswordRefused,
    check_password,
    generate_password,
    hash_password,
    verify_password,
)
from engine.services import logins
from engine.services.seats import audit_person, require_admin_of

RESET_VALID = timedelta(hours=1)
"""How long a reset link works after its e-mail went out; a request not sent by then lapses."""
RESET_TOPIC = "password_reset"
REQUEST_WINDOW = timedelta(hours=1)
REQUESTS_PER_PAIR = 3
"""Link requests an hour from one address for one login or e-mail address; more are dropped."""
REQUESTS_PER_ADDRESS = 10
"""Link requests an hour from one address, whatever it asks for (someone trying many names)."""
REQUESTS_PER_TARGET = 10
"""Link requests an hour for one login or e-mail address from all addresses together: no
mailbox is flooded, and the owner's own requests (three an hour) still go through unless
someone floods the same name from many addresses."""


class WrongPassword(ValidationError):
    """The current password given to change it is wrong."""

    def __init__(self) -> None:
        super().__init__("the current password is wrong", {"old_password": "wrong password"})


@dataclass(frozen=True)
class OneTimePassword:
    person: Person
    password: str


def hash_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --- rules and the password itself ------------------------------------------------------


def council_names(session: Session, person: Person) -> list[str]:
    """The names of every council where the person has or had a seat."""
    return list(
        session.scalars(
            select(Council.name)
            .join(Membership, Membership.council_id == Council.id)
            .where(Membership.person_id == person.id)
            .distinct()
        )
    )


def check_new_password(session: Session, person: Person, password: str) -> None:
    """The password rules, with the person's login, name and councils as words to avoid."""
    check_password(
        password,
        login=person.login,
        name=person.display_name,
        councils=council_names(session, person),
    )


def _replace(
    session: Session,
    person: Person,
    password: str,
    *,
    must_change: bool,
    keep: str | None,
    now: datetime,
) -> None:
    """Store the new password, end the other sessions and void the open reset links."""
    person.password_hash = hash_password(password)
    person.must_change_password = must_change
    logins.end_all_sessions(session, person, keep=keep, now=now)
    _void_links(session, person, now)
    session.flush()


def _void_links(session: Session, person: Person, now: datetime) -> None:
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.person_id == person.id, PasswordReset.closed_at.is_(None))
        .values(closed_at=now)
    )


def _audit(session: Session, actor: Actor, person: Person, what: str, now: datetime) -> None:
    councils = sorted(
        set(session.scalars(select(Membership.council_id).where(Membership.person_id == person.id)))
    )
    audit_person(session, actor, person, councils, {"password": [None, what]}, now)


# --- the person -------------------------------------------------------------------------


def change_password(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    old_password: str,
    new_password: str,
    address: str,
    keep: str | None = None,
    now: datetime | None = None,
) -> Person:
    """A person changes their own password, giving the current one. A wrong current
    password counts as a failed login (and is throttled like one); the other sessions end
    (all but the one of the token ``keep``, this browser's)."""
    now = resolve(now)
    if actor.person_id != person.id:
        raise PermissionDenied("only the person changes their own password")
    logins.check_throttle(session, person.login, address, person=person, now=now)
    if not verify_password(person.password_hash, old_password):
        logins.record_failure(session, person.login, address, now=now)
        raise WrongPassword()
    if new_password == old_password:
        raise PasswordRefused("password unchanged", "the new password is the current one")
    check_new_password(session, person, new_password)
    _replace(session, person, new_password, must_change=False, keep=keep, now=now)
    _audit(session, actor, person, "changed", now)
    return person


# --- administrators and the operator ----------------------------------------------------


def set_password(
    session: Session, *, actor: Actor, person: Person, password: str, now: datetime | None = None
) -> Person:
    """The operator sets a person's password (``politirad users password``); it holds
    without a forced change, and every session of the person ends."""
    now = resolve(now)
    if not actor.is_system:
        raise PermissionDenied("only the operator sets a password directly")
    check_new_password(session, person, password)
    _replace(session, person, password, must_change=False, keep=None, now=now)
    _audit(session, actor, person, "set by the operator", now)
    return person


def set_one_time_password(
    session: Session, *, actor: Actor, person: Person, now: datetime | None = None
) -> OneTimePassword:
    """An administrator gives a person a random one-time password, shown once, which the
    person must change at their next login; every session of the person ends.

    Whoever sees it could log in as the person, so a secretariat may do this only for a
    person whose every seat today is in a council where the administrator sits in the
    secretariat, with at least that seat's clearance; for anyone else, the reset link
    (which goes to the person's own address) is the way.
    """
    now = resolve(now)
    require_admin_of(session, actor, person)
    if person.id == actor.person_id:
        raise ValidationError("change your own password instead", {"password": "own password"})
    if not actor.is_system:
        _require_all_the_power_of(actor, person, now)
    password = generate_password()
    _replace(session, person, password, must_change=True, keep=None, now=now)
    _audit(session, actor, person, "one-time password", now)
    return OneTimePassword(person, password)


def _require_all_the_power_of(actor: Actor, person: Person, now: datetime) -> None:
    today = to_oslo(now).date()
    for seat in person.memberships:
        if not seat.active_on(today):
            continue
        own = [
            s
            for s in actor.seats_in(seat.council_id, today)
            if s.role == Role.SECRETARIAT and (s.cleared or not seat.cleared)
        ]
        if not own:
            raise PermissionDenied(
                "a one-time password would give you access you do not have; "
                "send a reset link instead"
            )


def send_reset_link(
    session: Session, *, actor: Actor, person: Person, now: datetime | None = None
) -> PasswordReset:
    """An administrator sends the person a link to set a new password; until they have,
    every login asks for a new one, and every session of the person ends now."""
    now = resolve(now)
    require_admin_of(session, actor, person)
    if person.id == actor.person_id:
        raise ValidationError("change your own password instead", {"password": "own password"})
    if not person.email:
        raise ValidationError("the person has no e-mail address", {"email": "no e-mail"})
    if not person.active:
        raise ValidationError("the person is deactivated", {"active": "deactivated"})
    person.must_change_password = True
    logins.end_all_sessions(session, person, now=now)
    _void_links(session, person, now)
    reset = PasswordReset(person_id=person.id, requested_by_id=actor.person_id, created_at=now)
    session.add(reset)
    session.flush()
    _queue_link(session, reset, person, now)
    _audit(session, actor, person, "reset link sent", now)
    return reset


# --- "Glemt passord?" --------------------------------------------------------------------


def request_reset(
    session: Session, asked_for: str, *, address: str, now: datetime | None = None
) -> None:
    """Someone on the login page asks for a link, naming a login or an e-mail address.

    Whatever was named, this does the same: it counts the recent requests and records
    this one (unless there were too many), and it says nothing back. The scheduler
    matches it to people later (``send_requested_links``).
    """
    now = resolve(now)
    asked_for = asked_for.strip().lower()[:254]
    address = address[:64]
    if not asked_for:
        return
    target = hash_of(asked_for)
    since = now - REQUEST_WINDOW
    by_pair, by_address, by_target = session.execute(
        select(
            func.count().filter(PasswordReset.asked_for_hash == target),
            func.count(),
            select(func.count())
            .where(PasswordReset.asked_for_hash == target, PasswordReset.created_at > since)
            .scalar_subquery(),
        ).where(PasswordReset.address == address, PasswordReset.created_at > since)
    ).one()
    if (
        by_pair >= REQUESTS_PER_PAIR
        or by_address >= REQUESTS_PER_ADDRESS
        or by_target >= REQUESTS_PER_TARGET
    ):
        return
    session.add(
        PasswordReset(asked_for=asked_for, asked_for_hash=target, address=address, created_at=now)
    )
    session.flush()


def send_requested_links(session: Session, *, now: datetime | None = None) -> int:
    """The scheduler's job: match each recorded request to the active people whose login or
    e-mail address it named, and queue a link for each; forget what was typed. A request
    older than ``RESET_VALID`` lapses unsent. Returns the number of links queued."""
    now = resolve(now)
    pending = session.scalars(
        select(PasswordReset)
        .where(PasswordReset.person_id.is_(None), PasswordReset.asked_for.is_not(None))
        .order_by(PasswordReset.id)
    ).all()
    queued = 0
    for request in pending:
        people = []
        if request.created_at > now - RESET_VALID:
            people = session.scalars(
                select(Person)
                .where(
                    Person.active.is_(True),
                    Person.email.is_not(None),
                    or_(
                        Person.login == request.asked_for,
                        func.lower(Person.email) == request.asked_for,
                    ),
                )
                .order_by(Person.id)
            ).all()
        request.asked_for = None
        for n, person in enumerate(people):
            _void_links(session, person, now)
            reset = request
            if n:
                reset = PasswordReset(
                    asked_for_hash=request.asked_for_hash,
                    address=request.address,
                    created_at=request.created_at,
                )
                session.add(reset)
            reset.person_id = person.id
            session.flush()
            _queue_link(session, reset, person, now)
            queued += 1
    session.flush()
    return queued


def _queue_link(session: Session, reset: PasswordReset, person: Person, now: datetime) -> None:
    en = person.locale == "en"
    placeholder = "[the link was sent by e-mail]" if en else "[lenken er sendt på e-post]"
    if en:
        subject = "Set a new password for politirad"
        body = (
            f"A link to set a new password for the login {person.login} was asked for.\n\n"
            f"Open it to choose a new password:\n{placeholder}\n\n"
            "The link works once, for one hour. If you did not ask for it, ignore this message:"
            " your password has not changed.\n"
        )
    else:
        subject = "Sett nytt passord i politirad"
        body = (
            f"Noen ba om en lenke for å sette nytt passord for brukeren {person.login}.\n\n"
            f"Åpne lenken for å velge et nytt passord:\n{placeholder}\n\n"
            "Lenken virker én gang, i én time. Var det ikke du som ba om den, kan du se bort"
            " fra denne meldingen: passordet ditt er ikke endret.\n"
        )
    outbox.queue(
        session,
        case=None,
        council_id=None,
        recipient_id=person.id,
        topic=RESET_TOPIC,
        subject=subject,
        body=body,
        payload={"reset": reset.id, "placeholder": placeholder},
        now=now,
    )


def link_for(session: Session, message: OutboxMessage, now: datetime) -> str | None:
    """The e-mail text of a reset message with its link, made now: a new token whose hash
    the reset keeps from now on (a token of an earlier attempt stops working). None when
    the reset is closed, or was not sent in time."""
    reset = session.get(PasswordReset, (message.payload or {}).get("reset"))
    if reset is None or reset.closed_at is not None or now - reset.created_at > RESET_VALID:
        return None
    token = secrets.token_urlsafe(32)
    reset.token_hash = hash_of(token)
    reset.expires_at = now + RESET_VALID
    session.flush()
    link = f"{base_url()}/password/reset/{token}"
    return message.body.replace(message.payload["placeholder"], link)


def open_reset(session: Session, token: str, *, now: datetime | None = None) -> PasswordReset:
    """The open reset of a link's token; NotFound when it was used, made void, expired,
    belongs to a deactivated person or never existed."""
    now = resolve(now)
    reset = session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == hash_of(token))
    ).one_or_none()
    if (
        reset is None
        or reset.person is None
        or reset.closed_at is not None
        or reset.expires_at is None
        or now >= reset.expires_at
        or not reset.person.active
    ):
        raise NotFound("the link is used, expired or unknown")
    return reset


def reset_password(
    session: Session,
    token: str,
    new_password: str,
    *,
    address: str,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> logins.Login:
    """Set a new password with a reset link: the link closes, every session of the person
    ends, and a new one opens for this browser."""
    now = resolve(now)
    reset = open_reset(session, token, now=now)
    person = reset.person
    check_new_password(session, person, new_password)
    _replace(session, person, new_password, must_change=False, keep=None, now=now)
    reset.closed_at = now
    logins.clear_failures(session, person.login, address)
    _audit(session, actor_for(person), person, "reset by link", now)
    return logins.open_session(session, person, address=address, user_agent=user_agent, now=now)
