"""Fixtures shared by the whole suite.

Every database test runs twice, on SQLite and on PostgreSQL (``TEST_POSTGRES_URL``),
each inside a transaction that is rolled back, so code under test may commit and
still leaves nothing behind. Every test lives by a clock it controls (``clock``), never
by the machine's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine.clock import use_clock
from engine.db import WRITE_OPTION
from engine.seeding import World, make_world
from tests.clock import TestClock
from tests.databases import KINDS, migrated_engine


@pytest.fixture(autouse=True)
def clock() -> Iterator[TestClock]:
    """The test's clock: it stands at ``tests.clock.NOW`` until the test moves it, and every
    ``utcnow()`` in the engine, the pages and the command line asks it."""
    clock = TestClock()
    with use_clock(clock):
        yield clock


@pytest.fixture(scope="session", autouse=True)
def document_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Document files go to a temporary store, never to the working directory's instance."""
    before = os.environ.get("POLITIRAD_DOCUMENTS")
    os.environ["POLITIRAD_DOCUMENTS"] = str(tmp_path_factory.mktemp("documents"))
    yield
    if before is None:
        os.environ.pop("POLITIRAD_DOCUMENTS", None)
    else:
        os.environ["POLITIRAD_DOCUMENTS"] = before


@pytest.fixture(scope="session", params=KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def engine(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with migrated_engine(db_kind, tmp_path_factory.mktemp(db_kind)) as engine:
        yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect().execution_options(**{WRITE_OPTION: True})
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def world(session: Session) -> World:
    """A council with one person in each seat (see ``engine.seeding``)."""
    return make_world(session)
