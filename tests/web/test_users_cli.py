"""``politirad users create|deactivate|activate|password|reset`` against a real, migrated
database."""

from __future__ import annotations

import re

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


# --- seats, clearance and the grants that wait for a second person ---------------------------

CLEARED_DEPUTY = ("users", "create", "pm2", "--name", "Pm2", "--party", "police")
PASSWORDS = "hemmelig-passord\nhemmelig-passord\n"


def _grant_id(output: str) -> str:
    found = re.search(r"grant #(\d+) waits for approval", output)
    assert found, output
    return found.group(1)


def test_the_operator_gives_a_seat_and_its_clearance_at_once(cli, database):
    make_council(cli, database)
    result = cli(
        "users", "seat", "gjest", "--council", "oslo", "--party", "municipality",
        "--role", "member", "--cleared",
    )  # fmt: skip
    assert "gjest sits in oslo as member (municipality, cleared)" in result.output
    assert "nothing waits for approval" in cli("users", "grants").output


def test_clearance_asked_for_on_the_command_line_waits_until_another_cleared_person_approves(
    cli, database
):
    make_council(cli, database)
    cli(*CLEARED_DEPUTY, "--role", "deputy", "--cleared", input=PASSWORDS)
    asked = cli("users", "clear", "gjest", "--council", "oslo", "--as", "sek")
    grant = _grant_id(asked.output)
    assert "clearance for restricted items for gjest" in asked.output
    listed = cli("users", "grants", "--council", "oslo").output
    assert (
        f"#{grant} pending oslo gjest: clearance for restricted items, asked for by sek" in listed
    )

    own = cli("users", "approve", grant, "--as", "sek", code=1)
    assert "you asked for it yourself" in own.output
    uncleared = cli("users", "approve", grant, "--as", "leder", code=1)
    assert "only a cleared member" in uncleared.output
    approved = cli("users", "approve", grant, "--as", "pm2")
    assert f"#{grant} approved oslo gjest" in approved.output
    cli("users", "refuse", grant, "--as", "pm", code=1)  # decided already


def test_a_seat_with_power_asked_for_by_a_person_waits_and_can_be_withdrawn(cli, database):
    make_council(cli, database)
    asked = cli(
        "users", "seat", "gjest", "--council", "oslo", "--party", "municipality",
        "--role", "secretariat", "--as", "sek",
    )  # fmt: skip
    grant = _grant_id(asked.output)
    assert "a seat as secretariat (the municipality)" in asked.output
    assert (
        "only the person who asked" in cli("users", "withdraw", grant, "--as", "pm", code=1).output
    )
    assert f"#{grant} withdrawn" in cli("users", "withdraw", grant, "--as", "sek").output
    self_asked = cli(
        "users", "seat", "sek", "--council", "oslo", "--party", "municipality",
        "--role", "leader", "--as", "sek", code=1,
    )  # fmt: skip
    assert "for themselves" in self_asked.output


def test_only_the_operator_names_an_installation_administrator_who_then_changes_a_name(
    cli, database
):
    make_council(cli, database)
    refused = cli("users", "update", "gjest", "--name", "Ny", "--as", "sek", code=1)
    assert "only an installation administrator" in refused.output
    assert (
        "leder is an installation administrator" in cli("users", "admin", "leder", "--grant").output
    )
    assert (
        "updated gjest" in cli("users", "update", "gjest", "--name", "Ny", "--as", "leder").output
    )
    cli("users", "admin", "leder", "--revoke")
    cli("users", "update", "gjest", "--name", "Igjen", "--as", "leder", code=1)


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
