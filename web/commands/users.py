"""``politirad users``: people and their seats."""

from __future__ import annotations

import click
from sqlalchemy import select

from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models import Person
from engine.services.accounts import send_reset_link, set_one_time_password, set_password
from engine.services.people import add_membership, create_person, get_council, set_active
from web.cli import UserError, transaction


@click.group("users")
def group() -> None:
    """People who use the system."""


@group.command("create")
@click.argument("login")
@click.option("--name", "display_name", required=True)
@click.option("--email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--council", "council_slug", help="Give a seat in this council (slug).")
@click.option("--party", type=click.Choice(["municipality", "police", "external"]))
@click.option(
    "--role",
    type=click.Choice(["leader", "deputy", "member", "secretariat", "reporter", "guest"]),
)
@click.option("--cleared", is_flag=True, help="Cleared for restricted items.")
@click.option(
    "--from",
    "valid_from",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The seat begins on this day (default: today).",
)
def create(
    login, display_name, email, password, council_slug, party, role, cleared, valid_from
) -> None:
    """Create a person, and with --party and --role their seat in a council. The person
    chooses a new password at their first login."""
    if (party is None) != (role is None):
        raise click.BadParameter("give --party and --role together")
    system = Actor.system()
    with transaction() as session:
        council = get_council(session, council_slug) if role else None
        person = create_person(
            session,
            actor=system,
            login=login,
            display_name=display_name,
            email=email,
            password=password,
            councils=[council] if council else [],
        )
        if council:
            add_membership(
                session,
                actor=system,
                person=person,
                council=council,
                party=party,
                role=role,
                valid_from=valid_from.date() if valid_from else to_oslo(resolve(None)).date(),
                cleared=cleared,
            )
    click.echo(f"created {person.login}")


@group.command("deactivate")
@click.argument("login")
def deactivate(login: str) -> None:
    """Deactivate a person: they cannot log in, and every session they have open ends."""
    with transaction() as session:
        person = _person(session, login)
        set_active(session, actor=Actor.system(), person=person, active=False)
    click.echo(f"deactivated {login}; their sessions are ended")


@group.command("activate")
@click.argument("login")
def activate(login: str) -> None:
    """Let a deactivated person log in again."""
    with transaction() as session:
        set_active(session, actor=Actor.system(), person=_person(session, login), active=True)
    click.echo(f"activated {login}")


@group.command("password")
@click.argument("login")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def password(login: str, password: str) -> None:
    """Set a person's password (asks for it); every session they have open ends."""
    with transaction() as session:
        set_password(
            session, actor=Actor.system(), person=_person(session, login), password=password
        )
    click.echo(f"set the password of {login}; their sessions are ended")


@group.command("reset")
@click.argument("login")
@click.option(
    "--link", is_flag=True, help="E-mail a link to set a new password instead (needs SMTP)."
)
def reset(login: str, link: bool) -> None:
    """Give a person a one-time password (printed once), or with --link e-mail them a link;
    either way they choose a new password at their next login, and their sessions end."""
    with transaction() as session:
        person = _person(session, login)
        if link:
            send_reset_link(session, actor=Actor.system(), person=person)
        else:
            issued = set_one_time_password(session, actor=Actor.system(), person=person)
    if link:
        click.echo(f"queued a link to set a new password for {login} to {person.email}")
    else:
        click.echo(issued.password)
        click.echo(
            f"the one-time password of {login}, shown only now; "
            "they choose a new one at their next login",
            err=True,
        )


def _person(session, login: str) -> Person:
    person = session.scalars(select(Person).where(Person.login == login.strip().lower())).first()
    if person is None:
        raise UserError(f"no person with login '{login}'")
    return person
