"""A stale form: "someone changed this case; here is what changed" (409)."""

from __future__ import annotations

from engine.services import fire, update_case
from tests.clock import NOW
from tests.engine.test_cases import agenda_item, meeting
from tests.web.conftest import log_in, post
from tests.web.english import english_capable_app
from tests.web.meetings_world import make_meeting, meeting_days


def test_a_form_sent_after_someone_changed_the_case_shows_what_they_changed(client, session, world):
    item = agenda_item(session, world)
    rendered_with = item.version
    meet = meeting(session, world)
    update_case(session, item, actor=world.actor("leader"), changes={"meeting": meet}, now=NOW)
    fire(session, item, "propose", actor=world.actor("kmember"), comment="Haster", now=NOW)
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        f"/testby/cases/{item.number}/transitions/propose",
        {"version": str(rendered_with), "comment": "Mitt forslag"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saken er endret av noen andre" in page
    assert "Dette er endret" in page
    assert page.count("<tr>") == 3  # the header, the edit and the transition
    assert "Leader" in page and "Kmember" in page and "Haster" in page
    assert "→" in page
    assert "Endret Møte" in page and "meeting_id" not in page
    assert f'href="/testby/cases/{item.number}"' in page
    assert "Mitt forslag" not in page  # nothing of the refused form was stored or echoed


def test_a_stale_form_in_english_is_explained_in_english(engine, session, world, tmp_path):
    client = english_capable_app(engine, session, tmp_path).test_client()
    item = agenda_item(session, world)
    rendered_with = item.version
    meet = meeting(session, world)
    update_case(session, item, actor=world.actor("leader"), changes={"meeting": meet}, now=NOW)
    log_in(client, session, world.people["sec"])
    post(client, "/language", {"lang": "en"})
    response = post(
        client,
        f"/testby/cases/{item.number}/transitions/propose",
        {"version": str(rendered_with)},
    )
    assert response.status_code == 409
    assert "Someone else changed this case" in response.get_data(as_text=True)


def test_a_stale_form_on_a_meeting_page_shows_what_changed_on_the_meeting(client, session, world):
    meeting = make_meeting(session, world)
    rendered_with = meeting.case.version
    fire(session, meeting.case, "start_agenda", actor=world.actor("sec"), comment="I gang")
    log_in(client, session, world.people["sec"])
    response = post(
        client,
        f"/testby/meetings/{meeting.year}/{meeting.number}/move",
        {"version": str(rendered_with), "date": meeting_days()[1].isoformat()},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Dette er endret" in page and "I gang" in page
    assert f'href="/testby/meetings/{meeting.year}/{meeting.number}"' in page
