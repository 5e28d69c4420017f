"""One database session per request, on ``g``; the view commits once at its end.

Safe requests (GET, HEAD, OPTIONS) get a read session; the others a write session
(``BEGIN IMMEDIATE`` on SQLite, so concurrent writers queue instead of failing late).

A read session never writes: a flush of changes or an INSERT, UPDATE or DELETE through it
raises ``ReadOnlySession``, whatever the database. On PostgreSQL it also runs without a
transaction of its own, on connections where the server refuses any write
(``default_transaction_read_only``): each statement is its own read-only transaction.
Under PostgreSQL's READ COMMITTED every statement of a transaction takes a snapshot of
its own anyway, so a read sees the same rows either way, and is spared the round trips of
BEGIN and ROLLBACK. SQLite keeps one transaction per request (its snapshot spans it).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request
from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from engine.db import make_engine, session_factory

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SessionMaker = Callable[[bool], Session]
READ_ONLY = "politirad_read_only"


class ReadOnlySession(RuntimeError):
    """A safe request (GET, HEAD, OPTIONS) tried to change the database."""


def default_sessions(engine: Engine) -> SessionMaker:
    write = session_factory(engine, write=True)
    read = session_factory(engine)
    if engine.dialect.name == "postgresql":
        reader = make_engine(
            engine.url.render_as_string(hide_password=False),
            isolation_level="AUTOCOMMIT",
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
        read = sessionmaker(bind=reader, expire_on_commit=False)
        event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
    return lambda writing: write() if writing else read()


def init_app(app: Flask, sessions: SessionMaker) -> None:
    app.extensions["politirad.sessions"] = sessions
    app.teardown_appcontext(_close)


def db() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        writing = request.method not in SAFE_METHODS
        session = current_app.extensions["politirad.sessions"](writing)
        session.info[READ_ONLY] = not writing
        g.db = session
    return g.db


def commit() -> None:
    db().commit()


def _close(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.info.pop(READ_ONLY, None)
        session.close()


@event.listens_for(Session, "before_flush")
def _no_changes_when_reading(session: Session, _context, _instances) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlySession("a safe request (GET, HEAD, OPTIONS) may not change anything")


@event.listens_for(Session, "do_orm_execute")
def _no_writes_when_reading(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise ReadOnlySession("a safe request (GET, HEAD, OPTIONS) may not change anything")
