"""Fixtures for the command-line tests: a migrated database and a runner bound to it."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from engine.models import Person
from engine.passwords import hash_password
from tests.databases import fresh_database, migrate
from web.app import create_app
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


# --- the web app on the suite's rolled-back connection -------------------------------

TEST_PASSWORD = "correct horse battery"


@pytest.fixture
def app(engine, session):
    """The app, its requests served by sessions on the test's connection: what a request
    commits is released to a savepoint and rolled back with the test."""
    connection = session.connection()

    def sessions(_writing: bool) -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return create_app({"TESTING": True, "ENGINE": engine, "SESSIONS": sessions, "SECRET_KEY": "t"})


@pytest.fixture
def client(app):
    return app.test_client()


def set_password(session: Session, person: Person, password: str = TEST_PASSWORD) -> None:
    person.password_hash = hash_password(password)
    session.flush()


def csrf_token(client) -> str:
    """The CSRF token of the client's browser session, as a page carries it."""
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "every page carries the CSRF token in a meta tag"
    return match.group(1)


def log_in(client, session: Session, person: Person) -> None:
    """Log ``person`` in through the login form."""
    set_password(session, person)
    response = client.post(
        "/login",
        data={"login": person.login, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client, url: str, data: dict | None = None, **kwargs):
    """A form post with the CSRF token, as the browser sends it."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)
