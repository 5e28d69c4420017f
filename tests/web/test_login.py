"""Logging in and out through the browser, and what every response carries."""

from __future__ import annotations

from datetime import timedelta

from engine.actors import Actor
from engine.services.people import set_active
from tests.web.conftest import TEST_PASSWORD, csrf_token, log_in, post, set_password


def test_a_person_logs_in_with_the_right_password_and_is_sent_on(client, session, world):
    person = world.people["sec"]
    set_password(session, person)
    response = client.post(
        "/login?next=/health",
        data={"login": person.login, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/health"
    assert person.display_name in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, session, world):
    person = world.people["sec"]
    set_password(session, person)
    wrong = post(client, "/login", {"login": person.login, "password": "not it at all"})
    unknown = post(client, "/login", {"login": "nobody", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Feil brukernavn eller passord" in wrong.get_data(as_text=True)


def test_three_wrong_passwords_make_that_browser_wait_and_say_when_in_norwegian(
    client, session, world, clock
):
    person = world.people["sec"]
    set_password(session, person)
    for _ in range(3):
        assert post(client, "/login", {"login": person.login, "password": "x" * 12}).status_code
    right = post(client, "/login", {"login": person.login, "password": TEST_PASSWORD})
    assert right.status_code == 429
    assert right.headers["Retry-After"] == "30"
    # 09:00 UTC is 10:00 in Oslo; the wait ends at 10:00:30, so "kl. 10:01" is safe to say
    assert "Prøv igjen om 30 sekunder (kl. 10:01)." in right.get_data(as_text=True)
    clock.advance(timedelta(seconds=30))
    again = post(client, "/login", {"login": person.login, "password": TEST_PASSWORD})
    assert again.status_code == 302


def test_thirty_failures_from_one_address_over_many_logins_make_that_address_wait(
    client, session, world
):
    person = world.people["sec"]
    set_password(session, person)
    sprayer = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
    for n in range(30):
        post(client, "/login", {"login": f"guess{n}", "password": "x" * 12}, **sprayer)
    right = post(client, "/login", {"login": person.login, "password": TEST_PASSWORD}, **sprayer)
    assert right.status_code == 429
    assert right.headers["Retry-After"] == "900"
    assert "Prøv igjen om 15 minutter" in right.get_data(as_text=True)
    owner = post(client, "/login", {"login": person.login, "password": TEST_PASSWORD})
    assert owner.status_code == 302


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, session, world):
    person = world.people["sec"]
    log_in(client, session, person)
    copied = client.get_cookie("session").value
    post(client, "/logout")
    other = app.test_client()
    other.set_cookie("session", copied)
    assert person.display_name not in other.get("/", follow_redirects=True).get_data(as_text=True)


def test_the_session_cookie_changes_at_login(client, session, world):
    client.get("/login")
    before = client.get_cookie("session").value
    log_in(client, session, world.people["sec"])
    assert client.get_cookie("session").value != before


def test_deactivating_a_person_ends_their_sessions(client, session, world):
    person = world.people["sec"]
    log_in(client, session, person)
    assert person.display_name in client.get("/", follow_redirects=True).get_data(as_text=True)
    set_active(session, actor=Actor.system(), person=person, active=False)
    session.flush()
    assert person.display_name not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_next_only_leads_within_the_site(client, session, world):
    person = world.people["sec"]
    set_password(session, person)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/login",
            query_string={"next": target},
            data={
                "login": person.login,
                "password": TEST_PASSWORD,
                "csrf_token": csrf_token(client),
            },
        )
        assert response.headers["Location"] == "/", target


def test_a_form_without_its_csrf_token_is_refused(client, session, world):
    person = world.people["sec"]
    set_password(session, person)
    response = client.post("/login", data={"login": person.login, "password": TEST_PASSWORD})
    assert response.status_code == 400


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/login", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]
        assert "Strict-Transport-Security" not in headers


def test_https_responses_ask_for_strict_transport_security(client):
    headers = client.get("/", base_url="https://politirad.example").headers
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, session, world):
    log_in(client, session, world.people["sec"])
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_the_session_cookie_is_secure_outside_development(engine):
    from web.app import create_app

    app = create_app({"ENGINE": engine, "SECRET_KEY": "t"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_pages_are_norwegian_until_english_is_chosen(client):
    assert 'lang="nb"' in client.get("/", follow_redirects=True).get_data(as_text=True)
    post(client, "/language", {"lang": "en", "next": "/"})
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page


def test_a_missing_page_is_a_404_page_in_the_site_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Finnes ikke" in response.get_data(as_text=True)


def test_times_show_in_oslo_time_in_the_page_language(app):
    from datetime import UTC, datetime

    from web.formatting import oslo_date, oslo_datetime

    moment = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 00:30 on the 28th in Oslo
    with app.test_request_context("/"):
        assert oslo_datetime(moment) == "28. nov. 2026 00:30"
        assert oslo_date(moment) == "28. nov. 2026"
