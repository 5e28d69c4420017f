"""What the benchmarks share: their command line, a fresh database of each kind, the clock
they run by, and a way to print figures."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from engine.calendar import parse_moment
from engine.clock import use_clock
from engine.scratch import empty_database
from migrations import upgrade as migrate

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def moment(value: str) -> datetime:
    """``--now`` as an aware UTC time; a time without offset is read as Europe/Oslo, as the
    command line reads it."""
    try:
        return parse_moment(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a time like 2026-03-02T10:00") from None


def arguments(description: str, *, db: str = "both") -> argparse.ArgumentParser:
    """The options every benchmark takes (``db``: the default of ``--db``); each adds its own
    size options to this parser."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgresql", "both"],
        default=db,
        help=f"which database to measure (default {db})",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds at a few hundred rows: checks that the benchmark still runs "
        "(the figures mean little); size options given as well still count",
    )
    parser.add_argument(
        "--now",
        type=moment,
        help="run as of this moment (ISO 8601, Oslo time unless an offset is given): the "
        "engine's clock stands there; default the machine's clock",
    )
    return parser


def parse(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, smoke: dict[str, Any]
) -> argparse.Namespace:
    """Parse ``argv``; with ``--smoke`` the defaults become ``smoke``'s sizes."""
    args = parser.parse_args(argv)
    if args.smoke:
        parser.set_defaults(**smoke)
        args = parser.parse_args(argv)
    return args


def as_of(now: datetime | None):
    """A context in which the engine's clock stands at ``now`` (none: the machine's clock)."""
    return nullcontext() if now is None else use_clock(lambda: now)


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
