"""``politirad export``: extracts for the archive (Noark 5 arkivuttrekk)."""

from __future__ import annotations

from pathlib import Path

import click

from engine.actors import load_actor
from engine.noark5 import Period, export
from engine.services.people import get_council
from web.cli import UserError, as_option, council_option, now_option, parse_now, transaction

day_option = click.DateTime(formats=["%Y-%m-%d"])


@click.group("export")
def group() -> None:
    """Extracts of a council's records."""


@group.command("noark5")
@council_option
@click.option("--from", "start", type=day_option, required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=day_option, required=True, help="Last day (YYYY-MM-DD).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the extract into (created if missing; must be empty).",
)
@as_option
@now_option
def noark5(council_slug, start, end, out: Path, login, now) -> None:
    """Write the Noark 5 v5.0 extract of the cases and meetings of a period, validated
    against the schemas, as LOGIN may see it (the archive's extract: the default, system)."""
    if out.exists() and any(out.iterdir()):
        raise UserError(f"{out} is not empty; give a new or empty folder")
    with transaction() as session:
        summary = export(
            session,
            load_actor(session, login),
            get_council(session, council_slug),
            Period(start.date(), end.date()),
            out,
            now=parse_now(now),
        )
    click.echo(
        f"wrote {out}: {summary.cases} cases, {summary.meetings} meetings, "
        f"{summary.documents} documents, {summary.events} events; "
        f"public journal {summary.public_journal} entries, running journal "
        f"{summary.running_journal}"
    )
    for name in summary.files:
        click.echo(f"  {name}")
