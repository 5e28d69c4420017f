"""Fixtures for the API: the app on the test's rolled-back connection, tokens made through
the token service, and a client that sends them as ``Authorization: Bearer``."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.calendar import is_working_day, to_oslo
from engine.db import utcnow
from engine.passwords import hash_password
from engine.services.meetings import why_not_meeting_day
from engine.services.tokens import create_token
from web.app import create_app


@pytest.fixture
def app(engine, session):
    """The app, its requests served by sessions on the test's connection."""
    connection = session.connection()

    def sessions(_writing: bool) -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return create_app({"TESTING": True, "ENGINE": engine, "SESSIONS": sessions, "SECRET_KEY": "t"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token(session, world):
    """``token("sec", "write")``: a live token for one of the world's people."""

    def make(key: str, scope: str = "write", **kwargs) -> str:
        person = world.people[key]
        return create_token(
            session, actor=Actor.system(), person=person, name=f"{key} test", scope=scope, **kwargs
        ).secret

    return make


class Api:
    """A client of ``/api/v1`` acting with one token (or none)."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self, headers: dict | None) -> dict:
        result = dict(headers or {})
        if self.secret:
            result["Authorization"] = f"Bearer {self.secret}"
        return result

    def get(self, path: str, **kwargs):
        return self.client.get(
            f"/api/v1{path}", headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def post(self, path: str, json=None, **kwargs):
        headers = self._headers(kwargs.pop("headers", None))
        return self.client.post(f"/api/v1{path}", json=json or {}, headers=headers, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        headers = self._headers(kwargs.pop("headers", None))
        return self.client.patch(f"/api/v1{path}", json=json or {}, headers=headers, **kwargs)

    def fire(self, case: str, trigger: str, *, comment: str = "", data: dict | None = None):
        """Read the case for its ETag, then fire ``trigger`` with it as If-Match."""
        year, seq = case.split("/")
        path = f"/councils/testby/cases/{year}/{seq}"
        current = self.get(path)
        assert current.status_code == 200, current.get_json()
        return self.post(
            f"{path}/transitions/{trigger}",
            json={"comment": comment, "data": data or {}},
            headers={"If-Match": current.headers["ETag"]},
        )


@pytest.fixture
def api(client, token):
    """``api("sec")`` acts with a write token of the secretariat; ``api(None)`` is the public."""

    def make(key: str | None, scope: str = "write") -> Api:
        return Api(client, token(key, scope) if key else None)

    return make


def next_meeting_day(kind: str = "extraordinary", after_days: int = 14):
    """A day from two weeks on that a meeting of ``kind`` may be held on."""
    day = to_oslo(utcnow()).date() + timedelta(days=after_days)
    while not is_working_day(day) or why_not_meeting_day(day, kind) is not None:
        day += timedelta(days=1)
    return day


# --- the browser side, for the token page ------------------------------------------------

PASSWORD = "correct horse battery"


def csrf_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page)[1]


def log_in(client, session: Session, person) -> None:
    """Log ``person`` in through the login form."""
    person.password_hash = hash_password(PASSWORD)
    session.flush()
    response = client.post(
        "/login",
        data={"login": person.login, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client, url: str, data: dict | None = None):
    """A form post with the CSRF token, as the browser sends it."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)})
