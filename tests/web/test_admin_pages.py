"""Administration for the secretariat: people, seats, the council, reference data, cadence."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.actors import Actor
from engine.models import Bydel, Person, PoliceUnit, PriorityArea, SeatGrant, SteeringGroup
from engine.seeding import make_world
from engine.services.logins import log_in as open_session
from engine.services.logins import resume
from engine.services.people import set_installation_admin
from tests.web.conftest import TEST_PASSWORD, log_in, post, set_password

PAGES = ["", "/people", "/council", "/reference", "/cadence"]


@pytest.mark.parametrize("page", PAGES)
def test_the_secretariat_sees_every_administration_page(client, session, world, page):
    log_in(client, session, world.people["sec"])
    response = client.get(f"/testby/admin{page}")
    assert response.status_code == 200
    assert "<h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["leader", "deputy", "kmember", "reporter", "guest", "outsider"])
def test_nobody_but_the_secretariat_may_administer(client, session, world, who):
    log_in(client, session, world.people[who])
    assert client.get("/testby/admin/people").status_code == 403
    denied = post(client, "/testby/admin/council", {"name": "X", "municipality": "Y"})
    assert denied.status_code == 403
    session.refresh(world.council)
    assert world.council.name == "Politirådet i testby"


def test_the_public_is_sent_to_the_login_page(client, world):
    response = client.get("/testby/admin/people")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_secretariat_registers_a_person_with_a_seat_who_can_then_log_in(
    app, client, session, world
):
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        "/testby/admin/people",
        {
            "display_name": "Kari Nordmann",
            "login": "kari",
            "email": "kari@example.no",
            "password": "et langt passord",
            "party": "police",
            "role": "member",
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
            "appointed_by": str(world.people["deputy"].id),
            "cleared": "1",
        },
    )
    assert response.status_code == 302
    kari = session.scalars(select(Person).where(Person.login == "kari")).one()
    (seat,) = kari.memberships
    assert (seat.party, seat.role, seat.cleared) == ("police", "member", False)
    assert (seat.valid_from, seat.valid_to) == (date(2026, 1, 1), date(2027, 12, 31))
    assert seat.appointed_by_id == world.people["deputy"].id
    page = client.get("/testby/admin/people").get_data(as_text=True)
    assert "Kari Nordmann" in page and "Personen er registrert." in page
    assert "Klareringen venter på godkjenning" in page
    other = client.application.test_client()
    login = post(other, "/login", {"login": "kari", "password": "et langt passord"})
    assert login.status_code == 302

    (grant,) = session.scalars(select(SeatGrant).where(SeatGrant.person_id == kari.id))
    deputy = app.test_client()
    log_in(deputy, session, world.people["deputy"])
    assert post(deputy, f"/testby/admin/grants/{grant.id}/approve").status_code == 302
    session.refresh(seat)
    assert seat.cleared


def test_a_refused_registration_keeps_what_was_typed_and_says_why_beside_the_field(
    client, session, world
):
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        "/testby/admin/people",
        {
            "display_name": "Ola Nordmann",
            "login": "Ola Nordmann!",
            "party": "municipality",
            "role": "member",
            "valid_from": "2026-01-01",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Ola Nordmann"' in page
    assert 'id="login-error"' in page and 'aria-invalid="true"' in page
    assert (
        session.scalars(select(Person).where(Person.display_name == "Ola Nordmann")).first() is None
    )


def test_a_membership_cannot_end_before_it_starts(client, session, world):
    log_in(client, session, world.people["sec"])
    kmember = world.people["kmember"]
    (seat,) = kmember.memberships
    response = post(
        client, f"/testby/admin/memberships/{seat.id}", {"valid_to": "2019-01-01", "cleared": "1"}
    )
    assert response.status_code == 422
    assert f'id="valid_to-{seat.id}-error"' in response.get_data(as_text=True)
    session.refresh(seat)
    assert seat.valid_to is None


def test_the_secretariat_ends_a_seat_and_asks_for_clearance_that_waits_for_approval(
    client, session, world
):
    log_in(client, session, world.people["sec"])
    kmember = world.people["kmember"]
    (seat,) = kmember.memberships
    response = post(
        client, f"/testby/admin/memberships/{seat.id}", {"valid_to": "2026-12-31", "cleared": "1"}
    )
    assert response.status_code == 302
    session.refresh(seat)
    assert (seat.valid_to, seat.cleared) == (date(2026, 12, 31), False)
    page = client.get(f"/testby/admin/people/{kmember.id}").get_data(as_text=True)
    assert "Klarering venter på godkjenning" in page
    again = post(
        client, f"/testby/admin/memberships/{seat.id}", {"valid_to": "2026-12-31", "cleared": "1"}
    )
    assert again.status_code == 302  # asking again while it waits changes nothing
    assert len(session.scalars(select(SeatGrant)).all()) == 1


def test_the_persons_page_shows_who_asked_who_approved_and_who_ended_the_seat_newest_first(
    app, client, session, world
):
    log_in(client, session, world.people["sec"])
    kmember = world.people["kmember"]
    (seat,) = kmember.memberships
    post(client, f"/testby/admin/memberships/{seat.id}", {"cleared": "1"})
    (grant,) = session.scalars(select(SeatGrant))
    leader = app.test_client()
    log_in(leader, session, world.people["leader"])
    assert post(leader, f"/testby/admin/grants/{grant.id}/approve").status_code == 302
    post(client, f"/testby/admin/memberships/{seat.id}", {"valid_to": "2026-12-31", "cleared": "1"})

    page = client.get(f"/testby/admin/people/{kmember.id}").get_data(as_text=True)

    history = page[page.index('id="history"') :]
    ended = history.index("Til: – → 31. des. 2026")
    granted = history.index("Klarert for skjermede saker: nei → ja")
    approved = history.index("Status: venter på godkjenning → godkjent")
    asked = history.index("Forespørsel om: – → klarering for skjermede saker")
    given = history.index("Rolle: – → Medlem")
    assert ended < granted < approved < asked < given
    assert history.count(world.people["sec"].display_name) == 2
    assert history.count(world.people["leader"].display_name) == 2
    assert "systemet" in history  # the factory gave the seat as the system
    requests = page[page.index('id="grants"') : page.index('id="history"')]
    assert "godkjent" in requests and world.people["leader"].display_name in requests


def test_a_second_seat_is_added_with_who_appointed_it(client, session, world):
    log_in(client, session, world.people["sec"])
    guest = world.people["guest"]
    response = post(
        client,
        f"/testby/admin/people/{guest.id}/memberships",
        {
            "party": "municipality",
            "role": "member",
            "valid_from": "2026-03-01",
            "appointed_by": str(world.people["leader"].id),
        },
    )
    assert response.status_code == 302
    session.refresh(guest)
    assert sorted(m.role for m in guest.memberships) == ["guest", "member"]


def test_the_secretariat_ends_a_persons_seats_and_the_person_keeps_their_login(
    client, session, world
):
    kmember = world.people["kmember"]
    set_password(session, kmember)
    theirs = open_session(session, kmember.login, TEST_PASSWORD, address="10.0.0.9")
    log_in(client, session, world.people["sec"])
    page = client.get(f"/testby/admin/people/{kmember.id}").get_data(as_text=True)
    assert "Avslutt plassene til" in page and "Deaktiver" not in page

    response = post(client, f"/testby/admin/people/{kmember.id}/end-seats")

    assert response.status_code == 302
    session.refresh(kmember)
    assert kmember.active and resume(session, theirs.token) is not None
    assert [m.valid_to for m in kmember.memberships] == [date(2026, 3, 1)]


def test_an_installation_administrator_deactivates_a_person_and_ends_their_sessions_at_once(
    client, session, world
):
    kmember = world.people["kmember"]
    set_password(session, kmember)
    theirs = open_session(session, kmember.login, TEST_PASSWORD, address="10.0.0.9")
    admin = world.people["sec"]
    set_installation_admin(session, actor=Actor.system(), person=admin, admin=True)
    log_in(client, session, admin)
    response = post(client, f"/testby/admin/people/{kmember.id}/active", {"active": "0"})
    assert response.status_code == 302
    session.refresh(kmember)
    assert not kmember.active
    assert resume(session, theirs.token) is None
    back = post(client, f"/testby/admin/people/{kmember.id}/active", {"active": "1"})
    assert back.status_code == 302
    session.refresh(kmember)
    assert kmember.active


def test_the_secretariat_cannot_lock_itself_out(client, session, world):
    sec = world.people["sec"]
    log_in(client, session, sec)
    response = post(client, f"/testby/admin/people/{sec.id}/end-seats")
    assert response.status_code == 422
    assert "Du kan ikke avslutte dine egne plasser." in response.get_data(as_text=True)
    session.refresh(sec)
    assert sec.active and [m.valid_to for m in sec.memberships] == [None]


def test_a_person_of_another_council_is_not_found_in_this_one(client, session, world):
    other = make_world(session, "annenby")
    log_in(client, session, world.people["sec"])
    stranger = other.people["kmember"]
    assert client.get(f"/testby/admin/people/{stranger.id}").status_code == 404
    response = post(client, f"/testby/admin/people/{stranger.id}/active", {"active": "0"})
    assert response.status_code == 404
    assert post(client, f"/testby/admin/people/{stranger.id}/end-seats").status_code == 404
    session.refresh(stranger)
    assert stranger.active and [m.valid_to for m in stranger.memberships] == [None]


def test_the_council_is_renamed(client, session, world):
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        "/testby/admin/council",
        {"name": "Politirådet i Testby", "municipality": "Testby", "police_district": "Øst"},
    )
    assert response.status_code == 302
    council = world.council
    session.refresh(council)
    assert (council.name, council.police_district) == ("Politirådet i Testby", "Øst")


def test_a_secretary_creates_a_council_and_is_given_its_secretariat(client, session, world):
    sec = world.people["sec"]
    log_in(client, session, sec)
    assert "Politirådet i testby" in client.get("/admin/councils").get_data(as_text=True)
    response = post(
        client,
        "/admin/councils",
        {
            "name": "Politirådet i Bærum",
            "slug": "baerum",
            "municipality": "Bærum kommune",
            "police_district": "Oslo politidistrikt",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/baerum/admin"
    assert client.get("/baerum/admin").status_code == 200


@pytest.mark.parametrize("slug", ["admin", "public", "Æ", "x", "has space"])
def test_a_council_cannot_take_an_address_of_the_site(client, session, world, slug):
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        "/admin/councils",
        {"name": "N", "slug": slug, "municipality": "M", "police_district": "P"},
    )
    assert response.status_code == 422
    assert 'id="slug-error"' in response.get_data(as_text=True)


def test_only_the_secretariat_sees_the_list_of_councils(client, session, world):
    log_in(client, session, world.people["leader"])
    assert client.get("/admin/councils").status_code == 403


def test_a_bydel_is_added_and_renamed(client, session, world):
    log_in(client, session, world.people["sec"])
    added = post(client, "/testby/admin/reference/bydeler", {"code": "16", "name": "Sentrum"})
    assert added.status_code == 302
    bydel = session.scalars(
        select(Bydel).where(Bydel.council_id == world.council.id, Bydel.code == "16")
    ).one()
    renamed = post(client, f"/testby/admin/reference/bydeler/{bydel.id}", {"name": "Marka"})
    assert renamed.status_code == 302
    session.refresh(bydel)
    assert bydel.name == "Marka"
    taken = post(client, "/testby/admin/reference/bydeler", {"code": "16", "name": "Igjen"})
    assert taken.status_code == 422
    assert 'value="Igjen"' in taken.get_data(as_text=True)


def test_a_unit_covers_bydeler_in_whole_or_in_part(client, session, world):
    log_in(client, session, world.people["sec"])
    bydeler = {
        b.code: b
        for b in session.scalars(select(Bydel).where(Bydel.council_id == world.council.id))
    }
    post(client, "/testby/admin/reference/units", {"code": "nord", "name": "Enhet Nord"})
    unit = session.scalars(select(PoliceUnit).where(PoliceUnit.code == "nord")).one()
    response = post(
        client,
        f"/testby/admin/reference/units/{unit.id}",
        {
            "name": "Enhet Nord",
            f"cover-{bydeler['05'].id}": "partial",  # Frogner: split already
            f"cover-{bydeler['01'].id}": "",
        },
    )
    assert response.status_code == 302
    session.refresh(unit)
    assert [(c.bydel.code, c.partial) for c in unit.coverage] == [("05", True)]
    page = client.get("/testby/admin/reference").get_data(as_text=True)
    assert "Enhet Nord" in page


def test_a_bydel_covered_in_whole_by_one_unit_cannot_be_covered_by_another(client, session, world):
    log_in(client, session, world.people["sec"])
    gamle_oslo = session.scalars(
        select(Bydel).where(Bydel.council_id == world.council.id, Bydel.code == "01")
    ).one()
    vest = session.scalars(
        select(PoliceUnit).where(
            PoliceUnit.council_id == world.council.id, PoliceUnit.code == "vest"
        )
    ).one()
    before = sorted(c.bydel_id for c in vest.coverage)
    response = post(
        client,
        f"/testby/admin/reference/units/{vest.id}",
        {"name": "Enhet Vest", f"cover-{gamle_oslo.id}": "partial"},
    )
    assert response.status_code == 422
    assert "dekkes helt av en annen enhet" in response.get_data(as_text=True)
    session.refresh(vest)
    assert sorted(c.bydel_id for c in vest.coverage) == before


def test_a_priority_area_is_added_in_both_languages(client, session, world):
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        "/testby/admin/reference/areas",
        {"number": "8", "name_nb": "Nettkriminalitet", "name_en": "Cybercrime"},
    )
    assert response.status_code == 302
    area = session.scalars(
        select(PriorityArea).where(
            PriorityArea.council_id == world.council.id, PriorityArea.number == 8
        )
    ).one()
    assert (area.name_nb, area.name_en) == ("Nettkriminalitet", "Cybercrime")


def test_cadence_rules_are_overridden_and_restored_to_the_default(client, session, world):
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        "/testby/admin/cadence",
        {"ordinary_meetings_per_year": "6", "meeting_every_quarter": "0", "notice_days": ""},
    )
    assert response.status_code == 302
    council = world.council
    session.refresh(council)
    assert council.cadence == {"ordinary_meetings_per_year": 6, "meeting_every_quarter": False}
    page = client.get("/testby/admin/cadence").get_data(as_text=True)
    assert 'value="6"' in page
    post(client, "/testby/admin/cadence", {})
    session.refresh(council)
    assert council.cadence is None


def test_a_cadence_rule_out_of_range_is_refused_beside_its_field(client, session, world):
    log_in(client, session, world.people["sec"])
    response = post(client, "/testby/admin/cadence", {"notice_days": "400"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="notice_days-error"' in page and 'value="400"' in page
    session.refresh(world.council)
    assert world.council.cadence is None


def test_a_unit_gives_up_a_bydel_and_takes_another_in_part(client, session, world):
    log_in(client, session, world.people["sec"])
    bydeler = {
        b.code: b
        for b in session.scalars(select(Bydel).where(Bydel.council_id == world.council.id))
    }
    vest = session.scalars(
        select(PoliceUnit).where(
            PoliceUnit.council_id == world.council.id, PoliceUnit.code == "vest"
        )
    ).one()
    form = {"name": "Enhet Vest"}
    form |= {f"cover-{bydeler[code].id}": "whole" for code in ("07", "08")}  # not Ullern (06)
    form[f"cover-{bydeler['05'].id}"] = "partial"
    response = post(client, f"/testby/admin/reference/units/{vest.id}", form)
    assert response.status_code == 302
    session.expire_all()
    covered = sorted((c.bydel.code, c.partial) for c in vest.coverage)
    assert covered == [("05", True), ("07", False), ("08", False)]


def test_a_steering_group_is_registered_with_its_reporter_and_its_interval(client, session, world):
    log_in(client, session, world.people["sec"])
    form = {
        "name": "SaLTo Stovner",
        "next_due": "2026-09-01",
        "interval_months": "6",
        "reporter": str(world.people["reporter"].id),
    }
    response = post(client, "/testby/admin/cadence/steering-groups", form)
    assert response.status_code == 302
    group = session.scalars(
        select(SteeringGroup).where(SteeringGroup.council_id == world.council.id)
    ).one()
    assert (group.name, group.interval_months, group.next_due) == (
        "SaLTo Stovner",
        6,
        date(2026, 9, 1),
    )
    assert group.reporter_id == world.people["reporter"].id
    page = client.get("/testby/admin/cadence").get_data(as_text=True)
    assert "SaLTo Stovner" in page and "Reporter" in page
    again = post(client, "/testby/admin/cadence/steering-groups", form)
    assert again.status_code == 409
    assert 'value="SaLTo Stovner"' in again.get_data(as_text=True)


def test_a_login_that_is_taken_is_refused_beside_the_login_field(client, session, world):
    log_in(client, session, world.people["sec"])
    form = {
        "display_name": "Enda en",
        "login": world.people["kmember"].login,
        "party": "municipality",
        "role": "member",
        "valid_from": "2026-01-01",
    }
    response = post(client, "/testby/admin/people", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="login-error"' in page and "Finnes allerede." in page
    assert 'value="Enda en"' in page
