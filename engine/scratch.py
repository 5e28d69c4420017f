"""Scratch databases for the tests and the benchmarks: an empty SQLite file, or a new
PostgreSQL database made through an administrator's URL and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from engine.db import make_engine


class DatabaseUnavailable(RuntimeError):
    """The PostgreSQL server did not let us create a database."""


@contextmanager
def empty_database(kind: str, directory: Path, admin_url: str | None = None) -> Iterator[str]:
    """An empty SQLite file in ``directory``, or a new PostgreSQL database made through
    ``admin_url`` and dropped afterwards; yields its URL."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex}.sqlite3'}"
        return
    if admin_url is None:
        raise DatabaseUnavailable("no PostgreSQL URL to create a database through")
    admin_url = make_url(admin_url)
    name = f"politirad_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url.render_as_string(False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        raise DatabaseUnavailable(
            f"PostgreSQL at {admin_url.render_as_string()} does not answer: {exc}"
        ) from exc
    try:
        yield admin_url.set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
