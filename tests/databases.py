"""Test databases: a fresh SQLite file or a fresh PostgreSQL database, migrated to head."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, make_url, text

from engine.db import make_engine
from migrations import alembic_config

POSTGRES_ENV = "TEST_POSTGRES_URL"
KINDS = ("sqlite", "postgresql")


def postgres_admin_url() -> str:
    """The PostgreSQL URL the suite must use; in CI a missing one fails instead of skipping."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set; CI must run the suite on PostgreSQL")
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return url


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """Create an empty database of ``kind`` and drop it afterwards; yields its URL."""
    if kind == "sqlite":
        with empty_database(kind, directory) as url:
            yield url
        return
    try:
        with empty_database(kind, directory, postgres_admin_url()) as url:
            yield url
    except DatabaseUnavailable as exc:
        pytest.fail(str(exc))


class DatabaseUnavailable(RuntimeError):
    pass


@contextmanager
def empty_database(kind: str, directory: Path, admin_url: str | None = None) -> Iterator[str]:
    """An empty SQLite file in ``directory``, or a new PostgreSQL database made through
    ``admin_url`` and dropped afterwards (also used by the benchmarks)."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex}.sqlite3'}"
        return
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


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


@contextmanager
def migrated_engine(kind: str, directory: Path) -> Iterator[Engine]:
    with fresh_database(kind, directory) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
