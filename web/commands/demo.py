"""``politirad demo``: the Oslo demo council."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from engine.demo import DEMO_PASSWORD, load_demo
from engine.models import Council
from web.cli import parse_now, transaction


@click.group("demo")
def group() -> None:
    """Demo data."""


@group.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when a council exists already.")
@click.option("--now", help="Build the demo as of this time (ISO 8601, Oslo time).")
@click.option("--quiet", is_flag=True, help="Print one line, without the logins.")
def load(if_empty: bool, now: str | None, quiet: bool) -> None:
    """Load Politirådet i Oslo with people, reference data and cases in many states."""
    with transaction() as session:
        if if_empty and session.scalar(select(func.count(Council.id))):
            if not quiet:
                click.echo("a council exists already; demo not loaded")
            return
        demo = load_demo(session, now=parse_now(now))
        summary = f"loaded {demo.council.name}: {len(demo.people)} people, {len(demo.cases)} cases"
        logins = [f"  {person.login:<12} {role}" for person, role in demo.logins]
    # Printed after the commit, so a closed pipe cannot undo the load.
    click.echo(summary)
    if quiet:
        return
    click.echo(f"demo logins (password '{DEMO_PASSWORD}'):")
    click.echo("\n".join(logins))
