"""Every reason the engine gives for "why not?" is said in the page's language."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import EngineError
from engine.services.cases import available_transitions, fire, open_case
from engine.services.meetings import (
    add_substitute,
    create_meeting,
    declare_disqualification,
    get_meeting,
    invite_guest,
    move_entry,
    move_meeting,
    place_item,
    plan_year,
    record_outcome,
)
from tests.clock import NOW
from tests.web.conftest import log_in, post
from tests.web.english import english_capable_app
from tests.web.meetings_world import make_meeting, proposed_item
from tests.web.test_meetings_pages import url
from web.reasons import reason_in_words


def situations(session, world):
    """Cases in states whose transitions are refused for many different reasons."""
    sec = world.actor("sec")
    bare = open_case(
        session, council=world.council, kind="agenda_item", title="Uten område", actor=sec, now=NOW
    )
    proposed = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Innmeldt",
        actor=sec,
        priority_areas=[world.area(session).id],
        now=NOW,
    )
    fire(session, proposed, "propose", actor=sec, now=NOW)
    fire(session, proposed, "reject", actor=world.actor("leader"), comment="Nei", now=NOW)
    treaty = open_case(
        session,
        council=world.council,
        kind="agreement_revision",
        title="Avtale",
        actor=sec,
        now=NOW,
    )
    fire(session, treaty, "negotiate", actor=sec, data={"agreement_text": "§ 1"}, now=NOW)
    fire(session, treaty, "endorse", actor=world.actor("leader"), now=NOW)
    secret = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="PST",
        public_title="Orientering",
        access="restricted",
        actor=world.actor("pmember"),
        now=NOW,
    )
    return [bare, proposed, treaty, secret]


def test_every_reason_of_the_shipped_workflows_is_put_in_words(app, session, world):
    reasons = set()
    for case in situations(session, world):
        for login in world.people:
            for option in available_transitions(session, case, world.actor(login), now=NOW):
                reasons.update((case.kind, r) for r in (*option.refusals, *option.unmet))
    assert len(reasons) >= 8  # roles, parties, approvals, clearance, membership and guards
    with app.test_request_context("/"):
        unknown = [r for kind, r in sorted(reasons) if reason_in_words(r, kind) == r]
    assert unknown == []


def test_a_reason_is_said_with_the_names_of_roles_and_transitions(app):
    with app.test_request_context("/"):
        words = reason_in_words(
            "your role (member) may not fire 'decide'; it needs leader or deputy", "agenda_item"
        )
    assert words == (
        "Din rolle (medlem) kan ikke gjøre «Fatt omforent beslutning»; "
        "det krever leder eller nestleder."
    )


def test_an_unknown_reason_is_shown_as_the_engine_wrote_it(app):
    with app.test_request_context("/"):
        assert reason_in_words("something new", "agenda_item") == "something new"


def meeting_refusals(session, world) -> list[str]:
    """What the meeting services say when they refuse, each provoked for real."""
    sec, member = world.actor("sec"), world.actor("kmember")
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Sak til møtet")
    said = []

    def refused(call) -> None:
        with pytest.raises(EngineError) as caught, session.begin_nested():
            call()
        said.append(str(caught.value))

    day, year = meeting.date, meeting.year
    refused(
        lambda: create_meeting(session, council=world.council, actor=sec, date=date(2020, 3, 5))
    )
    refused(
        lambda: create_meeting(session, council=world.council, actor=sec, date=date(year, 7, 9))
    )
    refused(lambda: create_meeting(session, council=world.council, actor=sec, date=day, kind="x"))
    refused(lambda: plan_year(session, council=world.council, year=2020, actor=sec))
    refused(lambda: move_meeting(session, meeting, actor=sec, date=day))
    refused(lambda: move_meeting(session, meeting, actor=sec, date=day.replace(year=year + 1)))
    refused(lambda: invite_guest(session, meeting, actor=member, name="Gjest"))
    refused(lambda: invite_guest(session, meeting, actor=sec, name=" "))
    refused(lambda: invite_guest(session, meeting, actor=sec, name="Gjest", email="ikke-epost"))
    refused(
        lambda: add_substitute(
            session,
            meeting,
            actor=sec,
            principal=world.people["guest"],
            substitute=world.people["outsider"],
        )
    )
    place_item(session, meeting, item, actor=sec)
    refused(lambda: place_item(session, meeting, item, actor=sec))
    entry = next(e for e in meeting.agenda if e.case_id == item.id)
    refused(lambda: move_entry(session, entry, 99, actor=sec))
    refused(lambda: record_outcome(session, entry, "maybe", actor=sec))
    refused(lambda: declare_disqualification(session, entry, actor=sec, reason="Inhabil"))
    refused(lambda: get_meeting(session, world.council, "hva som helst"))
    assert len(said) == 15
    return said


def test_every_refusal_of_the_meeting_services_is_put_in_words(app, session, world):
    said = meeting_refusals(session, world)
    with app.test_request_context("/"):
        unknown = [message for message in said if reason_in_words(message, "") == message]
    assert unknown == []


def test_a_refused_guest_is_said_beside_the_form_and_in_the_page_language(
    engine, client, session, world, tmp_path
):
    meeting = make_meeting(session, world)
    guest = {"name": "Kari Nordmann", "email": "kari-at-example"}
    log_in(client, session, world.people["sec"])

    page = post(client, url(meeting, "/guests"), guest).get_data(as_text=True)

    assert "Ble ikke lagret: «kari-at-example» er ikke en e-postadresse." in page
    assert ">Ugyldig verdi.</span>" in page
    assert "is not an e-mail address" not in page

    english = english_capable_app(engine, session, tmp_path).test_client()
    log_in(english, session, world.people["sec"])
    post(english, "/language", {"lang": "en", "next": "/"})
    page = post(english, url(meeting, "/guests"), guest).get_data(as_text=True)
    assert "“kari-at-example” is not an e-mail address." in page


def test_the_page_for_a_refusal_says_it_in_norwegian(client, session, world):
    meeting = make_meeting(session, world)
    log_in(client, session, world.people["kmember"])

    response = post(client, url(meeting, "/guests"), {"name": "Kari Nordmann"})

    assert response.status_code == 403
    assert "Bare sekretariatet kan invitere gjester." in response.get_data(as_text=True)
