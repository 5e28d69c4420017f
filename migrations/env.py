"""Alembic environment: runs against the URL the CLI or the tests configured.

On SQLite, foreign keys are switched off outside any transaction before the migration
transaction, so a batch table rebuild cannot cascade-delete or refuse child rows.
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


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign keys; off while migrating, or rebuilding a table in batch mode
    (DROP TABLE) deletes or refuses every row that refers to it.

    SQLite ignores the pragma inside a transaction, and a statement through SQLAlchemy
    begins one first (the engine's ``begin`` hook), so it goes to the driver's connection
    directly, which runs it outside any transaction.
    """
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


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
                _sqlite_foreign_keys(connection, on=False)
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                connection.commit()
                _sqlite_foreign_keys(connection, on=True)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `politirad db upgrade`")
run_migrations_online()
