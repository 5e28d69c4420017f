"""The header: the council's sections for its people, the public pages for everyone else."""

from __future__ import annotations

import re
from datetime import date

from engine.actors import Actor
from engine.seeding import make_world
from engine.services.people import add_membership
from tests.web.conftest import log_in


def nav_links(page: str) -> list[str]:
    menu = re.search(r'<nav aria-label="Hovedmeny">(.*?)</nav>', page, re.S)
    assert menu, "every page has the main menu"
    return re.findall(r'href="([^"]+)"', menu.group(1))


def test_the_secretariat_sees_every_section_of_its_council_and_the_administration(
    client, session, world
):
    log_in(client, session, world.people["sec"])
    links = nav_links(client.get("/login").get_data(as_text=True))
    assert links == [
        "/testby/",
        "/testby/cases",
        "/testby/meetings",
        "/testby/follow-up",
        "/testby/admin",
    ]


def test_a_member_sees_the_council_sections_but_no_administration(client, session, world):
    log_in(client, session, world.people["kmember"])
    links = nav_links(client.get("/login").get_data(as_text=True))
    assert "/testby/cases" in links
    assert "/testby/admin" not in links


def test_the_public_sees_the_public_pages_and_a_login_link(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert nav_links(page) == ["/public/"]
    assert 'href="/login"' in page


def test_a_person_without_a_seat_gets_the_public_menu(client, session, world):
    log_in(client, session, world.people["outsider"])
    assert nav_links(client.get("/login").get_data(as_text=True)) == ["/public/"]


def test_a_person_in_two_councils_can_switch_between_them(client, session, world):
    other = make_world(session, "annenby")
    add_membership(
        session,
        actor=Actor.system(),
        person=world.people["sec"],
        council=other.council,
        party="municipality",
        role="member",
        valid_from=date(2020, 1, 1),
    )
    log_in(client, session, world.people["sec"])
    page = client.get("/login").get_data(as_text=True)
    switcher = re.search(r'<nav aria-label="Mine råd"[^>]*>(.*?)</nav>', page, re.S)
    assert switcher
    assert re.findall(r'href="([^"]+)"', switcher.group(1)) == ["/annenby/", "/testby/"]


def test_the_current_section_is_marked_for_screen_readers(client, session, world):
    log_in(client, session, world.people["sec"])
    page = client.get("/testby/cases?page=2").get_data(as_text=True)
    assert '<a href="/testby/cases" aria-current="page">' in page
    assert '<a href="/testby/" aria-current' not in page


def test_the_public_pages_of_a_council_show_its_calendar_minutes_and_journal(client, world):
    page = client.get("/public/testby/").get_data(as_text=True)
    assert nav_links(page) == [
        "/public/",
        "/public/testby/",
        "/public/testby/meetings",
        "/public/testby/journal",
    ]
    assert '<a href="/public/testby/" aria-current="page">' in page
