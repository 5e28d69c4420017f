"""A person's account in the browser: "Bytt passord", "Glemt passord?", "Mine innlogginger",
and the secretariat's reset of a person's password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import LoginSession, Person
from engine.notifications import deliver_outbox
from engine.passwords import verify_password
from engine.services.accounts import send_requested_links
from tests.engine.test_notifications import mailer, smtp  # noqa: F401
from tests.web.conftest import TEST_PASSWORD, csrf_token, log_in, post, set_password

NEW = "blåbærsyltetøy på søndag"


def fresh(session, person: Person) -> Person:
    """The person as the requests left them (they wrote through sessions of their own)."""
    session.refresh(person)
    return person


def logged_in_as(client, person) -> bool:
    return person.display_name in client.get("/public/").get_data(as_text=True)


def second_browser(client, session, person):
    """Another browser of the same person, logged in with the same password."""
    other = client.application.test_client()
    response = post(other, "/login", {"login": person.login, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return other


def change(client, old, new, confirm=None, **extra):
    form = {"old_password": old, "new_password": new, "confirm_password": confirm or new}
    return post(client, "/me/password", {**form, **extra})


# --- Bytt passord ------------------------------------------------------------------------------


def test_the_header_leads_to_the_password_and_session_pages(client, session, world):
    log_in(client, session, world.people["sec"])
    page = client.get("/testby/").get_data(as_text=True)
    assert 'href="/me/password"' in page and "Bytt passord" in page
    assert 'href="/me/sessions"' in page and "Mine innlogginger" in page


def test_a_person_changes_their_password_and_their_other_browsers_are_logged_out(
    client, session, world
):
    kari = world.people["kmember"]
    log_in(client, session, kari)
    other = second_browser(client, session, kari)
    response = change(client, TEST_PASSWORD, NEW)
    assert response.status_code == 302
    assert verify_password(fresh(session, kari).password_hash, NEW)
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Alle dine andre innlogginger er avsluttet" in page.get_data(as_text=True)
    assert logged_in_as(client, kari) and not logged_in_as(other, kari)


def test_a_wrong_current_password_is_refused_beside_its_field(client, session, world):
    kari = world.people["kmember"]
    log_in(client, session, kari)
    response = change(client, "ikke det riktige passordet", NEW)
    assert response.status_code == 422
    assert "Passordet du har nå, er feil." in response.get_data(as_text=True)
    assert verify_password(fresh(session, kari).password_hash, TEST_PASSWORD)


def test_two_different_new_passwords_are_refused(client, session, world):
    log_in(client, session, world.people["kmember"])
    response = change(client, TEST_PASSWORD, NEW, confirm=NEW + "!")
    assert response.status_code == 422
    assert "Passordene er ikke like." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1234567890", "Passordet må ha minst 12 tegn."),
        ("qwertyuiopasdfgh", "Dette er et av de vanligste passordene"),
        ("testby-kmember-2026", "Passordet kan ikke bygge på brukernavnet."),
        ("Kmember Kmember 1999", "Passordet kan ikke bygge på navnet til personen."),
        ("Politirådet i testby!", "Passordet kan ikke bygge på navnet til rådet."),
    ],
)
def test_a_weak_new_password_is_refused_with_a_norwegian_message(
    client, session, world, password, message
):
    kari = world.people["kmember"]
    log_in(client, session, kari)
    response = change(client, TEST_PASSWORD, password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert verify_password(fresh(session, kari).password_hash, TEST_PASSWORD)


# --- Glemt passord? ------------------------------------------------------------------------------


def test_the_login_page_offers_a_link_for_a_forgotten_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Glemt passord?" in page


def test_a_forgotten_password_is_replaced_through_the_link_in_the_e_mail(
    client,
    session,
    world,
    smtp,  # noqa: F811
):
    mailbox, port = smtp
    kari = world.people["kmember"]
    kari.email = "kari@oslo.kommune.no"
    set_password(session, kari)
    answer = post(client, "/password/forgot", {"login": "Kari@Oslo.kommune.no"})
    assert "Hvis vi kjenner adressen, har vi sendt en lenke." in answer.get_data(as_text=True)
    send_requested_links(session)
    deliver_outbox(session, mailer=mailer(port))
    (mail,) = mailbox.messages
    assert "Sett nytt passord" in mail["Subject"]
    path = re.search(r"https?://[^/]+(/password/reset/\S+)", mail.get_content()).group(1)
    form = client.get(path)
    assert form.status_code == 200 and "Velg nytt passord" in form.get_data(as_text=True)
    done = post(client, path, {"new_password": NEW, "confirm_password": NEW})
    assert done.status_code == 302
    assert logged_in_as(client, kari) and verify_password(fresh(session, kari).password_hash, NEW)
    again = client.get(path)
    assert again.status_code == 404
    assert "Lenken virker ikke" in again.get_data(as_text=True)


# --- Mine innlogginger ---------------------------------------------------------------------------


def test_a_person_sees_their_sessions_and_logs_out_another_browser(client, session, world):
    kari = world.people["kmember"]
    log_in(client, session, kari)
    other = client.application.test_client()
    post(
        other,
        "/login",
        {"login": kari.login, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
        headers={"User-Agent": "Mozilla/5.0 (Android 14) Firefox/140.0"},
    )
    page = client.get("/me/sessions").get_data(as_text=True)
    assert "198.51.100.7" in page and "Android 14" in page
    assert "denne nettleseren" in page and page.count(">Logg ut denne<") == 2
    theirs = session.scalars(
        select(LoginSession.token_hash).where(LoginSession.address == "198.51.100.7")
    ).one()
    response = post(client, "/me/sessions/end", {"session": theirs})
    assert response.status_code == 302
    assert logged_in_as(client, kari) and not logged_in_as(other, kari)


def test_log_out_all_others_keeps_only_this_browser(client, session, world):
    kari = world.people["kmember"]
    log_in(client, session, kari)
    others = [second_browser(client, session, kari) for _ in range(2)]
    page = post(client, "/me/sessions/others", follow_redirects=True).get_data(as_text=True)
    assert "2 innlogginger er avsluttet." in page
    assert logged_in_as(client, kari)
    assert not any(logged_in_as(other, kari) for other in others)


def test_logging_out_this_browser_from_the_list_logs_it_out(client, session, world):
    kari = world.people["kmember"]
    log_in(client, session, kari)
    this = session.scalars(select(LoginSession.token_hash)).one()
    response = post(client, "/me/sessions/end", {"session": this})
    assert response.headers["Location"] == "/login"
    assert not logged_in_as(client, kari)


# --- the secretariat ----------------------------------------------------------------------------


def test_a_first_password_from_the_secretariat_must_be_changed_before_any_page(
    client, session, world
):
    log_in(client, session, world.people["sec"])
    registered = post(
        client,
        "/testby/admin/people",
        {
            "display_name": "Kari Nordmann",
            "login": "kari",
            "password": "et langt første passord",
            "party": "police",
            "role": "member",
            "valid_from": "2026-01-01",
        },
    )
    assert registered.status_code == 302
    kari = client.application.test_client()
    login = post(
        kari, "/login?next=/testby/cases", {"login": "kari", "password": "et langt første passord"}
    )
    assert login.headers["Location"] == "/me/password?next=/testby/cases"
    for path in ("/testby/", "/testby/cases", "/me/sessions"):
        assert kari.get(path).headers["Location"].startswith("/me/password?next=")
    page = kari.get("/me/password").get_data(as_text=True)
    assert "Passordet ditt ble satt av noen andre" in page
    done = change(kari, "et langt første passord", NEW, next="/testby/cases")
    assert done.headers["Location"] == "/testby/cases"
    assert kari.get("/testby/cases").status_code == 200


def test_the_secretariat_gives_a_one_time_password_shown_once(client, session, world):
    kari = world.people["kmember"]
    log_in(client, session, world.people["sec"])
    page = post(client, f"/testby/admin/people/{kari.id}/password/one-time")
    assert page.status_code == 201
    password = re.search(r'id="one-time-password" value="([^"]+)"', page.get_data(as_text=True))
    assert verify_password(fresh(session, kari).password_hash, password.group(1))
    assert fresh(session, kari).must_change_password
    assert password.group(1) not in client.get(f"/testby/admin/people/{kari.id}").get_data(
        as_text=True
    )
    history = client.get(f"/testby/admin/people/{kari.id}").get_data(as_text=True)
    assert "engangspassord gitt" in history


def test_the_secretariat_sends_a_reset_link_to_the_persons_own_address(
    client,
    session,
    world,
    smtp,  # noqa: F811
):
    mailbox, port = smtp
    kari = world.people["kmember"]
    kari.email = "kari@oslo.kommune.no"
    session.flush()
    log_in(client, session, world.people["sec"])
    response = post(client, f"/testby/admin/people/{kari.id}/password/link")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "En lenke for nytt passord er sendt til kari@oslo.kommune.no." in page
    deliver_outbox(session, mailer=mailer(port))
    (mail,) = mailbox.messages
    assert mail["To"] == "kari@oslo.kommune.no" and "/password/reset/" in mail.get_content()


def test_a_person_without_e_mail_cannot_be_sent_a_link(client, session, world):
    kari = world.people["kmember"]
    log_in(client, session, world.people["sec"])
    response = post(client, f"/testby/admin/people/{kari.id}/password/link")
    assert response.status_code == 422
    assert "Personen har ingen e-postadresse" in response.get_data(as_text=True)
    assert not fresh(session, kari).must_change_password


def test_the_password_pages_have_their_english(client, session, world):
    log_in(client, session, world.people["kmember"])
    post(client, "/language", {"lang": "en", "next": "/"})
    page = client.get("/me/password").get_data(as_text=True)
    assert "Change password" in page and "Bytt passord" not in page
    assert csrf_token(client)
