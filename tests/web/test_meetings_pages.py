"""The meeting pages: the year plan, the meeting page (participants, the agenda builder,
outcomes, approvals, disqualifications, follow-up), the notice and the minutes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.models import Action, Disqualification, Meeting, MinutesComment
from engine.services.cases import fire
from engine.services.meetings import place_item
from tests.web.conftest import log_in, post
from tests.web.meetings_world import (
    clear,
    decide,
    hold,
    make_meeting,
    meeting_days,
    next_year,
    placed,
    proposed_item,
    today,
)


def url(meeting: Meeting, tail: str = "") -> str:
    return f"/testby/meetings/{meeting.year}/{meeting.number}{tail}"


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the year plan --------------------------------------------------------------------


def test_the_secretariat_plans_the_year_with_one_meeting_a_quarter_and_the_seminar(
    client, session, world
):
    log_in(client, session, world.people["sec"])
    year = next_year()

    response = post(client, "/testby/meetings/plan", {"year": str(year)})

    assert response.status_code == 302
    planned = session.scalars(select(Meeting).where(Meeting.year == year)).all()
    assert sorted(m.kind for m in planned) == ["ordinary"] * 4 + ["seminar"]
    page = text(client.get(f"/testby/meetings?year={year}"))
    for meeting in planned:
        assert meeting.label in page
    assert "Ingen møter i dette kvartalet" not in page
    assert "4. kvartal" in page


def test_a_member_sees_the_year_plan_but_not_the_planning_forms(client, session, world):
    make_meeting(session, world)
    log_in(client, session, world.people["kmember"])

    page = text(client.get(f"/testby/meetings?year={next_year()}"))

    assert f"PR 1/{next_year()}" in page
    assert "Planlegg året" not in page
    assert 'action="/testby/meetings/plan"' not in page


def test_a_member_cannot_plan_the_year_by_posting_the_form(client, session, world):
    log_in(client, session, world.people["kmember"])

    response = post(client, "/testby/meetings/plan", {"year": str(next_year())})

    assert response.status_code == 403
    assert session.scalars(select(Meeting)).first() is None


def test_a_meeting_day_the_engine_refuses_is_shown_again_beside_the_date_with_what_was_typed(
    client, session, world
):
    log_in(client, session, world.people["sec"])
    past = today() - timedelta(days=3)

    response = post(
        client,
        "/testby/meetings/new",
        {"date": past.isoformat(), "kind": "ordinary", "location": "Rådhuset, møterom 3"},
    )

    assert response.status_code == 422
    page = text(response)
    assert f"Ble ikke lagret: {past.isoformat()} har passert." in page
    assert '<span class="field-error" id="new-date-error">Har passert.</span>' in page
    assert 'aria-invalid="true" aria-describedby="new-date-error"' in page
    assert 'value="Rådhuset, møterom 3"' in page
    assert f'value="{past.isoformat()}"' in page


def test_the_public_and_people_of_other_councils_do_not_get_the_council_meeting_pages(
    client, session, world
):
    meeting = make_meeting(session, world)

    assert client.get("/testby/meetings").status_code == 302  # to the login page
    log_in(client, session, world.people["outsider"])
    assert client.get("/testby/meetings").status_code == 403
    assert client.get(url(meeting)).status_code == 403
    assert client.get(url(meeting, "/notice")).status_code == 403


def test_an_unknown_meeting_is_not_found(client, session, world):
    log_in(client, session, world.people["sec"])

    assert client.get(f"/testby/meetings/{next_year()}/99").status_code == 404
    assert client.get("/nowhere/meetings").status_code == 404


# --- the agenda builder ---------------------------------------------------------------


def test_the_secretariat_puts_a_proposed_item_on_the_agenda(client, session, world):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    log_in(client, session, world.people["sec"])
    assert "Trygghet på Grønland" in text(client.get(url(meeting)))  # offered as a candidate

    response = post(client, url(meeting, "/agenda"), {"case": str(item.id)})

    assert response.status_code == 302
    session.refresh(meeting)
    assert [e.case_id for e in meeting.agenda][-1] == item.id
    session.refresh(item)
    assert item.state == "scheduled"


def test_the_secretariat_moves_an_item_up_the_agenda(client, session, world):
    meeting = make_meeting(session, world)
    first = proposed_item(session, world, "Første sak")
    second = proposed_item(session, world, "Andre sak")
    placed(session, world, meeting, first, second)
    last = len(meeting.agenda)
    log_in(client, session, world.people["sec"])

    response = post(client, url(meeting, f"/agenda/{last}/move"), {"to": str(last - 1)})

    assert response.status_code == 302
    session.refresh(meeting)
    assert [e.case_id for e in meeting.agenda][-2:] == [second.id, first.id]


def test_the_secretariat_takes_an_item_off_the_agenda_and_it_is_proposed_again(
    client, session, world
):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, meeting, item)
    position = len(meeting.agenda)
    log_in(client, session, world.people["sec"])

    response = post(client, url(meeting, f"/agenda/{position}/remove"))

    assert response.status_code == 302
    session.refresh(meeting)
    assert item.id not in [e.case_id for e in meeting.agenda]
    session.refresh(item)
    assert item.state == "proposed"


def test_an_uncleared_member_sees_a_restricted_item_only_by_its_public_title(
    client, session, world
):
    clear(session, world, "sec")
    meeting = make_meeting(session, world)
    secret = proposed_item(
        session,
        world,
        "Kartlegging av kriminelle nettverk på Tøyen",
        access="restricted",
        public_title="Orientering fra politiet",
    )
    placed(session, world, meeting, secret)
    log_in(client, session, world.people["kmember"])

    page = text(client.get(url(meeting)))

    assert "Orientering fra politiet" in page
    assert "Kartlegging" not in page
    assert secret.number not in page


def test_a_cleared_member_sees_the_real_title_of_a_restricted_item(client, session, world):
    clear(session, world, "sec")
    meeting = make_meeting(session, world)
    secret = proposed_item(
        session,
        world,
        "Kartlegging av kriminelle nettverk på Tøyen",
        access="restricted",
        public_title="Orientering fra politiet",
    )
    placed(session, world, meeting, secret)
    log_in(client, session, world.people["pmember"])

    page = text(client.get(url(meeting)))

    assert "Kartlegging av kriminelle nettverk på Tøyen" in page


def test_the_meeting_page_offers_the_meetings_transitions_and_says_why_not(client, session, world):
    meeting = make_meeting(session, world)
    log_in(client, session, world.people["kmember"])

    page = text(client.get(url(meeting)))

    transitions = page[page.index('id="transitions"') : page.index('id="participants"')]
    assert "Start arbeid med saksliste" in transitions
    assert "/transitions/start_agenda" not in transitions  # no button for a member,
    assert "sekretariatet" in transitions  # but the reason: it needs the secretariat


def test_moving_the_meeting_moves_its_date_and_title(client, session, world):
    first, second = meeting_days()[:2]
    meeting = make_meeting(session, world, first)
    log_in(client, session, world.people["sec"])

    response = post(
        client,
        url(meeting, "/move"),
        {"date": second.isoformat(), "version": str(meeting.case.version)},
    )

    assert response.status_code == 302
    session.refresh(meeting)
    assert meeting.date == second
    assert str(second.year) in meeting.case.title


def test_moving_the_meeting_from_a_stale_page_is_a_conflict(client, session, world):
    first, second = meeting_days()[:2]
    meeting = make_meeting(session, world, first)
    stale = meeting.case.version
    fire(session, meeting.case, "start_agenda", actor=world.actor("sec"))
    log_in(client, session, world.people["sec"])

    response = post(client, url(meeting, "/move"), {"date": second.isoformat(), "version": stale})

    assert response.status_code == 409
    session.refresh(meeting)
    assert meeting.date == first


# --- during and after the meeting -------------------------------------------------------


def test_attendance_is_recorded_for_each_participant_after_the_meeting(client, session, world):
    meeting = make_meeting(session, world)
    hold(session, world, meeting)
    leader, deputy = meeting.participants[:2]
    log_in(client, session, world.people["sec"])

    response = post(
        client,
        url(meeting, "/attendance"),
        {f"attendance-{leader.id}": "present", f"attendance-{deputy.id}": "absent"},
    )

    assert response.status_code == 302
    session.refresh(leader)
    session.refresh(deputy)
    assert (leader.attendance, deputy.attendance) == ("present", "absent")


def test_a_decision_waits_for_both_parties_and_each_leader_approves_on_the_meeting_page(
    app, session, world
):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, meeting, item)
    hold(session, world, meeting)
    position = next(e.position for e in meeting.agenda if e.case_id == item.id)
    sec, leader, deputy = app.test_client(), app.test_client(), app.test_client()
    log_in(sec, session, world.people["sec"])
    log_in(leader, session, world.people["leader"])
    log_in(deputy, session, world.people["deputy"])

    recorded = post(
        sec,
        url(meeting, f"/agenda/{position}/outcome"),
        {"outcome": "decided", "text": "Politirådet ber om en felles plan for Grønland."},
    )
    assert recorded.status_code == 302
    waiting = text(leader.get(url(meeting)))
    assert "Politirådet ber om en felles plan for Grønland." in waiting
    assert "venter" in waiting

    assert post(leader, url(meeting, f"/agenda/{position}/approve")).status_code == 302
    session.refresh(item)
    assert item.state == "deliberated"
    assert "godkjent av Leader" in text(deputy.get(url(meeting)))
    assert post(deputy, url(meeting, f"/agenda/{position}/approve")).status_code == 302
    session.refresh(item)
    assert item.state == "decided"


def test_a_decision_without_its_text_is_shown_again_open_with_the_message(client, session, world):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, meeting, item)
    hold(session, world, meeting)
    position = next(e.position for e in meeting.agenda if e.case_id == item.id)
    log_in(client, session, world.people["sec"])

    response = post(client, url(meeting, f"/agenda/{position}/outcome"), {"outcome": "decided"})

    assert response.status_code == 422
    page = text(response)
    assert "Et vedtak må ha vedtaksteksten." in page
    assert (
        f'<details class="panel" open>\n          <summary>Registrer utfall i sak {position}'
        in (page)
    )
    session.refresh(item)
    assert item.state == "prepared"


def test_a_member_declares_themselves_disqualified_for_an_item(client, session, world):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, meeting, item)
    position = next(e.position for e in meeting.agenda if e.case_id == item.id)
    log_in(client, session, world.people["kmember"])

    response = post(
        client,
        url(meeting, f"/agenda/{position}/disqualifications"),
        {"reason": "Styreleder i et av borettslagene saken gjelder"},
    )

    assert response.status_code == 302
    (declared,) = session.scalars(select(Disqualification)).all()
    assert declared.person_id == world.people["kmember"].id
    assert "Kmember er inhabil" in text(client.get(url(meeting)))


def test_a_follow_up_action_is_recorded_on_a_decided_item(client, session, world):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, meeting, item)
    hold(session, world, meeting)
    decide(session, world, meeting, item, "Politirådet ber om en felles plan.")
    position = next(e.position for e in meeting.agenda if e.case_id == item.id)
    due = meeting.date + timedelta(days=60)
    log_in(client, session, world.people["sec"])

    response = post(
        client,
        url(meeting, f"/agenda/{position}/actions"),
        {
            "description": "Lage en felles plan for Grønland",
            "owner_party": "police",
            "owner_person": str(world.people["pmember"].id),
            "due": due.isoformat(),
        },
    )

    assert response.status_code == 302
    (action,) = session.scalars(select(Action)).all()
    assert (action.owner_party, action.owner_person_id) == ("police", world.people["pmember"].id)
    session.refresh(item)
    assert item.state == "follow_up"
    assert "Lage en felles plan for Grønland" in text(client.get(url(meeting)))


def test_the_next_meetings_notice_lists_an_action_past_its_due_date_as_overdue(
    client, session, world
):
    first_day, second_day = meeting_days()[:2]
    first = make_meeting(session, world, first_day)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, first, item)
    hold(session, world, first)
    decide(session, world, first, item, "Politirådet ber om en felles plan.")
    position = next(e.position for e in first.agenda if e.case_id == item.id)
    second = make_meeting(session, world, second_day)
    log_in(client, session, world.people["sec"])
    post(
        client,
        url(first, f"/agenda/{position}/actions"),
        {
            "description": "Lage en felles plan for Grønland",
            "owner_party": "municipality",
            "due": (second_day - timedelta(days=14)).isoformat(),
        },
    )

    notice = text(client.get(url(second, "/notice")))

    assert "Innkalling til ordinært møte" in notice
    assert "Lage en felles plan for Grønland" in notice
    assert "Forfalt" in notice
    assert "Utkast – innkallingen er ikke sendt." in notice


# --- the minutes ------------------------------------------------------------------------


def test_the_draft_minutes_print_as_a_document_and_members_comment_on_them_in_review(
    client, session, world
):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, meeting, item)
    hold(session, world, meeting)
    fire(session, meeting.case, "draft_minutes", actor=world.actor("sec"))
    fire(session, meeting.case, "circulate_minutes", actor=world.actor("sec"))
    log_in(client, session, world.people["kmember"])

    page = text(client.get(url(meeting, "/minutes")))
    assert f"<h1>Protokoll fra møte {meeting.label} i Politirådet i testby</h1>" in page
    assert f"<h3>Sak 3: Trygghet på Grønland (sak {item.number})</h3>" in page

    response = post(client, url(meeting, "/minutes/comments"), {"text": "Rett navnet i sak 3."})

    assert response.status_code == 302
    (comment,) = session.scalars(select(MinutesComment)).all()
    assert comment.text == "Rett navnet i sak 3."
    assert "Rett navnet i sak 3." in text(client.get(url(meeting, "/minutes")))


def test_an_empty_comment_on_the_minutes_is_refused_beside_the_field(client, session, world):
    meeting = make_meeting(session, world)
    hold(session, world, meeting)
    fire(session, meeting.case, "draft_minutes", actor=world.actor("sec"))
    fire(session, meeting.case, "circulate_minutes", actor=world.actor("sec"))
    log_in(client, session, world.people["kmember"])

    response = post(client, url(meeting, "/minutes/comments"), {"text": "  "})

    assert response.status_code == 422
    assert 'id="comment-text-error"' in text(response)


def test_unpublished_minutes_are_for_the_council_members_only(client, session, world):
    meeting = make_meeting(session, world)
    hold(session, world, meeting)
    fire(session, meeting.case, "draft_minutes", actor=world.actor("sec"))
    log_in(client, session, world.people["reporter"])

    assert client.get(url(meeting, "/minutes")).status_code == 403


def test_minutes_before_the_draft_is_started_are_not_found(client, session, world):
    meeting = make_meeting(session, world)
    log_in(client, session, world.people["sec"])

    assert client.get(url(meeting, "/minutes")).status_code == 404


def test_the_secretariat_writes_the_draft_again_after_correcting_the_record(client, session, world):
    meeting = make_meeting(session, world)
    hold(session, world, meeting)
    fire(session, meeting.case, "draft_minutes", actor=world.actor("sec"))
    leader = meeting.participants[0]
    log_in(client, session, world.people["sec"])
    assert "Til stede" not in text(client.get(url(meeting, "/minutes")))
    post(client, url(meeting, "/attendance"), {f"attendance-{leader.id}": "present"})

    response = post(client, url(meeting, "/minutes/write"))

    assert response.status_code == 302
    assert "<h2>Til stede</h2>" in text(client.get(url(meeting, "/minutes")))


def test_the_meeting_pages_speak_english_on_request(client, session, world):
    meeting = make_meeting(session, world)
    log_in(client, session, world.people["sec"])
    post(client, "/language", {"lang": "en"})

    page = text(client.get(url(meeting)))

    assert 'lang="en"' in page
    assert "Planned" in page  # the workflow's English label of the state


def test_an_item_deferred_at_the_meeting_moves_to_the_chosen_later_meeting(client, session, world):
    first_day, second_day = meeting_days()[:2]
    first = make_meeting(session, world, first_day)
    second = make_meeting(session, world, second_day)
    item = proposed_item(session, world, "Trygghet på Grønland")
    placed(session, world, first, item)
    hold(session, world, first)
    position = next(e.position for e in first.agenda if e.case_id == item.id)
    log_in(client, session, world.people["sec"])

    response = post(
        client,
        url(first, f"/agenda/{position}/outcome"),
        {"outcome": "deferred", "text": "Trenger mer tid", "to_meeting": str(second.case_id)},
    )

    assert response.status_code == 302
    session.refresh(second)
    assert item.id in [e.case_id for e in second.agenda]
    page = text(client.get(url(first)))
    assert "Utsatt" in page


def test_the_leader_approves_the_minutes_from_the_meeting_page(client, session, world):
    meeting = make_meeting(session, world)
    hold(session, world, meeting)
    fire(session, meeting.case, "draft_minutes", actor=world.actor("sec"))
    fire(session, meeting.case, "circulate_minutes", actor=world.actor("sec"))
    log_in(client, session, world.people["leader"])

    page = text(client.get(url(meeting)))

    assert "Godkjenn referat" in page
    assert f'name="next" value="{url(meeting)}"' in page  # the case's form comes back here


def test_the_secretariat_invites_a_guest_to_the_meeting(client, session, world):
    meeting = make_meeting(session, world)
    log_in(client, session, world.people["sec"])

    response = post(
        client,
        url(meeting, "/guests"),
        {"name": "Kari Nordmann", "organisation": "Grønland næringsforening", "email": ""},
    )

    assert response.status_code == 302
    session.refresh(meeting)
    guest = meeting.participants[-1]
    assert (guest.name, guest.role) == ("Kari Nordmann", "guest")
    assert "Grønland næringsforening" in text(client.get(url(meeting)))


def test_a_reporter_sees_an_exempt_item_by_its_public_title_and_legal_basis(client, session, world):
    meeting = make_meeting(session, world)
    exempt = proposed_item(
        session,
        world,
        "Bekymringsmelding om en navngitt skole",
        access="exempt",
        public_title="Sak om en skole",
        legal_basis="offl. § 13 første ledd",
    )
    placed(session, world, meeting, exempt)
    log_in(client, session, world.people["reporter"])

    page = text(client.get(url(meeting)))

    assert "Sak om en skole" in page
    assert "Unntatt offentlighet, offl. § 13 første ledd" in page
    assert "navngitt" not in page


def test_an_item_without_a_ready_memo_says_so_instead_of_offering_an_outcome(
    client, session, world
):
    meeting = make_meeting(session, world)
    item = proposed_item(session, world, "Trygghet på Grønland")
    entry = place_item(session, meeting, item, actor=world.actor("sec"))
    hold(session, world, meeting)
    log_in(client, session, world.people["sec"])

    page = text(client.get(url(meeting)))

    assert "Saksframlegget er ikke meldt klart" in page
    assert f"Registrer utfall i sak {entry.position}" not in page


def test_the_minutes_on_review_say_which_party_has_approved_them(client, session, world):
    meeting = make_meeting(session, world)
    hold(session, world, meeting)
    fire(session, meeting.case, "draft_minutes", actor=world.actor("sec"))
    fire(session, meeting.case, "circulate_minutes", actor=world.actor("sec"))
    fire(session, meeting.case, "approve_minutes", actor=world.actor("deputy"))
    log_in(client, session, world.people["kmember"])

    page = text(client.get(url(meeting, "/minutes")))

    assert "Politiet: godkjent av Deputy" in page
    assert "Kommunen: venter" in page


def test_the_year_plan_says_how_many_ordinary_meetings_there_are_and_whether_the_seminar_is_planned(
    client, session, world
):
    make_meeting(session, world)
    log_in(client, session, world.people["kmember"])

    page = text(client.get(f"/testby/meetings?year={next_year()}"))

    assert "Ordinære møter: 1." in page
    assert "<strong>Seminaret er ikke planlagt.</strong>" in page
