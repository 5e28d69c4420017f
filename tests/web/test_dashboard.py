"""The dashboard (oversikt) and the inbox: what waits for this person in this council."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.clock import use_clock
from engine.models import Action, Finding, InboxMessage
from engine.services.cases import fire, open_case
from engine.services.meetings import create_meeting, proposed_dates
from tests.clock import NOW
from tests.web.conftest import log_in, post


@pytest.fixture(autouse=True)
def clock():
    with use_clock(lambda: NOW):
        yield


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def board(client, status=200) -> str:
    response = client.get("/testby/")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return text_of(response.get_data(as_text=True))


def negotiated_agreement(session, world, title="Samarbeidsavtale 2026–2028"):
    case = open_case(
        session,
        council=world.council,
        kind="agreement_revision",
        title=title,
        actor=world.actor("sec"),
    )
    fire(session, case, "negotiate", actor=world.actor("sec"), data={"agreement_text": "§ 1"})
    return case


def test_the_front_page_sends_a_person_to_their_councils_dashboard(client, session, world):
    log_in(client, session, world.people["kmember"])
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/testby/"


def test_the_public_front_page_lists_the_councils_with_their_public_pages(client, world):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/public/testby/"' in html and "Politirådet i testby" in html


def test_only_people_with_a_seat_see_a_councils_dashboard(client, session, world):
    log_in(client, session, world.people["outsider"])
    assert client.get("/testby/").status_code == 403
    assert client.get("/testby/inbox").status_code == 403
    assert client.get("/nowhere/").status_code == 404


def test_an_approval_waits_for_each_party_until_it_has_given_it(client, session, world, app):
    treaty = negotiated_agreement(session, world)
    log_in(client, session, world.people["leader"])
    assert "Venter på din godkjenning (1)" in board(client)
    fire(session, treaty, "endorse", actor=world.actor("leader"))
    assert "Venter på din godkjenning (0)" in board(client)
    deputy = app.test_client()
    log_in(deputy, session, world.people["deputy"])
    words = board(deputy)
    assert "Venter på din godkjenning (1)" in words
    assert "Kommunen har godkjent (Leader)" in words and treaty.number in words
    member = app.test_client()
    log_in(member, session, world.people["kmember"])
    assert "Venter på din godkjenning (0)" in board(member)


def test_a_refusal_or_an_extension_is_an_option_not_an_approval_waiting(client, session, world):
    proposed = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Innmeldt sak",
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
    )
    fire(session, proposed, "propose", actor=world.actor("sec"))  # may be rejected by both
    log_in(client, session, world.people["leader"])
    assert "Venter på din godkjenning (0)" in board(client)
    fire(session, proposed, "reject", actor=world.actor("deputy"), comment="Hører ikke hit")
    assert "Venter på din godkjenning (1)" in board(client)  # begun by the police


def add_action(session, world, login, description, due):
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=f"Sak for {description}",
        actor=world.actor("sec"),
    )
    action = Action(
        case_id=case.id,
        description=description,
        owner_party="municipality",
        owner_person_id=world.people[login].id,
        due=due,
        created_at=NOW,
    )
    session.add(action)
    session.flush()
    return action


def test_my_actions_are_listed_soonest_first_and_overdue_ones_are_marked(client, session, world):
    today = NOW.date()
    add_action(session, world, "kmember", "Kartlegge belysning", today + timedelta(days=20))
    add_action(session, world, "kmember", "Rapportere tall", today - timedelta(days=3))
    add_action(session, world, "pmember", "Politiets del", today)
    log_in(client, session, world.people["kmember"])
    words = board(client)
    assert "Mine oppfølgingspunkter (2)" in words and "Politiets del" not in words
    assert words.index("Rapportere tall") < words.index("Kartlegge belysning")
    assert "forfalt" in words[words.index("Rapportere tall") : words.index("Kartlegge belysning")]


def test_this_weeks_deadlines_are_shown_and_later_ones_are_not(client, session, world):
    def proposed(title, meeting_date):
        case = open_case(
            session,
            council=world.council,
            kind="agenda_item",
            title=title,
            actor=world.actor("sec"),
            priority_areas=[world.area(session).id],
            data={"meeting_date": meeting_date},
        )
        fire(session, case, "propose", actor=world.actor("sec"))

    proposed("Snart møte", "2026-03-25")  # intake closes 4 March, this week
    proposed("Senere møte", "2026-05-20")  # intake closes in April
    log_in(client, session, world.people["kmember"])
    words = board(client)
    assert "Frister denne uken (1)" in words
    assert "Innmeldingsfrist" in words and "Snart møte" in words and "4. mars 2026" in words
    assert "Senere møte" not in words


def test_upcoming_meetings_and_the_years_quarters_are_shown(client, session, world):
    days = [day for kind, day in proposed_dates(2026, today=NOW.date()) if kind == "ordinary"]
    meeting = create_meeting(
        session, council=world.council, actor=world.actor("sec"), date=days[0], location="Rådhuset"
    )
    log_in(client, session, world.people["kmember"])
    html = client.get("/testby/").get_data(as_text=True)
    words = text_of(html)
    assert f"/testby/meetings/{meeting.year}/{meeting.number}" in html
    assert meeting.label in words and "Rådhuset" in words
    for quarter in range(1, 5):
        assert f"{quarter}. kvartal" in words
    assert "Seminar" in words


def test_open_findings_are_shown_and_resolved_ones_are_not(client, session, world):
    session.add_all(
        [
            Finding(
                council_id=world.council.id,
                rule="quarterly_meeting",
                period="2026-Q1",
                since=NOW,
                detail="Ingen ordinære møter i 1. kvartal 2026.",
            ),
            Finding(
                council_id=world.council.id,
                rule="seminar",
                period="2026",
                since=NOW,
                detail="Et gammelt avvik som er lukket.",
                resolved_at=NOW,
                resolution="Seminar holdt",
            ),
        ]
    )
    session.flush()
    log_in(client, session, world.people["kmember"])
    words = board(client)
    assert "Åpne avvik (1)" in words and "Ingen ordinære møter i 1. kvartal 2026." in words
    assert "Et gammelt avvik" not in words


def message(session, person, subject, minutes=0, case=None):
    row = InboxMessage(
        person_id=person.id,
        subject=subject,
        body="",
        created_at=NOW + timedelta(minutes=minutes),
        case_id=case.id if case else None,
    )
    session.add(row)
    session.flush()
    return row


def test_the_inbox_shows_my_messages_newest_first_and_marks_them_read(client, session, world):
    me = world.people["kmember"]
    case = open_case(
        session, council=world.council, kind="agenda_item", title="Sak", actor=world.actor("sec")
    )
    older = message(session, me, "Sak 2026/1 er innmeldt", 0, case=case)
    message(session, me, "Innkalling til møte", 5)
    message(session, world.people["pmember"], "Ikke din melding", 10)
    log_in(client, session, me)
    words = board(client)
    assert "(2 uleste)" in words and "Ikke din melding" not in words
    assert words.index("Innkalling til møte") < words.index("Sak 2026/1 er innmeldt")
    assert post(client, "/testby/inbox", {"message": str(older.id)}).status_code == 302
    assert "(1 ulest)" in board(client)
    assert post(client, "/testby/inbox", {}).status_code == 302
    assert "(0 uleste)" in board(client)
    html = client.get("/testby/inbox").get_data(as_text=True)
    assert "Innkalling til møte" in html and "Ikke din melding" not in html
    assert f'href="/testby/cases/{case.number}"' in html


def test_marking_anothers_message_read_changes_nothing(client, session, world):
    theirs = message(session, world.people["pmember"], "Ikke din melding")
    log_in(client, session, world.people["kmember"])
    post(client, "/testby/inbox", {"message": str(theirs.id)})
    session.refresh(theirs)
    assert theirs.read_at is None


def test_the_dashboard_hides_restricted_cases_from_the_uncleared(client, session, world, app):
    secret = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="PST-informasjon",
        public_title="Sikkerhetsorientering",
        access="restricted",
        actor=world.actor("pmember"),  # cleared
        priority_areas=[world.area(session).id],
        data={"meeting_date": "2026-03-25"},
    )
    fire(session, secret, "propose", actor=world.actor("pmember"))
    log_in(client, session, world.people["kmember"])  # not cleared
    words = board(client)
    assert "Frister denne uken (0)" in words and "Sikkerhetsorientering" not in words
    cleared = app.test_client()
    log_in(cleared, session, world.people["pmember"])
    assert "PST-informasjon" in board(cleared)
