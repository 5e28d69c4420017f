"""``politirad serve``: the production server (gunicorn) against the configured database.

Migrations are their own step (``politirad db upgrade``): the server only checks that the
database is at the newest revision and refuses to start otherwise, so no worker ever
changes the schema. The scheduler is its own single process (``politirad scheduler run``).
"""

from __future__ import annotations

import gc
import os

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from gunicorn.app.base import BaseApplication

from engine.config import database_url
from engine.db import make_engine
from migrations import alembic_config
from web.cli import UserError


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="host:port or unix:PATH")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=lambda: min(2 * (os.cpu_count() or 1) + 1, 9),
    show_default="2 × cores + 1, at most 9",
    help="Worker processes.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help="Threads per worker.",
)
@click.option("--timeout", type=click.IntRange(min=5), default=30, show_default=True)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def group(bind: str, workers: int, threads: int, timeout: int, access_log: bool) -> None:
    """Serve the app with gunicorn (run `politirad db upgrade` first)."""
    check_schema(database_url())
    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "timeout": timeout,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "preload_app": False,  # each worker makes its own engine and connection pool
        "proc_name": "politirad",
    }
    click.echo(f"politirad serves at {bind} with {workers} workers × {threads} threads", err=True)
    Server(options).run()


def check_schema(url: str) -> None:
    """Refuse to start on a database that is not at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    if current != head:
        raise UserError(
            f"the database is at revision {current or 'none'}, the code needs {head}: "
            "run `politirad db upgrade` first"
        )


class Server(BaseApplication):
    """gunicorn run from here, with the app built in each worker."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self):
        """Build the app in the worker, then freeze what it holds (modules, the app, the
        workflow definitions) out of the garbage collector's sight: each full collection
        otherwise walks those ~200,000 long-lived objects again, a pause of 100–200 ms
        in the middle of a request."""
        from web.app import create_app

        app = create_app()
        gc.collect()
        gc.freeze()
        return app
