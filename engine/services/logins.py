"""Logging in and out: password checks, a throttle on failures, and server-side sessions.

A login returns a random token for the browser's cookie; the database keeps only its
SHA-256. Ending the row (logout, deactivation, a new password) refuses every copy of the
cookie. A session ends after ``IDLE_LIMIT`` without a request, and after ``LIFETIME``
however active it is.

The throttle slows a password guesser without locking the owner out. Failures count per
pair of address and login: from the third failure in an hour that pair waits 30 seconds,
then twice as long after each further failure, at most 15 minutes; a success from the
pair clears its failures. Failures from other addresses never slow the owner at their
own. Two ceilings stand far above that. One address that fails 30 times in 15 minutes,
whatever the logins, waits until its failures age out (someone trying many accounts).
And a login that fails 100 times in an hour from all addresses together (guessing from
many addresses at once) slows every address except those where the person has logged in
during the last 90 days: the guessers are held back, and the owner still gets in from
the places they use.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import resolve
from engine.errors import NotFound, PermissionDenied
from engine.models import LoginFailure, LoginSession, Person
from engine.passwords import verify_password

IDLE_LIMIT = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)

PAIR_WINDOW = timedelta(hours=1)
PAIR_FREE_FAILURES = 2
PAIR_FIRST_WAIT = timedelta(seconds=30)
PAIR_LONGEST_WAIT = timedelta(minutes=15)
ADDRESS_WINDOW = timedelta(minutes=15)
ADDRESS_CEILING = 30
LOGIN_WINDOW = timedelta(hours=1)
LOGIN_CEILING = 100
KNOWN_ADDRESS_FOR = timedelta(days=90)


class TooManyAttempts(PermissionDenied):
    """Too many failed logins; ``retry_after`` is in seconds, ``retry_at`` the moment."""

    def __init__(self, retry_after: int, retry_at: datetime):
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")
        self.retry_after = retry_after
        self.retry_at = retry_at


class BadCredentials(PermissionDenied):
    """Wrong login or password; the message never says which."""

    def __init__(self) -> None:
        super().__init__("wrong login or password")


@dataclass(frozen=True)
class Login:
    person: Person
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(
    session: Session,
    login: str,
    password: str,
    *,
    address: str,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> Login:
    """Check the password and open a session; failures are recorded and throttled.

    An unknown login costs the same argon2 work as a wrong password (``verify_password``
    checks a dummy hash), so neither the answer nor its time tells whether it exists.
    """
    now = resolve(now)
    login = login.strip().lower()[:80]
    address = address[:64]
    person = session.scalars(select(Person).where(Person.login == login)).one_or_none()
    check_throttle(session, login, address, person=person, now=now)
    ok = verify_password(person.password_hash if person else None, password)
    if person is None or not ok or not person.active:
        record_failure(session, login, address, now=now)
        raise BadCredentials()
    clear_failures(session, login, address)
    return open_session(session, person, address=address, user_agent=user_agent, now=now)


def open_session(
    session: Session,
    person: Person,
    *,
    address: str,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> Login:
    """A new login session for ``person`` (after a password was checked or a reset link used)."""
    now = resolve(now)
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            person_id=person.id,
            created_at=now,
            last_seen_at=now,
            address=address[:64],
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    session.flush()
    return Login(person, token)


def resume(
    session: Session,
    token: str,
    *,
    now: datetime | None = None,
    idle: timedelta = IDLE_LIMIT,
    lifetime: timedelta = LIFETIME,
) -> LoginSession | None:
    """The live session of ``token`` (with its person), or None when it ended, idled out,
    outlived its lifetime, belongs to a deactivated person or never existed."""
    now = resolve(now)
    row = session.get(LoginSession, token_hash(token))
    if row is None or not _live(row, now, idle, lifetime):
        return None
    if not row.person.active:
        return None
    return row


def _live(row: LoginSession, now: datetime, idle: timedelta, lifetime: timedelta) -> bool:
    return (
        row.ended_at is None and now - row.last_seen_at <= idle and now - row.created_at <= lifetime
    )


def touch(session: Session, token: str, *, now: datetime | None = None) -> None:
    """Record activity, so that only idle sessions expire."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
        .values(last_seen_at=resolve(now))
    )


def log_out(session: Session, token: str, *, now: datetime | None = None) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=resolve(now))
    )


def end_all_sessions(
    session: Session, person: Person, *, keep: str | None = None, now: datetime | None = None
) -> int:
    """End every live session of ``person`` (deactivation, a new password), but the one of
    the token ``keep`` if given."""
    statement = update(LoginSession).where(
        LoginSession.person_id == person.id, LoginSession.ended_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(LoginSession.token_hash != token_hash(keep))
    return session.execute(statement.values(ended_at=resolve(now))).rowcount


def live_sessions(
    session: Session,
    person: Person,
    *,
    now: datetime | None = None,
    idle: timedelta = IDLE_LIMIT,
    lifetime: timedelta = LIFETIME,
) -> list[LoginSession]:
    """The person's sessions that are still live ("Mine innlogginger"), the newest first."""
    now = resolve(now)
    rows = session.scalars(
        select(LoginSession)
        .where(
            LoginSession.person_id == person.id,
            LoginSession.ended_at.is_(None),
            LoginSession.created_at >= now - lifetime,
            LoginSession.last_seen_at >= now - idle,
        )
        .order_by(LoginSession.created_at.desc())
    )
    return [row for row in rows if _live(row, now, idle, lifetime)]


def end_session(
    session: Session, *, actor: Actor, session_hash: str, now: datetime | None = None
) -> None:
    """End one of the actor's own sessions, named by its hash; another person's session
    is not found."""
    if actor.person_id is None:
        raise PermissionDenied("only a person has login sessions")
    ended = session.execute(
        update(LoginSession)
        .where(
            LoginSession.token_hash == session_hash,
            LoginSession.person_id == actor.person_id,
            LoginSession.ended_at.is_(None),
        )
        .values(ended_at=resolve(now))
    ).rowcount
    if ended != 1:
        raise NotFound("no such login session")


def end_other_sessions(
    session: Session, *, actor: Actor, token: str, now: datetime | None = None
) -> int:
    """End every session of the actor but the one of ``token`` (this browser)."""
    if actor.person_id is None:
        raise PermissionDenied("only a person has login sessions")
    person = session.get(Person, actor.person_id)
    return end_all_sessions(session, person, keep=token, now=now)


# --- the throttle ---------------------------------------------------------------------------


def check_throttle(
    session: Session,
    login: str,
    address: str,
    *,
    person: Person | None = None,
    now: datetime | None = None,
) -> None:
    """Raise ``TooManyAttempts`` while this address must wait before trying ``login`` again."""
    now = resolve(now)
    waits = [
        _pair_wait(session, login, address, now),
        _address_wait(session, address, now),
        _login_wait(session, login, address, person, now),
    ]
    retry_at = max((w for w in waits if w is not None), default=None)
    if retry_at is not None and retry_at > now:
        seconds = int((retry_at - now).total_seconds() + 0.999)
        raise TooManyAttempts(max(1, seconds), retry_at)


def _pair_wait(session: Session, login: str, address: str, now: datetime) -> datetime | None:
    count, last = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.login == login,
            LoginFailure.address == address,
            LoginFailure.at > now - PAIR_WINDOW,
        )
    ).one()
    if count <= PAIR_FREE_FAILURES:
        return None
    doublings = min(count - PAIR_FREE_FAILURES - 1, 10)
    return last + min(PAIR_FIRST_WAIT * 2**doublings, PAIR_LONGEST_WAIT)


def _address_wait(session: Session, address: str, now: datetime) -> datetime | None:
    failures = session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.address == address, LoginFailure.at > now - ADDRESS_WINDOW)
        .order_by(LoginFailure.at.desc())
        .limit(ADDRESS_CEILING)
    ).all()
    if len(failures) < ADDRESS_CEILING:
        return None
    return failures[-1] + ADDRESS_WINDOW  # when one of the last ceiling-many ages out


def _login_wait(
    session: Session, login: str, address: str, person: Person | None, now: datetime
) -> datetime | None:
    failures = session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.login == login, LoginFailure.at > now - LOGIN_WINDOW)
        .order_by(LoginFailure.at.desc())
        .limit(LOGIN_CEILING)
    ).all()
    if len(failures) < LOGIN_CEILING or _known_address(session, person, address, now):
        return None
    return failures[-1] + LOGIN_WINDOW


def _known_address(session: Session, person: Person | None, address: str, now: datetime) -> bool:
    """Whether the person logged in from ``address`` during the last ``KNOWN_ADDRESS_FOR``."""
    if person is None:
        return False
    return (
        session.scalar(
            select(LoginSession.token_hash)
            .where(
                LoginSession.person_id == person.id,
                LoginSession.address == address,
                LoginSession.created_at > now - KNOWN_ADDRESS_FOR,
            )
            .limit(1)
        )
        is not None
    )


def record_failure(session: Session, login: str, address: str, *, now: datetime) -> None:
    session.add(LoginFailure(login=login[:80], address=address[:64], at=now))
    session.flush()


def clear_failures(session: Session, login: str, address: str) -> None:
    """Forget the pair's failures after a success; the others still count."""
    session.execute(
        delete(LoginFailure).where(LoginFailure.login == login, LoginFailure.address == address)
    )
