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
from tests.databases import KINDS, POSTGRES_ENV, chosen_kinds, migrated_engine

CHROMIUM = "/usr/bin/chromium"


def _left_out() -> dict[str, str]:
    """What this machine cannot run, by what it is (``browser`` or a kind of database), with
    the one line that says so: the browser tests without Debian's chromium, the PostgreSQL
    tests without a server to run them on, and the databases ``TEST_DATABASES`` does not name.
    Under ``CI=true`` nothing is left out for want of a browser or a server: those tests run
    and fail."""
    ci = os.environ.get("CI") == "true"
    kinds = chosen_kinds()
    reasons = {}
    if not ci and not os.path.exists(CHROMIUM):
        reasons["browser"] = (
            f"the browser tests did not run: {CHROMIUM} is missing"
            " (install it as root with apt-get install -y chromium, or run make test as root)"
        )
    if not ci and not os.environ.get(POSTGRES_ENV) and "postgresql" in kinds:
        reasons["postgresql"] = (
            f"the PostgreSQL tests did not run: {POSTGRES_ENV} is not set"
            " (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    for kind in sorted(set(KINDS) - set(kinds)):
        reasons[kind] = f"the {kind} tests did not run: TEST_DATABASES leaves them out"
    return reasons


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reasons = _left_out()
    if not reasons:
        return
    browser_tests = config.rootpath / "tests" / "browser"
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("db_kind") if callspec else None
        browser = "browser" in reasons and item.path.is_relative_to(browser_tests)
        (drop if browser or kind in reasons else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter) -> None:
    for line in _left_out().values():
        terminalreporter.write_line(f"note: {line}", yellow=True, bold=True)


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
