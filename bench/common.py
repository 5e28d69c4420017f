"""What the benchmarks share: a fresh database of each kind and a way to print figures."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url

from engine.scratch import empty_database
from migrations import upgrade as migrate

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgresql", "both"],
        default="both",
        help="which database to measure (default both)",
    )
    return parser


def kinds(choice: str) -> list[str]:
    return ["sqlite", "postgresql"] if choice == "both" else [choice]


@contextmanager
def migrated(kind: str) -> Iterator[str]:
    """A new, migrated database of ``kind``; yields its SQLAlchemy URL."""
    admin = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    with tempfile.TemporaryDirectory() as folder, empty_database(kind, Path(folder), admin) as url:
        migrate(url)
        yield url


def driver_url(url: str) -> str:
    """The URL for the raw driver (plain sqlite3 path or libpq conninfo)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database
    return parsed.set(drivername="postgresql").render_as_string(False)
