"""Personal API tokens (API-nøkler): made by a person for themselves, shown once, kept as a
SHA-256 hash, limited to reading or allowed to write, expiring, revocable.

A token acts exactly as its person: the API builds the same ``Actor`` from it as a
login would, so the roles, party, clearance and audit entries are the person's own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from engine.actors import Actor
from engine.clock import resolve
from engine.errors import NotFound, PermissionDenied, ValidationError
from engine.models import ApiToken, Person
from engine.models.tokens import TOKEN_SCOPES

PREFIX = "prt_"
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=366)
TOUCH_EVERY = timedelta(minutes=5)
"""``last_used_at`` is written at most this often, so reads stay reads."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which exists only here: it is never stored."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of presenting a secret: the live token, or why it was refused."""

    token: ApiToken | None
    refusal: str | None = None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    name: str,
    scope: str = "read",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Make a token for ``person``; only the person themselves (or the operator's command
    line, as the system) may."""
    now = resolve(now)
    if not actor.is_system and actor.person_id != person.id:
        raise PermissionDenied("a person makes API tokens only for themselves")
    if not person.active:
        raise PermissionDenied(f"'{person.login}' is deactivated")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "required"
    elif len(name) > 100:
        errors["name"] = "at most 100 characters"
    if scope not in TOKEN_SCOPES:
        errors["scope"] = "must be read or write"
    expires_at = resolve(expires_at) if expires_at is not None else now + DEFAULT_LIFETIME
    if expires_at <= now:
        errors["expires_at"] = "must be in the future"
    elif expires_at - now > MAX_LIFETIME:
        errors["expires_at"] = "at most a year ahead"
    if errors:
        problems = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise ValidationError(f"the token cannot be made as asked ({problems})", errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        person_id=person.id,
        name=name,
        token_hash=secret_hash(secret),
        hint=secret[: len(PREFIX) + 4],
        scope=scope,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token, secret)


def list_tokens(session: Session, person: Person) -> list[ApiToken]:
    """The person's tokens, newest first, revoked and expired ones included."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.person_id == person.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(
    session: Session, *, actor: Actor, token_id: int, now: datetime | None = None
) -> ApiToken:
    """Revoke a token at once; revoking one already revoked changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or not (actor.is_system or actor.person_id == token.person_id):
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = resolve(now)
        session.flush()
    return token


def authenticate(session: Session, secret: str, *, now: datetime | None = None) -> Verdict:
    """The live token behind ``secret`` with its person, or the reason it is refused."""
    now = resolve(now)
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return Verdict(None, "the token is malformed")
    token = session.scalars(_TOKEN_BY_HASH, {"hash": secret_hash(secret)}).unique().one_or_none()
    if token is None:
        return Verdict(None, "the token is not known")
    if token.revoked_at is not None:
        return Verdict(None, "the token has been revoked")
    if now >= token.expires_at:
        return Verdict(None, "the token has expired")
    if not token.person.active:
        return Verdict(None, "the token's person is deactivated")
    return Verdict(token)


_TOKEN_BY_HASH = (
    select(ApiToken)
    .where(ApiToken.token_hash == bindparam("hash"))
    .options(joinedload(ApiToken.person).joinedload(Person.memberships))
)
"""The token, its person and their memberships in one statement (a second, selectin query
for the memberships cost more than the join's repeated columns), built once."""


def needs_touch(token: ApiToken, now: datetime | None = None) -> bool:
    now = resolve(now)
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY


def touch(session: Session, token_id: int, *, now: datetime | None = None) -> None:
    """Record that the token was used now."""
    session.execute(
        update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=resolve(now))
    )
