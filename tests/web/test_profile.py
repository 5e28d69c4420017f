"""``/me/profile`` (Min profil): a person's own name, e-mail address and language, their seats,
and what waits for approval about them."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import Membership
from engine.services.grants import request_clearance
from tests.web.conftest import log_in, post


def test_the_profile_shows_the_persons_seats_and_the_clearance_that_waits_for_them(
    client, session, world
):
    kmember = world.people["kmember"]
    seat = session.scalars(select(Membership).where(Membership.person_id == kmember.id)).one()
    request_clearance(session, actor=world.actor("sec"), membership=seat)
    log_in(client, session, kmember)

    page = client.get("/me/profile").get_data(as_text=True)

    assert "Politirådet i testby: Medlem, Kommunen" in page
    waiting = page[page.index('id="waiting"') :]
    assert "Klarering for skjermede saker (Medlem, Kommunen)" in waiting
    assert "bedt om av Sec" in waiting and "venter på godkjenning" in waiting
    assert 'href="/me/profile" aria-current="page"' in page  # reached from every page's header


def test_a_refused_profile_keeps_what_was_typed_and_says_why_beside_the_field(
    client, session, world
):
    kmember = world.people["kmember"]
    log_in(client, session, kmember)

    response = post(
        client,
        "/me/profile",
        {"display_name": "Kari Ny", "email": "ikke en adresse", "locale": "nb"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in page and 'aria-invalid="true"' in page
    assert 'value="Kari Ny"' in page
    session.expire_all()
    assert (kmember.display_name, kmember.email) == ("Kmember", None)


def test_choosing_english_on_the_profile_shows_the_pages_in_english(client, session, world):
    log_in(client, session, world.people["kmember"])

    post(client, "/me/profile", {"display_name": "Kmember", "email": "", "locale": "en"})

    page = client.get("/me/profile").get_data(as_text=True)
    assert "<h1>My profile</h1>" in page
