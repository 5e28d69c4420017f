"""``politirad users``: people and their seats."""

from __future__ import annotations

import click
from sqlalchemy import select

from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models import Person
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
    """Create a person, and with --party and --role their seat in a council."""
    if (party is None) != (role is None):
        raise click.BadParameter("give --party and --role together")
    system = Actor.system()
    with transaction() as session:
        person = create_person(
            session,
            actor=system,
            login=login,
            display_name=display_name,
            email=email,
            password=password,
        )
        if role:
            add_membership(
                session,
                actor=system,
                person=person,
                council=get_council(session, council_slug),
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


def _person(session, login: str) -> Person:
    person = session.scalars(select(Person).where(Person.login == login.strip().lower())).first()
    if person is None:
        raise UserError(f"no person with login '{login}'")
    return person
