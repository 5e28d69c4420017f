"""Attacks on accounts, tried through the pages as an attacker would: guessing passwords,
telling which logins exist, locking the owner out, taking over a reset, outliving a
session. Kept beside the authorisation matrix; the engine's side is in
``tests/engine/test_account_services.py``."""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import event, select

from engine.models import InboxMessage, LoginSession, OutboxMessage, PasswordReset
from engine.notifications import deliver_outbox
from engine.passwords import verify_password
from engine.services.accounts import send_requested_links
from tests.engine.test_notifications import mailer, smtp  # noqa: F401
from tests.web.conftest import TEST_PASSWORD, log_in, post, set_password

ATTACKER = {"environ_base": {"REMOTE_ADDR": "203.0.113.66"}}
OWNER = {"environ_base": {"REMOTE_ADDR": "192.0.2.10"}}
NEW = "blåbærsyltetøy på søndag"


def without_csrf(response) -> str:
    """The page without its CSRF tokens, which are signed anew at every rendering."""
    return re.sub(r'(csrf-token" content|name="csrf_token" value)="[^"]+"', "", response.text)


def attempt(client, login, password, where=ATTACKER):
    return post(client, "/login", {"login": login, "password": password}, **where)


def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(client, session, world):
    leader = world.people["leader"]
    set_password(session, leader)
    attacker = client.application.test_client()
    answers = [
        attempt(attacker, leader.login, f"gjetning nummer {n}").status_code for n in range(5)
    ]
    assert answers == [401, 401, 401, 429, 429]
    assert attempt(attacker, leader.login, TEST_PASSWORD).status_code == 429
    assert attempt(client, leader.login, TEST_PASSWORD, OWNER).status_code == 302


def test_a_429_says_when_to_try_again_in_its_header_and_in_norwegian(client, session, world):
    leader = world.people["leader"]
    set_password(session, leader)
    for n in range(3):
        attempt(client, leader.login, f"gjetning nummer {n}")
    refused = attempt(client, leader.login, "gjetning nummer 4")
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 0 < seconds <= 30
    assert re.search(
        r"Prøv igjen om \d+ sekunder \(kl\. \d\d:\d\d\)", refused.get_data(as_text=True)
    )


def test_an_unknown_login_costs_the_same_argon2_work_as_a_wrong_password(
    client, session, world, monkeypatch
):
    leader = world.people["leader"]
    set_password(session, leader)
    checked: list[str] = []
    real = PasswordHasher.verify

    def counting(self, stored, password):
        checked.append(stored)
        return real(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    wrong = attempt(client, leader.login, "et feil men langt passord")
    wrong_work = list(checked)
    checked.clear()
    unknown = attempt(client, "finnes-ikke", "et feil men langt passord", OWNER)
    assert wrong.status_code == unknown.status_code == 401
    assert without_csrf(wrong) == without_csrf(unknown)
    assert len(wrong_work) == len(checked) == 1
    assert extract_parameters(wrong_work[0]) == extract_parameters(checked[0])


def test_the_forgotten_password_form_answers_the_same_with_the_same_work_for_anyone(
    client, session, world, engine
):
    kari = world.people["kmember"]
    kari.email = "kari@oslo.kommune.no"
    session.flush()
    answers, work = [], []
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    for asked_for, where in (("kari@oslo.kommune.no", OWNER), ("ingen@example.no", ATTACKER)):
        seen.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            answers.append(post(client, "/password/forgot", {"login": asked_for}, **where))
        finally:
            event.remove(engine, "before_cursor_execute", record)
        work.append([s for s in seen if "password_reset" in s or "person" in s])
    known, unknown = answers
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known) == without_csrf(unknown)
    assert "Hvis vi kjenner adressen, har vi sendt en lenke." in known.get_data(as_text=True)
    assert work[0] == work[1] and work[0]


def reset_mail(client, session, person, smtp):  # noqa: F811
    mailbox, port = smtp
    post(client, "/password/forgot", {"login": person.login}, **OWNER)
    send_requested_links(session)
    deliver_outbox(session, mailer=mailer(port))
    return mailbox.messages[-1].get_content()


def test_a_reset_link_works_once_and_ends_every_other_session(
    client,
    session,
    world,
    smtp,  # noqa: F811
):
    kari = world.people["kmember"]
    kari.email = "kari@oslo.kommune.no"
    stolen = client.application.test_client()
    log_in(stolen, session, kari)  # someone else's browser, logged in as Kari
    path = re.search(
        r"https?://[^/]+(/password/reset/\S+)", reset_mail(client, session, kari, smtp)
    )
    done = post(client, path.group(1), {"new_password": NEW, "confirm_password": NEW})
    assert done.status_code == 302
    assert kari.display_name not in stolen.get("/public/").get_data(as_text=True)
    again = post(
        client.application.test_client(),
        path.group(1),
        {"new_password": "et annet langt passord", "confirm_password": "et annet langt passord"},
    )
    assert again.status_code == 404
    session.refresh(kari)
    assert verify_password(kari.password_hash, NEW)


def test_the_reset_token_is_nowhere_in_the_database_but_as_its_hash(
    client,
    session,
    world,
    smtp,  # noqa: F811
):
    kari = world.people["kmember"]
    kari.email = "kari@oslo.kommune.no"
    set_password(session, kari)
    mail = reset_mail(client, session, kari, smtp)
    token = re.search(r"/password/reset/(\S+)", mail).group(1)
    stored = [m.body + str(m.payload) for m in session.scalars(select(OutboxMessage))]
    stored += [m.body for m in session.scalars(select(InboxMessage))]
    stored += [str(vars(r)) for r in session.scalars(select(PasswordReset))]
    assert stored and not any(token in text for text in stored)


def test_a_flood_of_reset_requests_does_not_flood_the_owners_mailbox(
    client,
    session,
    world,
    clock,
    smtp,  # noqa: F811
):
    mailbox, port = smtp
    kari = world.people["kmember"]
    kari.email = "kari@oslo.kommune.no"
    session.flush()
    for _ in range(20):  # one request a minute, each met by the scheduler's tick
        post(client, "/password/forgot", {"login": kari.email}, **ATTACKER)
        send_requested_links(session)
        deliver_outbox(session, mailer=mailer(port))
        clock.advance(timedelta(minutes=1))
    assert len(mailbox.messages) == 3


def test_a_common_password_is_refused_with_a_norwegian_message(
    client,
    session,
    world,
    smtp,  # noqa: F811
):
    kari = world.people["kmember"]
    kari.email = "kari@oslo.kommune.no"
    path = re.search(
        r"https?://[^/]+(/password/reset/\S+)", reset_mail(client, session, kari, smtp)
    )
    common = "iloveyouiloveyou"
    refused = post(client, path.group(1), {"new_password": common, "confirm_password": common})
    assert refused.status_code == 422
    assert "Dette er et av de vanligste passordene" in refused.get_data(as_text=True)


def test_ten_digits_are_refused_as_a_first_password(client, session, world):
    log_in(client, session, world.people["sec"])
    refused = post(
        client,
        "/testby/admin/people",
        {
            "display_name": "Kari Nordmann",
            "login": "kari",
            "password": "1234567890",
            "party": "police",
            "role": "member",
            "valid_from": "2026-01-01",
        },
    )
    assert refused.status_code == 422
    assert "Passordet må ha minst 12 tegn." in refused.get_data(as_text=True)


def browse(client, session, clock, path="/me/sessions"):
    """A request, and the activity it records. The page records it in a transaction of its
    own, which this harness rolls back with the request's, so it is recorded here again."""
    response = client.get(path)
    for row in session.scalars(select(LoginSession).where(LoginSession.ended_at.is_(None))):
        row.last_seen_at = clock()
    session.flush()
    return response


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, session, world, clock):
    log_in(client, session, world.people["kmember"])
    for _ in range(28):  # a request every 25 minutes, for 11 h 40 min
        assert browse(client, session, clock).status_code == 200
        clock.advance(timedelta(minutes=25))
    assert browse(client, session, clock).status_code == 200
    clock.advance(timedelta(minutes=21))
    assert browse(client, session, clock).headers["Location"].startswith("/login")


def test_the_absolute_lifetime_is_configurable(app, client, session, world, clock):
    app.config["SESSION_LIFETIME_HOURS"] = 2
    log_in(client, session, world.people["kmember"])
    for _ in range(4):
        clock.advance(timedelta(minutes=29))
        assert browse(client, session, clock).status_code == 200
    clock.advance(timedelta(minutes=5))
    assert browse(client, session, clock).status_code == 302


def test_a_person_cannot_end_another_persons_session_by_its_hash(client, session, world):
    leader, kari = world.people["leader"], world.people["kmember"]
    theirs, kari_elsewhere = (client.application.test_client() for _ in range(2))
    log_in(theirs, session, leader)
    log_in(kari_elsewhere, session, kari)
    sessions = {row.person_id: row.token_hash for row in session.scalars(select(LoginSession))}
    log_in(client, session, kari)
    own = post(client, "/me/sessions/end", {"session": sessions[kari.id]})
    assert own.status_code == 302  # her own other browser: ended
    assert kari.display_name not in kari_elsewhere.get("/public/").get_data(as_text=True)
    assert post(client, "/me/sessions/end", {"session": sessions[leader.id]}).status_code == 404
    assert leader.display_name in theirs.get("/public/").get_data(as_text=True)


def test_an_uncleared_secretariat_cannot_take_over_a_cleared_member(client, session, world):
    """A one-time password shown to the secretariat would let it log in as the cleared
    police member and read the restricted items; the page refuses and sets nothing."""
    sec, cleared = world.people["sec"], world.people["pmember"]
    for seat in sec.memberships:
        seat.cleared = False
    set_password(session, cleared)
    log_in(client, session, sec)
    refused = post(client, f"/testby/admin/people/{cleared.id}/password/one-time")
    assert refused.status_code == 403
    assert "Et engangspassord ville gitt deg tilgang du ikke har selv" in refused.get_data(
        as_text=True
    )
    session.refresh(cleared)
    assert verify_password(cleared.password_hash, TEST_PASSWORD)
    assert not cleared.must_change_password


def test_a_secretariat_of_another_council_cannot_reset_a_person(client, session, world):
    from engine.seeding import make_world

    bergen = make_world(session, "bergen")
    kari = world.people["kmember"]
    log_in(client, session, bergen.people["sec"])
    for kind in ("one-time", "link"):
        assert post(client, f"/testby/admin/people/{kari.id}/password/{kind}").status_code == 403
        assert post(client, f"/bergen/admin/people/{kari.id}/password/{kind}").status_code == 404
