"""``politirad tokens``: personal API tokens, made by the operator for a person."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import click
from sqlalchemy import select

from engine.actors import Actor
from engine.calendar import OSLO
from engine.db import utcnow
from engine.models import Person
from engine.services.tokens import create_token, list_tokens, revoke_token
from web.cli import UserError, transaction

DAYS = re.compile(r"^(\d{1,3})d$")


@click.group("tokens")
def group() -> None:
    """Personal API tokens (Authorization: Bearer)."""


def parse_expiry(value: str | None) -> datetime | None:
    """``--expires`` as ``30d`` (days from now) or a date (the end of that day, Oslo time)."""
    if value is None:
        return None
    days = DAYS.match(value.strip())
    if days:
        return utcnow() + timedelta(days=int(days[1]))
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is neither a date like 2027-03-01 nor like 90d"
        ) from None
    return datetime.combine(day, time(23, 59, 59), OSLO).astimezone(UTC)


def _person(session, login: str) -> Person:
    person = session.scalars(select(Person).where(Person.login == login)).one_or_none()
    if person is None:
        raise UserError(f"no person with login '{login}'")
    return person


@group.command("create")
@click.option("--for", "login", required=True, help="The person the token acts as.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--expires", help="30d (days from now) or a date like 2027-03-01; default 90d.")
@click.option("--name", default="command line", show_default=True, help="What it is for.")
def create(login: str, scope: str, expires: str | None, name: str) -> None:
    """Make a token and print its secret, once: it is stored only as a hash."""
    with transaction() as session:
        issued = create_token(
            session,
            actor=Actor.system(),
            person=_person(session, login),
            name=name,
            scope=scope,
            expires_at=parse_expiry(expires),
        )
    token = issued.token
    click.echo(issued.secret)
    click.echo(
        f"token {token.id} for {login} ({token.scope}), expires "
        f"{token.expires_at.astimezone(OSLO):%Y-%m-%d %H:%M} Oslo time; "
        "it is shown only now",
        err=True,
    )


@group.command("list")
@click.option("--for", "login", required=True)
def list_(login: str) -> None:
    """A person's tokens: id, scope, state, expiry and last use."""
    now = utcnow()
    with transaction() as session:
        for token in list_tokens(session, _person(session, login)):
            state = (
                "revoked"
                if token.revoked_at
                else ("expired" if token.expires_at <= now else "live")
            )
            used = (
                f"{token.last_used_at.astimezone(OSLO):%Y-%m-%d %H:%M}"
                if token.last_used_at
                else "never"
            )
            click.echo(
                f"{token.id}\t{token.hint}…\t{token.scope}\t{state}\t"
                f"expires {token.expires_at.astimezone(OSLO):%Y-%m-%d}\tlast used {used}\t"
                f"{token.name}"
            )


@group.command("revoke")
@click.argument("token_id", type=click.IntRange(min=1, max=2147483647))
def revoke(token_id: int) -> None:
    """Revoke a token at once."""
    with transaction() as session:
        token = revoke_token(session, actor=Actor.system(), token_id=token_id)
    click.echo(f"revoked token {token.id}")
