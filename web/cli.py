"""The ``politirad`` command line. Each command is one transaction: it commits once at the
end, and a user mistake prints one line and exits non-zero, never a traceback."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.config import database_url
from engine.db import make_engine, session_factory
from engine.errors import EngineError


class UserError(click.ClickException):
    """One clear line on stderr, exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def transaction() -> Iterator[Session]:
    """A write session on the configured database, committed once if the command succeeds."""
    engine = make_engine(database_url())
    session = session_factory(engine, write=True)()
    try:
        yield session
        session.commit()
    except EngineError as exc:
        session.rollback()
        raise UserError(str(exc)) from None
    finally:
        session.close()
        engine.dispose()


def parse_now(value: str | None) -> datetime | None:
    """``--now`` as an aware time; a time without offset is read as Europe/Oslo."""
    if value is None:
        return None
    from engine.calendar import OSLO

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a time like 2026-12-01T07:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=OSLO)
    return moment.astimezone(UTC)


@click.group()
def main() -> None:
    """politirad: workflow and case tracking for a politiråd."""


from web.commands import audit, cases, db, demo, users, workflows  # noqa: E402

for module in (audit, cases, db, demo, users, workflows):
    main.add_command(module.group)


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    """Start the development server (not for production)."""
    from web.app import create_app

    app = create_app()
    click.echo(f"politirad serves at http://{host}:{port}/")
    with transaction() as session:
        from engine.models import Person

        logins = session.scalars(select(Person.login).order_by(Person.login)).all()
        people = session.scalar(select(func.count(Person.id)))
    if logins:
        click.echo(f"{people} people; demo logins: {', '.join(logins)} (password: {DEMO_HINT})")
    app.run(host=host, port=port, debug=False, use_reloader=False)


DEMO_HINT = "see README.md"


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def read_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8") if path != "-" else sys.stdin.read()
