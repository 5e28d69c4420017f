"""Accounts in the engine: the login throttle, session lifetimes, password changes, reset
links by e-mail, and what administrators may do."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from engine.actors import Actor, actor_for
from engine.errors import NotFound, PermissionDenied, ValidationError
from engine.models import InboxMessage, LoginFailure, OutboxMessage, PasswordReset
from engine.notifications import deliver_outbox
from engine.passwords import PasswordRefused, hash_password, verify_password
from engine.services import accounts, logins
from engine.services.accounts import (
    change_password,
    open_reset,
    request_reset,
    reset_password,
    send_requested_links,
    send_reset_link,
    set_one_time_password,
    set_password,
)
from tests.engine.test_notifications import SENDER, mailer, smtp  # noqa: F401

PASSWORD = "et langt og riktig passord"
NEW = "blåbærsyltetøy på søndag"
HOME, ELSEWHERE = "192.0.2.10", "198.51.100.7"


@pytest.fixture
def kari(session, world):
    person = world.people["kmember"]
    person.password_hash = hash_password(PASSWORD)
    person.email = "kari@oslo.kommune.no"
    session.flush()
    return person


def log_in(session, person, password=PASSWORD, address=HOME) -> logins.Login:
    return logins.log_in(session, person.login, password, address=address)


def fail(session, login, address, times=1):
    """Try a wrong password; past the free tries the throttle refuses before checking it."""
    for _ in range(times):
        with pytest.raises((logins.BadCredentials, logins.TooManyAttempts)):
            logins.log_in(session, login, "et helt feil passord", address=address)


def live(session, token) -> bool:
    return logins.resume(session, token) is not None


# --- the throttle ----------------------------------------------------------------------------


def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(session, kari):
    fail(session, kari.login, ELSEWHERE, times=5)
    with pytest.raises(logins.TooManyAttempts):
        log_in(session, kari, address=ELSEWHERE)  # the guesser waits, even with the password
    assert live(session, log_in(session, kari, address=HOME).token)


def test_a_guesser_waits_longer_after_each_failure_up_to_a_quarter_of_an_hour(session, kari, clock):
    fail(session, kari.login, ELSEWHERE, times=2)  # two free tries
    waits = []
    for _ in range(8):
        fail(session, kari.login, ELSEWHERE)
        with pytest.raises(logins.TooManyAttempts) as refused:
            log_in(session, kari, address=ELSEWHERE)
        waits.append(refused.value.retry_after)
        assert refused.value.retry_at == clock() + timedelta(seconds=refused.value.retry_after)
        clock.advance(timedelta(seconds=refused.value.retry_after))
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


def test_the_owners_success_clears_only_their_own_address(session, kari):
    fail(session, kari.login, HOME, times=2)
    fail(session, kari.login, ELSEWHERE, times=2)
    log_in(session, kari, address=HOME)
    left = session.scalars(select(LoginFailure.address).where(LoginFailure.login == kari.login))
    assert sorted(left) == [ELSEWHERE, ELSEWHERE]


def test_one_address_trying_many_logins_waits_for_all_of_them(session, kari, world, clock):
    for n in range(logins.ADDRESS_CEILING):
        fail(session, f"gjetning{n}", ELSEWHERE)
    with pytest.raises(logins.TooManyAttempts) as refused:
        log_in(session, kari, address=ELSEWHERE)
    assert refused.value.retry_after == logins.ADDRESS_WINDOW.total_seconds()
    assert live(session, log_in(session, kari, address=HOME).token)


def test_guessing_from_many_addresses_slows_strangers_but_not_the_owner_where_they_log_in(
    session, kari, clock
):
    log_in(session, kari, address=HOME)  # the place the owner logs in from
    clock.advance(timedelta(days=1))
    for n in range(logins.LOGIN_CEILING):  # what a hundred failed posts leave behind
        logins.record_failure(session, kari.login, f"203.0.113.{n}", now=clock())
    with pytest.raises(logins.TooManyAttempts):
        log_in(session, kari, address="203.0.113.250")  # a new address, right password
    assert live(session, log_in(session, kari, address=HOME).token)
    clock.advance(logins.LOGIN_WINDOW)
    assert live(session, log_in(session, kari, address="203.0.113.250").token)


def test_an_unknown_login_is_throttled_like_a_known_one(session):
    fail(session, "finnes-ikke", ELSEWHERE, times=3)
    with pytest.raises(logins.TooManyAttempts):
        logins.log_in(session, "finnes-ikke", "hva som helst her", address=ELSEWHERE)


# --- sessions --------------------------------------------------------------------------------


def test_a_session_ends_after_its_absolute_lifetime_however_active(session, kari, clock):
    token = log_in(session, kari).token
    for _ in range(28):
        clock.advance(timedelta(minutes=25))
        assert live(session, token)
        logins.touch(session, token)
    clock.advance(timedelta(minutes=25))  # never idle for long, but 12 h 5 min old
    assert not live(session, token)


def test_an_idle_session_ends_after_the_idle_limit(session, kari, clock):
    token = log_in(session, kari).token
    clock.advance(logins.IDLE_LIMIT + timedelta(seconds=1))
    assert not live(session, token)


def test_a_person_ends_one_of_their_sessions_but_not_another_persons(session, kari, world):
    mine, other = log_in(session, kari), log_in(session, kari)
    leader = world.people["leader"]
    leader.password_hash = hash_password(PASSWORD)
    theirs = log_in(session, leader)
    rows = logins.live_sessions(session, kari)
    assert {r.token_hash for r in rows} == {logins.token_hash(t.token) for t in (mine, other)}
    with pytest.raises(NotFound):
        logins.end_session(
            session, actor=actor_for(kari), session_hash=logins.token_hash(theirs.token)
        )
    logins.end_session(session, actor=actor_for(kari), session_hash=logins.token_hash(other.token))
    assert live(session, mine.token) and not live(session, other.token)
    assert live(session, theirs.token)


# --- the person's own change ---------------------------------------------------------------


def test_a_change_needs_the_current_password_and_ends_the_other_sessions(session, kari):
    here, there = log_in(session, kari), log_in(session, kari, address=ELSEWHERE)
    with pytest.raises(accounts.WrongPassword):
        change_password(
            session,
            actor=actor_for(kari),
            person=kari,
            old_password="ikke det riktige passordet",
            new_password=NEW,
            address=HOME,
        )
    change_password(
        session,
        actor=actor_for(kari),
        person=kari,
        old_password=PASSWORD,
        new_password=NEW,
        address=HOME,
        keep=here.token,
    )
    assert verify_password(kari.password_hash, NEW)
    assert live(session, here.token) and not live(session, there.token)


def test_guessing_the_current_password_on_the_change_form_is_throttled(session, kari):
    token = log_in(session, kari).token
    for _ in range(3):
        with pytest.raises(accounts.WrongPassword):
            change_password(
                session,
                actor=actor_for(kari),
                person=kari,
                old_password="gjetter på passordet",
                new_password=NEW,
                address=HOME,
                keep=token,
            )
    with pytest.raises(logins.TooManyAttempts):
        change_password(
            session,
            actor=actor_for(kari),
            person=kari,
            old_password=PASSWORD,
            new_password=NEW,
            address=HOME,
            keep=token,
        )


def test_no_one_changes_another_persons_password_with_the_change_form(session, kari, world):
    with pytest.raises(PermissionDenied):
        change_password(
            session,
            actor=world.actor("sec"),
            person=kari,
            old_password=PASSWORD,
            new_password=NEW,
            address=HOME,
        )


def test_the_new_password_meets_the_rules_with_the_council_among_the_words(session, kari, world):
    with pytest.raises(PasswordRefused) as refused:
        change_password(
            session,
            actor=actor_for(kari),
            person=kari,
            old_password=PASSWORD,
            new_password=f"{world.council.name} 2026",
            address=HOME,
        )
    assert refused.value.code == "password is council"


# --- reset links -----------------------------------------------------------------------------


def statements_of(session, action) -> list[str]:
    seen: list[str] = []
    connection = session.connection()

    def record(_conn, _cursor, statement, _parameters, _context, _many):
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        action()
        session.flush()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return seen


def test_asking_for_a_link_does_the_same_work_for_a_known_and_an_unknown_name(session, kari):
    known = statements_of(session, lambda: request_reset(session, kari.email, address=HOME))
    unknown = statements_of(
        session, lambda: request_reset(session, "ingen@example.no", address=ELSEWHERE)
    )
    assert known == unknown and len(known) == 2


def deliver(session, port) -> None:
    deliver_outbox(session, mailer=mailer(port))


def link_in(mail) -> str:
    return re.search(r"/password/reset/(\S+)", mail.get_content()).group(1)


def test_a_reset_link_is_sent_by_e_mail_and_kept_only_as_a_hash(session, kari, smtp):  # noqa: F811
    mailbox, port = smtp
    request_reset(session, "  KARI@oslo.kommune.no ", address=HOME)
    assert send_requested_links(session) == 1
    deliver(session, port)
    (mail,) = mailbox.messages
    assert mail["To"] == kari.email and mail["From"] == SENDER
    token = link_in(mail)
    reset = session.scalars(select(PasswordReset)).one()
    assert reset.person_id == kari.id and reset.asked_for is None
    assert reset.token_hash == accounts.hash_of(token)
    stored = [m.body for m in session.scalars(select(OutboxMessage))]
    stored += [m.body for m in session.scalars(select(InboxMessage))]
    assert stored and not any(token in body for body in stored)
    assert open_reset(session, token).person is kari


def test_a_reset_link_works_once_and_ends_every_other_session(session, kari, smtp):  # noqa: F811
    mailbox, port = smtp
    old = log_in(session, kari)
    request_reset(session, kari.login, address=HOME)
    send_requested_links(session)
    deliver(session, port)
    token = link_in(mailbox.messages[0])
    fresh = reset_password(session, token, NEW, address=HOME)
    assert verify_password(kari.password_hash, NEW)
    assert live(session, fresh.token) and not live(session, old.token)
    with pytest.raises(NotFound):
        reset_password(session, token, "et tredje langt passord", address=HOME)


def test_a_reset_link_expires_after_an_hour(session, kari, smtp, clock):  # noqa: F811
    mailbox, port = smtp
    request_reset(session, kari.login, address=HOME)
    send_requested_links(session)
    deliver(session, port)
    clock.advance(accounts.RESET_VALID)
    with pytest.raises(NotFound):
        reset_password(session, link_in(mailbox.messages[0]), NEW, address=HOME)


def test_a_newer_link_or_a_new_password_voids_the_older_link(session, kari, smtp, clock):  # noqa: F811
    mailbox, port = smtp
    for _ in range(2):
        request_reset(session, kari.login, address=HOME)
        send_requested_links(session)
        deliver(session, port)
    first, second = (link_in(m) for m in mailbox.messages)
    with pytest.raises(NotFound):
        open_reset(session, first)
    set_password(session, actor=Actor.system(), person=kari, password=NEW)
    with pytest.raises(NotFound):
        open_reset(session, second)


def test_a_request_for_an_unknown_name_sends_nothing_and_forgets_what_was_typed(session, kari):
    request_reset(session, "ukjent@example.no", address=HOME)
    assert send_requested_links(session) == 0
    reset = session.scalars(select(PasswordReset)).one()
    assert reset.person_id is None and reset.asked_for is None
    assert session.scalars(select(OutboxMessage)).first() is None


def test_a_flood_of_requests_for_one_name_sends_three_links_an_hour(session, kari, clock):
    for _ in range(6):
        request_reset(session, kari.login, address=ELSEWHERE)
    assert send_requested_links(session) == accounts.REQUESTS_PER_PAIR
    clock.advance(accounts.REQUEST_WINDOW)
    request_reset(session, kari.login, address=ELSEWHERE)
    assert send_requested_links(session) == 1


def test_a_request_the_scheduler_reaches_too_late_lapses(session, kari, clock):
    request_reset(session, kari.login, address=HOME)
    clock.advance(accounts.RESET_VALID + timedelta(minutes=1))
    assert send_requested_links(session) == 0


# --- administrators and the operator -----------------------------------------------------------


def test_a_one_time_password_ends_the_sessions_and_must_be_changed(session, kari, world):
    token = log_in(session, kari).token
    issued = set_one_time_password(session, actor=world.actor("sec"), person=kari)
    assert not live(session, token)
    assert kari.must_change_password and verify_password(kari.password_hash, issued.password)
    change_password(
        session,
        actor=actor_for(kari),
        person=kari,
        old_password=issued.password,
        new_password=NEW,
        address=HOME,
    )
    assert not kari.must_change_password


def test_an_uncleared_secretariat_cannot_give_a_cleared_member_a_one_time_password(session, world):
    cleared = world.people["pmember"]
    assert any(m.cleared for m in cleared.memberships)
    uncleared = world.people["sec"]
    for seat in uncleared.memberships:
        seat.cleared = False
    session.flush()
    with pytest.raises(PermissionDenied):
        set_one_time_password(session, actor=actor_for(uncleared), person=cleared)
    cleared.email = "pmember@politiet.no"  # the link goes to the person's own address
    send_reset_link(session, actor=actor_for(uncleared), person=cleared)
    assert cleared.must_change_password


def test_an_administrator_resets_no_one_outside_their_council(session, world, kari):
    from engine.seeding import make_world

    bergen = make_world(session, "bergen")
    with pytest.raises(PermissionDenied):
        set_one_time_password(session, actor=bergen.actor("sec"), person=kari)
    with pytest.raises(PermissionDenied):
        send_reset_link(session, actor=bergen.actor("sec"), person=kari)


def test_an_administrator_resets_their_own_password_with_the_change_form(session, world):
    with pytest.raises(ValidationError):
        set_one_time_password(session, actor=world.actor("sec"), person=world.people["sec"])


def test_only_the_operator_sets_a_password_directly(session, world, kari):
    with pytest.raises(PermissionDenied):
        set_password(session, actor=world.actor("sec"), person=kari, password=NEW)
    with pytest.raises(PasswordRefused):
        set_password(session, actor=Actor.system(), person=kari, password="1234567890")
