"""``politirad scheduler``: the production scheduler, one tick as of any time, and its status."""

from __future__ import annotations

import logging
import signal
import sys

import click

from engine.calendar import to_oslo
from engine.config import database_url
from engine.db import make_engine
from engine.scheduler import job_status, lock_for, run_scheduler, tick
from web.cli import UserError, parse_now, transaction


@click.group("scheduler")
def group() -> None:
    """The scheduler: deadlines, reminders, cadence, digests and e-mail."""


@group.command("run")
@click.option(
    "--standby-interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds between attempts to take over while another scheduler runs.",
)
def run(standby_interval: float) -> None:
    """Run the scheduler in the foreground (one per installation; others wait as standby)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Stop through the normal path on SIGTERM, so the lock is released at once.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    engine = make_engine(database_url())
    try:
        run_scheduler(engine, standby_interval=standby_interval)
    except KeyboardInterrupt:
        click.echo("scheduler stopped")
    finally:
        engine.dispose()


@group.command("tick")
@click.option("--now", help="Run as of this time (ISO 8601, Oslo time); default: now.")
def tick_(now: str | None) -> None:
    """Run every job once as of NOW."""
    engine = make_engine(database_url())
    try:
        results = tick(engine, now=parse_now(now))
    finally:
        engine.dispose()
    failed = []
    for name, result in results.items():
        shown = ", ".join(f"{key} {value}" for key, value in result.items()) or "done"
        click.echo(f"{name:<10} {shown}")
        if "error" in result:
            failed.append(name)
    if failed:
        raise UserError(f"these jobs failed: {', '.join(failed)}")


@group.command("status")
def status() -> None:
    """Show each job's next and last run, and which process holds the scheduler lock."""
    engine = make_engine(database_url())
    try:
        holder = lock_for(engine).holder()
    finally:
        engine.dispose()
    click.echo(f"lock: {'held by ' + holder if holder else 'free (no scheduler is running)'}")
    with transaction() as session:
        rows = job_status(session)
    click.echo(f"{'job':<10} {'next run':<17} {'last run':<17} {'as of':<17} result")
    for row in rows:
        next_run = row.next_run.strftime("%d.%m.%Y %H:%M") if row.next_run else "-"
        if row.last is None:
            click.echo(f"{row.job.name:<10} {next_run:<17} {'never':<17}")
            continue
        last = to_oslo(row.last.last_run_at).strftime("%d.%m.%Y %H:%M")
        as_of = to_oslo(row.last.as_of).strftime("%d.%m.%Y %H:%M")
        shown = ", ".join(f"{key} {value}" for key, value in row.last.result.items())
        click.echo(
            f"{row.job.name:<10} {next_run:<17} {last:<17} {as_of:<17} "
            f"{shown} (host {row.last.host}, pid {row.last.pid})"
        )
