"""The ``politirad`` command line. Each command is one transaction: it commits once at the
end, and a user mistake prints one line and exits non-zero, never a traceback."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click
from sqlalchemy import select
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
    from engine.calendar import parse_moment

    try:
        return parse_moment(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a time like 2026-12-01T07:00") from None


council_option = click.option("--council", "council_slug", help="Council slug.")
as_option = click.option("--as", "login", default="system", show_default=True)
actor_option = click.option("--as", "login", required=True, help="Act as this person.")
now_option = click.option("--now", help="Act as of this time (ISO 8601, Oslo time).")


@click.group()
def main() -> None:
    """politirad: workflow and case tracking for a politiråd."""


def _add_commands() -> None:
    """Every module in ``web.commands`` adds its ``group`` of subcommands."""
    import web.commands

    for info in pkgutil.iter_modules(web.commands.__path__):
        module = importlib.import_module(f"web.commands.{info.name}")
        main.add_command(module.group)


_add_commands()


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def run(host: str, port: int) -> None:
    """Start the development server with its scheduler (not for production)."""
    from werkzeug.serving import make_server

    from engine.demo import DEMO_PASSWORD, PEOPLE
    from engine.models import Person
    from engine.scheduler import start_in_process
    from web.app import create_app

    app = create_app({"DEVELOPMENT": True})
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise UserError(f"cannot serve at {host}:{port}: {exc.strerror}; try PORT=5001") from None
    scheduler = start_in_process(app)
    with transaction() as session:
        present = set(session.scalars(select(Person.login)))
    lines = [f"politirad serves at http://{host}:{port}/"]
    if scheduler is None:
        lines.append("its scheduler runs in another process (see `politirad scheduler status`)")
    demo = [p for p in PEOPLE if p.login in present]
    if demo:
        lines.append(f"demo logins, each with the password '{DEMO_PASSWORD}':")
        lines += [f"  {person.login:<12} {person.description}" for person in demo]
    lines += [
        "stop it with Ctrl+C; start the demo afresh with `make reset-demo` and `make run`",
    ]
    click.echo("\n".join(["", *lines, ""]))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("politirad stopped")
    finally:
        server.server_close()
