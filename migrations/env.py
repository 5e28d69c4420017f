"""Alembic environment: runs against the URL the CLI or the tests configured.

On SQLite, foreign keys are switched off before the migration transaction begins, so a
batch table rebuild cannot cascade-delete (or set to NULL) the rows that point at the table.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import engine.models  # noqa: F401  (registers every table on the metadata)
from engine.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _foreign_keys(connection, on=False)
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                _foreign_keys(connection, on=True)
    finally:
        engine.dispose()


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign keys on the driver's connection, outside any transaction: inside
    one the pragma does nothing, and a statement through ``connection`` would begin one (the
    engine's ``begin`` hook)."""
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `politirad db upgrade`")
run_migrations_online()
