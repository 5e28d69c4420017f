"""``politirad users create|deactivate|activate|password|reset`` against a real, migrated
database."""

from __future__ import annotations

from engine.db import make_engine, session_factory
from engine.services.logins import log_in, resume
from tests.web.test_cli import make_council


def _open_session(database: str, login: str, password: str = "hemmelig-passord") -> str:
    engine = make_engine(database)
    try:
        with session_factory(engine, write=True)() as session:
            token = log_in(session, login, password, address="127.0.0.1").token
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


def _person(database: str, login: str):
    from sqlalchemy import select

    from engine.models import Person

    engine = make_engine(database)
    try:
        with session_factory(engine)() as session:
            return session.scalars(select(Person).where(Person.login == login)).one()
    finally:
        engine.dispose()


def test_a_person_created_on_the_command_line_chooses_a_new_password_at_first_login(cli, database):
    make_council(cli, database)
    assert _person(database, "leder").must_change_password


def test_the_command_line_refuses_a_short_or_common_password_in_one_line(cli, database):
    result = cli(
        "users", "create", "kari", "--name", "Kari",
        input="1234567890\n1234567890\n", code=1,
    )  # fmt: skip
    assert "error: a password needs at least 12 characters" in result.output
    result = cli(
        "users", "create", "kari", "--name", "Kari",
        input="qwertyuiopasdfgh\nqwertyuiopasdfgh\n", code=1,
    )  # fmt: skip
    assert "among the most common" in result.output


def test_the_operator_sets_a_password_and_every_session_of_the_person_ends(cli, database):
    from engine.passwords import verify_password

    make_council(cli, database)
    token = _open_session(database, "leder")
    result = cli("users", "password", "leder", input="et nytt langt passord\n" * 2)
    assert "set the password of leder" in result.output
    assert not _live(database, token)
    assert verify_password(_person(database, "leder").password_hash, "et nytt langt passord")
    assert "error:" in cli("users", "password", "leder", input="leder-leder\n" * 2, code=1).output


def test_the_operator_resets_a_password_to_a_one_time_one_printed_once(cli, database):
    from engine.passwords import verify_password

    make_council(cli, database)
    cli("users", "password", "leder", input="et nytt langt passord\n" * 2)
    token = _open_session(database, "leder", "et nytt langt passord")
    result = cli("users", "reset", "leder")
    one_time = result.stdout.strip()
    leader = _person(database, "leder")
    assert verify_password(leader.password_hash, one_time) and leader.must_change_password
    assert not _live(database, token)


def test_the_operator_sends_a_reset_link_to_a_person_with_e_mail_only(cli, database):
    make_council(cli, database)
    assert "no e-mail address" in cli("users", "reset", "leder", "--link", code=1).output
