"""``politirad users``: people and their seats."""

from __future__ import annotations

from datetime import date

import click

from engine.actors import Actor
from engine.services.people import add_membership, create_person, get_council
from web.cli import transaction


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
def create(login, display_name, email, password, council_slug, party, role, cleared) -> None:
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
                valid_from=date.today(),
                cleared=cleared,
            )
    click.echo(f"created {person.login}")
