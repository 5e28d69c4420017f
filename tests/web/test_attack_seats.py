"""Attacks on who sits where with what clearance, as a user with an ordinary account tries them
(issue 15): clearing oneself, a second account, another council's people, a stranger as a
substitute. Beside the authorisation matrix, through the pages a browser would use.

The rule they hold the pages to (``engine.services.grants``): clearance, a seat in the
secretariat or as leader or deputy, and any seat for a person from outside the council wait
for a second person with that power; nobody asks for or approves one for themselves; a
person's name, e-mail address and activation are not a council's to change.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.actors import Actor
from engine.models import Case, Membership, OutboxMessage, Participant, Person
from engine.seeding import make_world
from engine.services.cases import fire, open_case
from engine.services.people import add_membership, create_person
from tests.web.conftest import log_in, post
from tests.web.meetings_world import make_meeting

SECRET = "PST-vurdering av miljøet"
PASSWORD = "et langt passord"


@pytest.fixture
def secret(session, world) -> Case:
    """A restricted item (police security service information), opened by a cleared member."""
    pmember = world.actor("pmember")
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=SECRET,
        public_title="Skjermet sak",
        access="restricted",
        actor=pmember,
        priority_areas=[world.area(session).id],
    )
    fire(session, case, "propose", actor=pmember)
    return case


def case_url(case: Case) -> str:
    return f"/testby/cases/{case.year}/{case.seq}"


def reads(client, case: Case) -> bool:
    """Whether the logged-in person reads the restricted item's real title."""
    response = client.get(case_url(case))
    return response.status_code == 200 and SECRET in response.get_data(as_text=True)


def seats(session, person: Person) -> list[Membership]:
    session.expire_all()
    return list(
        session.scalars(
            select(Membership).where(Membership.person_id == person.id).order_by(Membership.id)
        )
    )


def person(session, login: str) -> Person | None:
    return session.scalars(select(Person).where(Person.login == login)).one_or_none()


def browser(app, session, who: Person):
    client = app.test_client()
    log_in(client, session, who)
    return client


def waiting_grant(client, council: str, name: str) -> int:
    """The id of the grant about ``name`` that the council's grants page lists as waiting."""
    page = client.get(f"/{council}/admin/grants").get_data(as_text=True)
    rows = re.findall(r'<tr id="grant-(\d+)">(.*?)</tr>', page, re.S)
    found = [int(grant_id) for grant_id, row in rows if name in row]
    assert len(found) == 1, page
    return found[0]


def register(client, login: str, role: str, *, cleared: bool):
    form = {
        "display_name": f"Konto {login}",
        "login": login,
        "password": PASSWORD,
        "party": "municipality",
        "role": role,
        "valid_from": "2026-01-01",
    }
    if cleared:
        form["cleared"] = "1"
    return post(client, "/testby/admin/people", form)


def log_in_as(app, login: str):
    """Log in as an account the secretariat registered, and choose a password of one's own
    first, as its first login asks."""
    client = app.test_client()
    response = post(client, "/login", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    own = f"{PASSWORD} men mitt eget"
    changed = post(
        client,
        "/me/password",
        {"old_password": PASSWORD, "new_password": own, "confirm_password": own},
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)
    return client


# --- clearing oneself ------------------------------------------------------------------------


def test_an_uncleared_secretariat_member_cannot_clear_itself_by_editing_its_seat(
    client, session, world, secret
):
    sec = world.people["sec"]
    log_in(client, session, sec)
    (seat,) = seats(session, sec)

    response = post(client, f"/testby/admin/memberships/{seat.id}", {"cleared": "1"})

    assert response.status_code == 403
    assert [s.cleared for s in seats(session, sec)] == [False]
    assert not reads(client, secret)


def test_an_uncleared_secretariat_member_cannot_clear_itself_by_giving_itself_a_second_seat(
    client, session, world, secret
):
    sec = world.people["sec"]
    log_in(client, session, sec)

    response = post(
        client,
        f"/testby/admin/people/{sec.id}/memberships",
        {"party": "municipality", "role": "member", "valid_from": "2026-01-01", "cleared": "1"},
    )

    assert response.status_code == 403
    assert [(s.role, s.cleared) for s in seats(session, sec)] == [("secretariat", False)]
    assert not reads(client, secret)


def test_a_second_account_registered_with_clearance_has_none_until_another_person_approves(
    app, client, session, world, secret
):
    log_in(client, session, world.people["sec"])
    assert register(client, "sec-to", "member", cleared=True).status_code == 302
    second = person(session, "sec-to")
    assert [(s.role, s.cleared) for s in seats(session, second)] == [("member", False)]

    as_second = log_in_as(app, "sec-to")
    assert not reads(as_second, secret)
    grants = client.get("/testby/admin/grants").get_data(as_text=True)
    assert "Konto sec-to" in grants and "venter på godkjenning" in grants
    grant_id = waiting_grant(client, "testby", "Konto sec-to")
    approve = f"/testby/admin/grants/{grant_id}/approve"
    assert post(client, approve).status_code == 403  # the one who asked
    assert post(as_second, approve).status_code == 403  # the one it is about
    as_pmember = browser(app, session, world.people["pmember"])
    assert post(as_pmember, approve).status_code == 403  # cleared, but no power to approve
    assert not reads(as_second, secret)

    as_leader = browser(app, session, world.people["leader"])
    assert post(as_leader, approve).status_code == 302
    assert [s.cleared for s in seats(session, second)] == [True]
    assert reads(as_second, secret)


def test_a_second_account_registered_into_the_secretariat_has_no_seat_until_another_approves(
    app, client, session, world
):
    log_in(client, session, world.people["sec"])
    assert register(client, "sec-tre", "secretariat", cleared=False).status_code == 302
    third = person(session, "sec-tre")
    assert seats(session, third) == []
    as_third = log_in_as(app, "sec-tre")
    assert as_third.get("/testby/admin/people").status_code == 403
    people = client.get("/testby/admin/people").get_data(as_text=True)
    listed = people[people.index("Konto sec-tre") :]
    assert "Plass som Sekretariatet (Kommunen)" in listed and "venter på godkjenning" in listed
    grant_id = waiting_grant(client, "testby", "Konto sec-tre")
    assert post(client, f"/testby/admin/grants/{grant_id}/approve").status_code == 403

    as_deputy = browser(app, session, world.people["deputy"])
    assert post(as_deputy, f"/testby/admin/grants/{grant_id}/approve").status_code == 302
    assert [(s.role, s.cleared) for s in seats(session, third)] == [("secretariat", False)]
    assert as_third.get("/testby/admin/people").status_code == 200


def test_an_uncleared_secretariat_member_cannot_approve_another_ones_clearance(
    app, client, session, world
):
    system = Actor.system()
    colleague = create_person(session, actor=system, login="sek2", display_name="Kollega")
    add_membership(
        session,
        actor=system,
        person=colleague,
        council=world.council,
        party="police",
        role="secretariat",
        valid_from=date(2020, 1, 1),
    )
    kmember = world.people["kmember"]
    log_in(client, session, world.people["sec"])
    (seat,) = seats(session, kmember)
    assert post(client, f"/testby/admin/memberships/{seat.id}", {"cleared": "1"}).status_code == 302
    grant_id = waiting_grant(client, "testby", kmember.display_name)

    as_colleague = browser(app, session, colleague)
    page = as_colleague.get("/testby/admin/grants").get_data(as_text=True)
    assert "Bare en klarert i sekretariatet, lederen eller nestlederen" in page
    response = post(as_colleague, f"/testby/admin/grants/{grant_id}/approve")

    assert response.status_code == 403
    assert [s.cleared for s in seats(session, kmember)] == [False]


def test_a_refused_or_withdrawn_clearance_never_takes_effect(app, client, session, world):
    kmember = world.people["kmember"]
    log_in(client, session, world.people["sec"])
    (seat,) = seats(session, kmember)
    post(client, f"/testby/admin/memberships/{seat.id}", {"cleared": "1"})
    refused = waiting_grant(client, "testby", kmember.display_name)
    as_deputy = browser(app, session, world.people["deputy"])
    assert post(as_deputy, f"/testby/admin/grants/{refused}/refuse").status_code == 302
    assert post(as_deputy, f"/testby/admin/grants/{refused}/approve").status_code == 409

    post(client, f"/testby/admin/memberships/{seat.id}", {"cleared": "1"})
    withdrawn = waiting_grant(client, "testby", kmember.display_name)
    assert post(as_deputy, f"/testby/admin/grants/{withdrawn}/withdraw").status_code == 403
    assert post(client, f"/testby/admin/grants/{withdrawn}/withdraw").status_code == 302
    assert post(as_deputy, f"/testby/admin/grants/{withdrawn}/approve").status_code == 409

    assert [s.cleared for s in seats(session, kmember)] == [False]
    page = client.get("/testby/admin/grants").get_data(as_text=True)
    assert "avslått" in page and "trukket tilbake" in page


def test_asking_for_clearance_tells_the_person_and_the_councils_leaders(client, session, world):
    kmember = world.people["kmember"]
    log_in(client, session, world.people["sec"])
    (seat,) = seats(session, kmember)

    post(client, f"/testby/admin/memberships/{seat.id}", {"cleared": "1"})

    told = session.scalars(
        select(OutboxMessage.recipient_id).where(OutboxMessage.topic == "grant_requested")
    ).all()
    people = world.people
    assert sorted(told) == sorted(p.id for p in (kmember, people["leader"], people["deputy"]))


# --- another council's people ----------------------------------------------------------------


@pytest.fixture
def bergen(session, world):
    """A second council, Bergen, where the test world's member ``kmember`` also sits."""
    other = make_world(session, "bergen")
    add_membership(
        session,
        actor=Actor.system(),
        person=world.people["kmember"],
        council=other.council,
        party="municipality",
        role="member",
        valid_from=date(2020, 1, 1),
    )
    session.refresh(world.people["kmember"])
    return other


def test_bergens_secretariat_cannot_rename_readdress_or_deactivate_a_person_who_sits_in_oslo(
    app, client, session, world, bergen
):
    both = world.people["kmember"]
    both.email = "kari@oslo.kommune.no"
    session.flush()
    log_in(client, session, bergen.people["sec"])

    renamed = post(
        client,
        f"/bergen/admin/people/{both.id}",
        {"display_name": "Overtatt", "email": "angriper@example.com", "locale": "nb"},
    )
    deactivated = post(client, f"/bergen/admin/people/{both.id}/active", {"active": "0"})

    assert (renamed.status_code, deactivated.status_code) == (403, 403)
    session.expire_all()
    assert (both.display_name, both.email, both.active) == ("Kmember", "kari@oslo.kommune.no", True)
    page = client.get(f"/bergen/admin/people/{both.id}").get_data(as_text=True)
    assert 'name="email"' not in page  # no form offers what the engine refuses
    assert browser(app, session, both).get("/testby/").status_code == 200


def test_bergens_secretariat_ends_a_persons_seats_in_bergen_only(
    app, client, session, world, bergen, secret
):
    both = world.people["pmember"]  # cleared in Oslo
    add_membership(
        session,
        actor=Actor.system(),
        person=both,
        council=bergen.council,
        party="police",
        role="member",
        valid_from=date(2020, 1, 1),
    )
    log_in(client, session, bergen.people["sec"])

    response = post(client, f"/bergen/admin/people/{both.id}/end-seats")

    assert response.status_code == 302
    held = {s.council_id: s.valid_to for s in seats(session, both)}
    assert held[world.council.id] is None
    assert held[bergen.council.id] is not None and held[bergen.council.id] < date(2026, 3, 2)
    assert both.active
    as_both = browser(app, session, both)
    assert reads(as_both, secret)  # Oslo's clearance and seat are Oslo's
    assert as_both.get("/bergen/").status_code in (403, 404)


def test_a_council_cannot_seat_a_person_of_another_council_without_a_second_persons_approval(
    session, world, bergen
):
    oslo_only = world.people["pmember"]

    add_membership(
        session,
        actor=bergen.actor("sec"),
        person=oslo_only,
        council=bergen.council,
        party="police",
        role="member",
        valid_from=date(2026, 3, 2),
    )

    assert [s.council_id for s in seats(session, oslo_only)] == [world.council.id]


def test_a_council_cannot_call_a_person_with_no_seat_in_it_as_a_substitute(
    client, session, world, bergen
):
    meeting = make_meeting(session, world)
    stranger = bergen.people["pmember"]
    log_in(client, session, world.people["sec"])

    response = post(
        client,
        f"/testby/meetings/{meeting.year}/{meeting.number}/substitutes",
        {"principal": str(world.people["pmember"].id), "substitute": str(stranger.id)},
    )

    assert response.status_code == 422
    assert "har ingen plass i rådet" in response.get_data(as_text=True)
    called = session.scalars(
        select(Participant.person_id).where(Participant.meeting_id == meeting.case_id)
    ).all()
    assert stranger.id not in called


# --- one's own details --------------------------------------------------------------------


def test_a_person_changes_their_own_name_and_address_and_the_old_address_is_told(
    client, session, world
):
    kmember = world.people["kmember"]
    kmember.email = "gammel@example.no"
    session.flush()
    log_in(client, session, kmember)

    response = post(
        client,
        "/me/profile",
        {"display_name": "Kari Ny", "email": "ny@example.no", "locale": "nb"},
    )

    assert response.status_code == 302
    session.expire_all()
    assert (kmember.display_name, kmember.email) == ("Kari Ny", "ny@example.no")
    to_old = session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "email_changed")
    ).all()
    assert {(m.recipient_id, (m.payload or {}).get("email")) for m in to_old} == {
        (None, "gammel@example.no"),
        (kmember.id, None),
    }
    assert "ny@example.no" in next(m.body for m in to_old if m.recipient_id is None)


def test_a_secretariat_cannot_change_another_persons_name_even_in_its_own_council(
    client, session, world
):
    kmember = world.people["kmember"]
    log_in(client, session, world.people["sec"])

    response = post(
        client,
        f"/testby/admin/people/{kmember.id}",
        {"display_name": "Omdøpt", "email": "angriper@example.com", "locale": "nb"},
    )

    assert response.status_code == 403
    session.expire_all()
    assert (kmember.display_name, kmember.email) == ("Kmember", None)
