"""Test databases: a fresh SQLite file or a fresh PostgreSQL database, migrated to head."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from engine.db import make_engine
from engine.scratch import DatabaseUnavailable, empty_database
from migrations import upgrade as migrate

POSTGRES_ENV = "TEST_POSTGRES_URL"
KINDS = ("sqlite", "postgresql")
KINDS_ENV = "TEST_DATABASES"
"""Comma-separated kinds to run the database tests on (default both); the any-day run
under faketime chooses ``sqlite``, since the PostgreSQL server's clock is not moved."""

__all__ = [
    "KINDS",
    "chosen_kinds",
    "fresh_database",
    "migrate",
    "migrated_engine",
    "postgres_admin_url",
]


def chosen_kinds() -> tuple[str, ...]:
    """The kinds of database ``TEST_DATABASES`` names, in the suite's order."""
    named = {kind.strip() for kind in os.environ.get(KINDS_ENV, ",".join(KINDS)).split(",")}
    unknown = named - set(KINDS) - {""}
    if unknown:
        raise pytest.UsageError(f"{KINDS_ENV} names unknown databases: {', '.join(unknown)}")
    return tuple(kind for kind in KINDS if kind in named)


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


@contextmanager
def migrated_engine(kind: str, directory: Path) -> Iterator[Engine]:
    with fresh_database(kind, directory) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
