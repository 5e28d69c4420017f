"""One database session per request, on ``g``; the view commits once at its end.

Safe requests (GET, HEAD, OPTIONS) get a read session; the others a write session
(``BEGIN IMMEDIATE`` on SQLite, so concurrent writers queue instead of failing late).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine.db import session_factory

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SessionMaker = Callable[[bool], Session]


def default_sessions(engine: Engine) -> SessionMaker:
    read = session_factory(engine)
    write = session_factory(engine, write=True)
    return lambda writing: write() if writing else read()


def init_app(app: Flask, sessions: SessionMaker) -> None:
    app.extensions["politirad.sessions"] = sessions
    app.teardown_appcontext(_close)


def db() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        writing = request.method not in SAFE_METHODS
        g.db = current_app.extensions["politirad.sessions"](writing)
    return g.db


def commit() -> None:
    db().commit()


def _close(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
