"""Logging in and out: password checks, a throttle on failures, and server-side sessions.

A login returns a random token for the browser's cookie; the database keeps only its
SHA-256. Ending the row (logout, deactivation) refuses every copy of the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from engine.clock import resolve
from engine.errors import PermissionDenied
from engine.models import LoginFailure, LoginSession, Person
from engine.passwords import verify_password

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 20
IDLE_LIMIT = timedelta(hours=12)


class TooManyAttempts(PermissionDenied):
    """The account or the address failed too often; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(f"too many failed logins; try again in {minutes} minutes")
        self.retry_after = retry_after


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
    session: Session, login: str, password: str, *, address: str, now: datetime | None = None
) -> Login:
    """Check the password and open a session; failures are recorded and throttled."""
    now = resolve(now)
    login = login.strip().lower()[:80]
    address = address[:64]
    _check_throttle(session, login, address, now)
    person = session.scalars(select(Person).where(Person.login == login)).one_or_none()
    ok = person is not None and verify_password(person.password_hash, password)
    if not ok or not person.active:
        session.add(LoginFailure(login=login, address=address, at=now))
        session.flush()
        raise BadCredentials()
    session.execute(delete(LoginFailure).where(LoginFailure.login == login))
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            person_id=person.id,
            created_at=now,
            last_seen_at=now,
            address=address,
        )
    )
    session.flush()
    return Login(person, token)


def resume(session: Session, token: str, *, now: datetime | None = None) -> LoginSession | None:
    """The live session of ``token`` (with its person), or None when it ended, idled out,
    belongs to a deactivated person or never existed."""
    now = resolve(now)
    row = session.get(LoginSession, token_hash(token))
    if row is None or row.ended_at is not None or now - row.last_seen_at > IDLE_LIMIT:
        return None
    if not row.person.active:
        return None
    return row


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


def end_all_sessions(session: Session, person: Person, *, now: datetime | None = None) -> int:
    """End every live session of ``person`` (deactivation, a password change)."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.person_id == person.id, LoginSession.ended_at.is_(None))
        .values(ended_at=resolve(now))
    )
    return result.rowcount


def _check_throttle(session: Session, login: str, address: str, now: datetime) -> None:
    since = now - WINDOW
    for column, value, limit in (
        (LoginFailure.login, login, MAX_FAILURES_PER_LOGIN),
        (LoginFailure.address, address, MAX_FAILURES_PER_ADDRESS),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                column == value, LoginFailure.at > since
            )
        ).one()
        if count >= limit:
            raise TooManyAttempts(int((oldest + WINDOW - now).total_seconds()) + 1)
