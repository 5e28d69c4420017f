"""Calendar feeds: the council's public meeting calendar and each person's secret feed."""

# ruff: noqa: F811  (the web fixtures are imported by name)

from __future__ import annotations

from datetime import date, time

import pytest
from icalendar import Calendar
from sqlalchemy import select

from engine.calendar_feeds import (
    active_feed,
    create_feed,
    feed_owner,
    personal_calendar,
    public_calendar,
    revoke_feed,
)
from engine.errors import NotFound
from engine.models import FeedToken
from engine.services import fire, open_case
from engine.services.followup import add_action
from engine.services.meetings import create_meeting, place_item
from tests.clock import NOW
from tests.engine.test_followup import decided_item
from tests.web.conftest import app, client, csrf_token, log_in, post  # noqa: F401

MEETING_DAY = date(2026, 3, 26)


def events(ics: bytes) -> list:
    return [c for c in Calendar.from_ical(ics).walk("VEVENT")]


def summaries(ics: bytes) -> list[str]:
    return [str(e["SUMMARY"]) for e in events(ics)]


def item(session, world, title, *, meeting=None, **access):
    by = world.actor("sec")
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=by,
        priority_areas=[world.area(session).id],
        now=NOW,
        **access,
    )
    fire(session, case, "propose", actor=by, now=NOW)
    if meeting is not None:
        place_item(session, meeting, case, actor=by, now=NOW)
    return case


@pytest.fixture
def meeting(session, world):
    return create_meeting(
        session,
        council=world.council,
        actor=world.actor("sec"),
        date=MEETING_DAY,
        kind="ordinary",
        location="Rådhuset",
        starts_at=time(10, 0),
        now=NOW,
    )


@pytest.fixture
def agenda(session, world, meeting):
    """Three items: public, exempt (public title only) and restricted (hidden from most)."""
    for seat in world.people["sec"].memberships:
        seat.cleared = True  # a restricted item is handled by a cleared secretariat
    session.flush()
    return {
        "public": item(session, world, "Trygghet på Grønland", meeting=meeting),
        "exempt": item(
            session,
            world,
            "Vaktrutiner ved Vaterland",
            meeting=meeting,
            access="exempt",
            legal_basis="offl. § 24 tredje ledd",
            public_title="Sikkerhetstiltak i sentrum",
        ),
        "restricted": item(
            session,
            world,
            "PST-vurdering av miljøet på Tøyen",
            meeting=meeting,
            access="restricted",
            public_title="Trusselvurdering",
        ),
    }


def test_the_public_calendar_shows_each_meeting_at_its_oslo_time_and_place(session, world, meeting):
    (event,) = events(public_calendar(session, world.council, now=NOW))
    assert str(event["SUMMARY"]).startswith("PR 1/2026: ")
    assert event.decoded("DTSTART").isoformat() == "2026-03-26T09:00:00+00:00"  # 10:00 in Oslo
    assert str(event["LOCATION"]) == "Rådhuset"
    assert str(event["UID"]) == f"meeting-{meeting.case_id}@testby.politirad"


def test_the_public_calendar_shows_exempt_items_by_public_title_and_no_restricted_ones(
    session, world, meeting, agenda
):
    ics = public_calendar(session, world.council, now=NOW)
    text = Calendar.from_ical(ics).walk("VEVENT")[0].decoded("DESCRIPTION")
    assert "Trygghet på Grønland" in text
    assert "Sikkerhetstiltak i sentrum" in text
    assert "Vaktrutiner" not in text
    assert "Tøyen" not in text and "Trusselvurdering" not in text


def test_a_cleared_members_own_feed_still_shows_no_more_than_public_titles(
    session, world, meeting, agenda
):
    ics = personal_calendar(session, world.people["leader"], now=NOW)
    (event,) = [e for e in events(ics) if str(e["UID"]).startswith("meeting-")]
    text = event.decoded("DESCRIPTION")
    assert "Trusselvurdering" in text  # the leader is cleared: they know the item exists
    assert "PST-vurdering" not in text and "Tøyen" not in text
    assert "Vaktrutiner" not in text
    assert "Trygghet på Grønland" in text


def test_an_uncleared_members_feed_does_not_know_the_restricted_item(
    session, world, meeting, agenda
):
    ics = personal_calendar(session, world.people["kmember"], now=NOW)
    assert b"Trusselvurdering" not in ics and "Trusselvurdering" not in str(events(ics))
    assert any(s.startswith("PR 1/2026") for s in summaries(ics))


def test_an_outsiders_feed_has_no_meetings_of_a_council_they_do_not_sit_on(session, world, meeting):
    assert events(personal_calendar(session, world.people["outsider"], now=NOW)) == []


def test_an_action_owner_sees_its_due_date_and_an_exempt_cases_action_by_public_title(
    session, world
):
    public = decided_item(session, world, "Belysning i parken")
    exempt = decided_item(
        session,
        world,
        "Patruljeruter ved Vaterland",
        access="exempt",
        legal_basis="offl. § 24 tredje ledd",
        public_title="Tiltak i sentrum",
    )
    owner = world.people["kmember"]
    for case, text in ((public, "Sette opp lys"), (exempt, "Endre patruljeruten i Vaterland")):
        add_action(
            session,
            case,
            actor=world.actor("sec"),
            description=text,
            owner_party="municipality",
            owner_person=owner,
            due=date(2026, 4, 15),
            now=NOW,
        )
    ics = personal_calendar(session, owner, now=NOW)
    actions = [e for e in events(ics) if str(e["UID"]).startswith("action-")]
    assert sorted(str(e["SUMMARY"]) for e in actions) == sorted(
        [
            f"Oppfølging {public.number}: Sette opp lys",
            f"Oppfølging {exempt.number}: Tiltak i sentrum",
        ]
    )
    assert all(e.decoded("DTSTART") == date(2026, 4, 15) for e in actions)
    assert b"patruljeruten" not in ics.lower() and b"Vaterland" not in ics


def test_the_secretariat_sees_the_deadlines_of_the_councils_cases_on_their_day(
    session, world, meeting
):
    fire(session, meeting.case, "start_agenda", actor=world.actor("sec"), now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("leader"), now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("deputy"), now=NOW)
    ics = personal_calendar(session, world.people["sec"], now=NOW)
    (notice,) = [e for e in events(ics) if str(e["SUMMARY"]).startswith("Frist for innkalling")]
    assert notice.decoded("DTSTART") == date(2026, 3, 19)  # seven days before the meeting
    assert events(personal_calendar(session, world.people["kmember"], now=NOW)) != []
    member = events(personal_calendar(session, world.people["kmember"], now=NOW))
    assert not any(str(e["SUMMARY"]).startswith("Frist") for e in member)


def test_a_feed_token_is_stored_only_as_its_hash_and_opens_its_owners_feed(session, world):
    person = world.people["leader"]
    token = create_feed(session, person, now=NOW)
    stored = session.scalars(select(FeedToken.token_hash)).all()
    assert token not in stored and len(stored) == 1
    assert feed_owner(session, token) is person
    assert active_feed(session, person) is not None


def test_a_new_feed_link_ends_the_old_one_and_revoking_ends_the_feed(session, world):
    person = world.people["leader"]
    old = create_feed(session, person, now=NOW)
    new = create_feed(session, person, now=NOW)
    with pytest.raises(NotFound):
        feed_owner(session, old)
    assert feed_owner(session, new) is person
    assert revoke_feed(session, person, now=NOW) is True
    with pytest.raises(NotFound):
        feed_owner(session, new)
    assert active_feed(session, person) is None
    assert revoke_feed(session, person, now=NOW) is False


def test_a_deactivated_persons_feed_stops_working(session, world):
    person = world.people["kmember"]
    token = create_feed(session, person, now=NOW)
    person.active = False
    session.flush()
    with pytest.raises(NotFound):
        feed_owner(session, token)


# --- the web ------------------------------------------------------------------------------


def test_anyone_may_fetch_a_councils_public_calendar(client, world, meeting):
    response = client.get("/public/testby/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = events(response.data)
    assert str(event["URL"]).endswith("/public/testby/meetings/2026/1")


def test_an_unknown_councils_calendar_is_not_found(client, world):
    assert client.get("/public/nowhere/calendar.ics").status_code == 404


def test_the_public_calendar_is_made_again_at_once_when_what_it_shows_changes(
    client, session, world, meeting
):
    def fetch() -> bytes:
        response = client.get("/public/testby/calendar.ics")
        assert response.status_code == 200
        return response.data

    first = fetch()
    assert fetch() == first  # unchanged inputs: the same feed, DTSTAMP included
    item(session, world, "Trygghet på Grønland", meeting=meeting)
    (event,) = events(fetch())
    assert "Trygghet på Grønland" in event.decoded("DESCRIPTION")
    entry = meeting.agenda[-1]
    entry.case.title = "Trygghet ved Vaterland"
    session.flush()
    (event,) = events(fetch())
    assert "Trygghet ved Vaterland" in event.decoded("DESCRIPTION")
    entry.case.access, entry.case.public_title = "exempt", "Sak om trygghet"
    entry.case.legal_basis = "offl. § 24 tredje ledd"
    session.flush()
    text = events(fetch())[0].decoded("DESCRIPTION")
    assert "Sak om trygghet" in text and "Vaterland" not in text
    meeting.location, meeting.starts_at = "Politihuset", time(12, 0)
    session.flush()
    (event,) = events(fetch())
    assert str(event["LOCATION"]) == "Politihuset"
    assert event.decoded("DTSTART").isoformat() == "2026-03-26T11:00:00+00:00"
    fire(session, meeting.case, "cancel", actor=world.actor("sec"), comment="Avlyst", now=NOW)
    (event,) = events(fetch())
    assert str(event["STATUS"]) == "CANCELLED"
    session.delete(meeting)
    session.flush()
    assert events(fetch()) == []


def test_the_calendar_page_needs_a_login(client, world):
    response = client.get("/me/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_person_makes_a_feed_link_sees_it_once_and_the_link_serves_their_feed(
    client, session, world, meeting
):
    log_in(client, session, world.people["sec"])
    created = post(client, "/me/calendar")
    assert created.status_code == 200
    page = created.get_data(as_text=True)
    url = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    path = url.split("localhost", 1)[1]
    assert path.startswith("/feeds/") and path.endswith(".ics")
    again = client.get("/me/calendar").get_data(as_text=True)
    assert path not in again and "Du har en kalenderlenke" in again
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    feed = client.get(path)
    assert feed.status_code == 200 and feed.headers["Cache-Control"] == "private, no-store"
    assert any(s.startswith("PR 1/2026") for s in summaries(feed.data))


def test_a_revoked_feed_link_is_not_found(client, session, world):
    person = world.people["sec"]
    token = create_feed(session, person, now=NOW)
    log_in(client, session, person)
    response = post(client, "/me/calendar/revoke")
    assert response.status_code == 302
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert client.get("/feeds/not-a-token.ics").status_code == 404


def test_a_cancelled_meeting_stays_in_the_calendar_marked_cancelled(session, world, meeting):
    fire(session, meeting.case, "cancel", actor=world.actor("sec"), comment="Avlyst", now=NOW)
    (event,) = events(public_calendar(session, world.council, now=NOW))
    assert str(event["STATUS"]) == "CANCELLED"
