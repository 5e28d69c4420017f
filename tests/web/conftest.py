"""Fixtures for the command-line tests: a migrated database and a runner bound to it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.databases import fresh_database, migrate
from web.cli import main


@pytest.fixture
def database(db_kind, tmp_path):
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        yield url


@pytest.fixture
def cli(database):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0):
        result = runner.invoke(main, list(args), env={"DATABASE_URL": database}, input=input)
        assert result.exit_code == code, result.output
        return result

    return invoke
