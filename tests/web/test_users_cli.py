"""``politirad users deactivate|activate LOGIN`` against a real, migrated database."""

from __future__ import annotations

from engine.db import make_engine, session_factory
from engine.services.logins import log_in, resume
from tests.web.test_cli import make_council


def _open_session(database: str, login: str) -> str:
    engine = make_engine(database)
    try:
        with session_factory(engine, write=True)() as session:
            token = log_in(session, login, "hemmelig-passord", address="127.0.0.1").token
            session.commit()
            return token
    finally:
        engine.dispose()


def _live(database: str, token: str) -> bool:
    engine = make_engine(database)
    try:
        with session_factory(engine)() as session:
            return resume(session, token) is not None
    finally:
        engine.dispose()


def test_deactivating_a_user_ends_their_sessions_and_activating_lets_them_back(cli, database):
    make_council(cli, database)
    token = _open_session(database, "leder")
    assert _live(database, token)
    result = cli("users", "deactivate", "leder")
    assert "deactivated leder" in result.output
    assert not _live(database, token)
    cli("users", "activate", "leder")
    assert not _live(database, token)  # the ended session stays ended
    assert _live(database, _open_session(database, "leder"))


def test_deactivating_an_unknown_login_is_one_line_and_exit_1(cli, database):
    result = cli("users", "deactivate", "nobody", code=1)
    assert "no person with login 'nobody'" in result.output
