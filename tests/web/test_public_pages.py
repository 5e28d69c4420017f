"""The public pages, without logging in: councils, the meeting calendar, public agendas and
published minutes, with public titles only."""

from __future__ import annotations

from engine.models import Meeting
from engine.services.cases import fire
from tests.web.meetings_world import (
    clear,
    convene,
    decide,
    hold,
    make_meeting,
    meeting_days,
    next_year,
    placed,
    proposed_item,
    publish_minutes,
)

SECRET = "Kartlegging av kriminelle nettverk på Tøyen"
EXEMPT = "Bekymringsmelding om en navngitt skole"


def text(response) -> str:
    return response.get_data(as_text=True)


def public_url(meeting: Meeting) -> str:
    return f"/public/testby/meetings/{meeting.year}/{meeting.number}"


def screened_meeting(session, world) -> Meeting:
    """A meeting with a public, an exempt and a restricted item on its agenda."""
    clear(session, world, "sec")
    meeting = make_meeting(session, world)
    public = proposed_item(session, world, "Trygghet på Grønland")
    exempt = proposed_item(
        session,
        world,
        EXEMPT,
        access="exempt",
        public_title="Sak om en skole",
        legal_basis="offl. § 13 første ledd",
    )
    secret = proposed_item(
        session, world, SECRET, access="restricted", public_title="Orientering fra politiet"
    )
    placed(session, world, meeting, public, exempt, secret)
    return meeting


def test_the_public_sees_the_councils_with_links_to_their_calendars(client, world):
    page = text(client.get("/public/"))

    assert "Politirådet i testby" in page
    assert 'href="/public/testby/"' in page


def test_the_meeting_calendar_lists_the_years_meetings_without_a_login(client, session, world):
    first, second = meeting_days()[:2]
    one = make_meeting(session, world, first)
    two = make_meeting(session, world, second)

    response = client.get(f"/public/testby/?year={next_year()}")

    assert response.status_code == 200
    page = text(response)
    assert public_url(one) in page and public_url(two) in page
    assert "Logg inn" in page  # nobody is logged in


def test_an_unknown_council_has_no_public_calendar(client, world):
    assert client.get("/public/nowhere/").status_code == 404


def test_the_agenda_is_not_public_before_the_notice_is_sent(client, session, world):
    meeting = screened_meeting(session, world)

    page = text(client.get(public_url(meeting)))

    assert "Sakslisten publiseres når innkallingen er sendt." in page
    assert "Trygghet på Grønland" not in page


def test_the_public_agenda_shows_public_titles_an_exempt_items_legal_basis_and_nothing_more(
    client, session, world
):
    meeting = screened_meeting(session, world)
    convene(session, world, meeting)

    page = text(client.get(public_url(meeting)))

    assert "Trygghet på Grønland" in page
    assert "Sak om en skole" in page
    assert "Unntatt offentlighet, offl. § 13 første ledd" in page
    assert "Orientering fra politiet" in page
    assert EXEMPT not in page
    assert SECRET not in page
    assert "Tøyen" not in page


def test_published_minutes_and_decisions_are_public_and_still_screened(client, session, world):
    meeting = screened_meeting(session, world)
    hold(session, world, meeting)
    public_item = next(e.case for e in meeting.agenda if e.case and e.case.access == "public")
    decide(session, world, meeting, public_item, "Politirådet ber om en felles plan.")
    publish_minutes(session, world, meeting)

    page = text(client.get(public_url(meeting)))

    assert "Politirådet ber om en felles plan." in page
    assert f"Protokoll fra møte {meeting.label}" in page
    assert "Sak om en skole" in page
    assert EXEMPT not in page
    assert SECRET not in page


def test_minutes_are_not_public_before_they_are_published(client, session, world):
    meeting = screened_meeting(session, world)
    hold(session, world, meeting)
    public_item = next(e.case for e in meeting.agenda if e.case and e.case.access == "public")
    decide(session, world, meeting, public_item, "Politirådet ber om en felles plan.")

    page = text(client.get(public_url(meeting)))

    assert "Protokollen publiseres når begge parter har godkjent den." in page
    assert "Politirådet ber om en felles plan." not in page


def test_a_cancelled_meeting_says_so_in_the_calendar(client, session, world):
    meeting = make_meeting(session, world)
    fire(session, meeting.case, "cancel", actor=world.actor("sec"), comment="Ingen saker")

    page = text(client.get(f"/public/testby/?year={meeting.year}"))

    assert "<strong>Avlyst</strong>" in page


def test_the_minutes_archive_lists_only_meetings_with_published_minutes(client, session, world):
    first, second = meeting_days()[:2]
    published = make_meeting(session, world, first)
    hold(session, world, published)
    publish_minutes(session, world, published)
    planned = make_meeting(session, world, second)

    page = text(client.get("/public/testby/meetings"))

    assert public_url(published) in page
    assert public_url(planned) not in page
