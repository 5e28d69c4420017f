"""The follow-up list (oppfølgingsliste) and recording progress on actions and responses to
referrals."""

from __future__ import annotations

from datetime import timedelta

from engine.models import Action, Case
from engine.seeding import World
from engine.services.followup import add_action, add_referral
from tests.web.conftest import log_in, post
from tests.web.meetings_world import clear, decide, hold, make_meeting, placed, proposed_item, today


def decided_item(session, world: World, title: str, **screening) -> Case:
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, title, **screening)
    placed(session, world, meeting, item)
    hold(session, world, meeting)
    decide(session, world, meeting, item, "Politirådet ber om en felles plan.")
    return item


def action_on(session, world: World, item: Case, description: str, days: int = 30) -> Action:
    return add_action(
        session,
        item,
        actor=world.actor("sec"),
        description=description,
        owner_party="police",
        owner_person=world.people["pmember"],
        due=today() + timedelta(days=days),
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_follow_up_list_puts_overdue_actions_first_and_marks_them(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    later = action_on(session, world, item, "Evaluere tiltakene", days=60)
    late = action_on(session, world, item, "Lage en felles plan", days=30)
    late.due = today() - timedelta(days=5)  # its due date has passed since it was given
    session.flush()
    log_in(client, session, world.people["kmember"])

    page = text(client.get("/testby/follow-up"))

    assert page.index("Lage en felles plan") < page.index("Evaluere tiltakene")
    assert page.count("Forfalt</strong>") == 1
    assert "1 forfalt" in page
    assert f"/testby/follow-up/actions/{later.id}" in page
    assert "Pmember" in page


def test_the_follow_up_list_can_show_only_what_is_overdue(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    action_on(session, world, item, "Evaluere tiltakene", days=60)
    late = action_on(session, world, item, "Lage en felles plan", days=30)
    late.due = today() - timedelta(days=5)
    session.flush()
    log_in(client, session, world.people["kmember"])

    page = text(client.get("/testby/follow-up?overdue=1"))

    assert "Lage en felles plan" in page
    assert "Evaluere tiltakene" not in page


def test_follow_up_on_a_restricted_item_is_left_out_for_the_uncleared(client, session, world):
    clear(session, world, "sec")
    item = decided_item(
        session,
        world,
        "Kartlegging av nettverk på Tøyen",
        access="restricted",
        public_title="Orientering fra politiet",
    )
    action = action_on(session, world, item, "Følge opp nettverket på Tøyen")
    log_in(client, session, world.people["kmember"])

    page = text(client.get("/testby/follow-up"))

    assert "Orientering fra politiet" not in page
    assert "Tøyen" not in page
    assert item.number not in page
    assert f"/actions/{action.id}" not in page
    assert client.get(f"/testby/follow-up/actions/{action.id}").status_code == 404


def test_a_cleared_member_sees_follow_up_on_a_restricted_item_in_full(client, session, world):
    clear(session, world, "sec")
    item = decided_item(
        session,
        world,
        "Kartlegging av nettverk på Tøyen",
        access="restricted",
        public_title="Orientering fra politiet",
    )
    action_on(session, world, item, "Følge opp nettverket på Tøyen")
    log_in(client, session, world.people["pmember"])

    page = text(client.get("/testby/follow-up"))

    assert "Følge opp nettverket på Tøyen" in page
    assert "Kartlegging av nettverk på Tøyen" in page


def test_the_owner_records_progress_on_an_action(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    action = action_on(session, world, item, "Lage en felles plan")
    log_in(client, session, world.people["pmember"])

    response = post(
        client,
        f"/testby/follow-up/actions/{action.id}/progress",
        {"text": "Første utkast er skrevet", "percent": "40"},
    )

    assert response.status_code == 302
    session.refresh(action)
    assert (action.status, action.percent) == ("in_progress", 40)
    page = text(client.get(f"/testby/follow-up/actions/{action.id}"))
    assert "Første utkast er skrevet" in page
    assert "Under arbeid" in page


def test_progress_over_a_hundred_percent_is_refused_and_the_note_is_kept(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    action = action_on(session, world, item, "Lage en felles plan")
    log_in(client, session, world.people["pmember"])

    response = post(
        client,
        f"/testby/follow-up/actions/{action.id}/progress",
        {"text": "Nesten ferdig", "percent": "140"},
    )

    assert response.status_code == 422
    page = text(response)
    assert 'id="progress-percent-error"' in page
    assert ">Nesten ferdig</textarea>" in page
    session.refresh(action)
    assert action.percent == 0


def test_completing_the_last_action_closes_the_item(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    action = action_on(session, world, item, "Lage en felles plan")
    log_in(client, session, world.people["sec"])

    response = post(client, f"/testby/follow-up/actions/{action.id}/done", {"comment": "Vedtatt"})

    assert response.status_code == 302
    session.refresh(action)
    session.refresh(item)
    assert action.status == "done"
    assert item.state == "closed"
    assert "Lage en felles plan" not in text(client.get("/testby/follow-up"))


def test_a_member_of_the_other_party_may_not_complete_an_action(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    action = action_on(session, world, item, "Lage en felles plan")  # owned by the police
    log_in(client, session, world.people["kmember"])

    response = post(client, f"/testby/follow-up/actions/{action.id}/done")

    assert response.status_code == 403
    session.refresh(action)
    assert action.status == "open"


def test_cancelling_an_action_needs_a_reason(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    action = action_on(session, world, item, "Lage en felles plan")
    log_in(client, session, world.people["sec"])

    response = post(client, f"/testby/follow-up/actions/{action.id}/cancel", {"reason": ""})

    assert response.status_code == 422
    assert 'id="cancel-reason-error"' in text(response)


def test_the_response_to_a_referral_is_registered(client, session, world):
    item = decided_item(session, world, "Trygghet på Grønland")
    referral = add_referral(
        session,
        item,
        actor=world.actor("sec"),
        target="city_council",
        target_name="Bystyret",
        description="Be om midler til flere miljøarbeidere",
        response_due=today() + timedelta(days=40),
    )
    log_in(client, session, world.people["sec"])
    assert f"/testby/follow-up/referrals/{referral.id}" in text(client.get("/testby/follow-up"))

    response = post(
        client,
        f"/testby/follow-up/referrals/{referral.id}/response",
        {"response": "Bystyret bevilget midlene."},
    )

    assert response.status_code == 302
    session.refresh(referral)
    assert referral.response == "Bystyret bevilget midlene."
    assert "Bystyret bevilget midlene." in text(
        client.get(f"/testby/follow-up/referrals/{referral.id}")
    )


def test_people_of_other_councils_do_not_get_the_follow_up_list(client, session, world):
    log_in(client, session, world.people["outsider"])

    assert client.get("/testby/follow-up").status_code == 403
