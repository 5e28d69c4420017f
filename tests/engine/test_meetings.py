"""Meetings: the year's plan, participants, the agenda, outcomes and the notice."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.actors import Actor, load_actor
from engine.calendar import deadline_moment, is_working_day
from engine.db import make_engine, session_factory
from engine.errors import (
    Conflict,
    GuardFailed,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from engine.models import (
    AgendaEntry,
    Approval,
    CaseEvent,
    Council,
    Deadline,
    Disqualification,
    Meeting,
    OutboxMessage,
)
from engine.seeding import make_world
from engine.services import fire, open_case
from engine.services.followup import add_action
from engine.services.meetings import (
    add_substitute,
    approve_decision,
    blocked_period,
    create_meeting,
    declare_disqualification,
    defer_item,
    ensure_standing_items,
    entry_title,
    get_entry,
    get_meeting,
    invite_guest,
    list_meetings,
    long_date,
    meeting_title,
    move_entry,
    move_meeting,
    place_item,
    plan_year,
    proposed_dates,
    record_attendance,
    record_outcome,
    remove_item,
    why_not_meeting_day,
)
from engine.services.people import add_membership, create_person
from tests.clock import NOW
from tests.databases import fresh_database, migrate
from web.cli import main

Q1_DAY = date(2026, 3, 26)  # a Thursday
Q2_DAY = date(2026, 5, 21)
EASTER_WEEK_2026 = (date(2026, 3, 29), date(2026, 4, 6))
JUNE = date(2026, 6, 1)  # a Monday


def meeting_on(session, world, day=Q1_DAY, kind="ordinary", **kwargs):
    return create_meeting(
        session, council=world.council, actor=world.actor("sec"), date=day, kind=kind, now=NOW,
        **kwargs,
    )  # fmt: skip


def proposed_item(session, world, title="Trygghet på Grønland", **kwargs):
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
        now=NOW,
        **kwargs,
    )
    fire(session, case, "propose", actor=world.actor("sec"), now=NOW)
    return case


def prepared_entry(session, world, meeting, title="Trygghet på Grønland"):
    entry = place_item(
        session, meeting, proposed_item(session, world, title), actor=world.actor("sec"), now=NOW
    )
    memo = {"memo": "Saksframlegg", "access_assessed": True}
    fire(session, entry.case, "prepare", actor=world.actor("sec"), data=memo, now=NOW)
    return entry


def convene(session, world, meeting, *, by=None):
    sec = world.actor("sec")
    fire(session, meeting.case, "start_agenda", actor=sec, now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("leader"), now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("deputy"), now=NOW)
    fire(session, meeting.case, "convene", actor=by or sec, now=NOW)


def hold(session, world, meeting):
    convene(session, world, meeting)
    fire(session, meeting.case, "hold", actor=world.actor("sec"), now=NOW)


def events(session, case, kind=None):
    query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    return [e for e in session.scalars(query) if kind is None or e.kind == kind]


def notices(session, meeting):
    query = select(OutboxMessage).where(
        OutboxMessage.case_id == meeting.case_id, OutboxMessage.topic == "notice"
    )
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def notice_for(session, meeting, person):
    (message,) = [m for m in notices(session, meeting) if m.recipient_id == person.id]
    return message


# --- dates and the year's plan ----------------------------------------------------------


def test_dates_and_meeting_titles_are_written_in_norwegian():
    assert long_date(Q1_DAY) == "26. mars 2026"
    assert long_date(Q1_DAY, weekday=True) == "torsdag 26. mars 2026"
    assert meeting_title("Politirådet i Oslo", Q1_DAY, "ordinary") == (
        "Møte i Politirådet i Oslo 26. mars 2026"
    )
    assert meeting_title("Politirådet i Oslo", date(2026, 9, 17), "seminar").startswith("Seminar")
    assert meeting_title("Politirådet i Oslo", Q1_DAY, "extraordinary").startswith(
        "Ekstraordinært møte"
    )


@pytest.mark.parametrize(
    "day",
    [date(2026, 3, 30), date(2026, 4, 1), date(2026, 7, 1), date(2026, 7, 31), date(2026, 12, 21),
     date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)],
)  # fmt: skip
def test_easter_week_july_and_christmas_are_breaks(day):
    assert blocked_period(day) is not None


@pytest.mark.parametrize(
    "day", [date(2026, 3, 27), date(2026, 4, 7), date(2026, 6, 30), date(2026, 8, 3),
            date(2026, 12, 18), date(2027, 1, 4)],
)  # fmt: skip
def test_the_days_around_the_breaks_are_open(day):
    assert blocked_period(day) is None
    assert why_not_meeting_day(day, "ordinary") is None


def test_only_an_extraordinary_meeting_falls_in_a_break_and_none_on_a_holiday():
    assert "Easter week" in why_not_meeting_day(date(2026, 3, 31), "ordinary")
    assert "July" in why_not_meeting_day(date(2026, 7, 15), "seminar")
    assert why_not_meeting_day(date(2026, 7, 15), "extraordinary") is None
    assert "not a working day" in why_not_meeting_day(date(2026, 5, 14), "extraordinary")
    assert "not a working day" in why_not_meeting_day(date(2026, 3, 28), "extraordinary")


@pytest.mark.parametrize("year", range(2026, 2036))
def test_the_default_plan_has_an_ordinary_meeting_each_quarter_and_an_autumn_seminar(year):
    plan = proposed_dates(year, today=date(year - 1, 12, 1))
    ordinary = [day for kind, day in plan if kind == "ordinary"]
    [seminar] = [day for kind, day in plan if kind == "seminar"]
    assert [(day.month - 1) // 3 for day in ordinary] == [0, 1, 2, 3]
    assert seminar.month in (9, 10)
    for _, day in plan:
        assert is_working_day(day) and blocked_period(day) is None, day
        assert day.weekday() == 3, day  # Thursdays, the council's usual day
    assert [day for _, day in plan] == sorted(day for _, day in plan)


def test_plan_year_2026_puts_one_meeting_in_each_quarter_outside_the_breaks(session, world):
    planned = plan_year(
        session, council=world.council, year=2026, actor=world.actor("sec"), now=NOW
    )
    assert [m.label for m in planned] == [f"PR {n}/2026" for n in range(1, 6)]
    ordinary = [m for m in planned if m.kind == "ordinary"]
    assert sorted((m.date.month - 1) // 3 + 1 for m in ordinary) == [1, 2, 3, 4]
    assert [m.kind for m in planned].count("seminar") == 1
    for meeting in planned:
        day = meeting.date
        assert is_working_day(day) and day > NOW.date()
        assert not EASTER_WEEK_2026[0] <= day <= EASTER_WEEK_2026[1]
        assert day.month != 7 and (day.month, day.day) < (12, 20)
        assert meeting.case.state == "planned"
        assert meeting.case.data["meeting_date"] == day.isoformat()
    assert list_meetings(session, world.council, year=2026) == planned


def test_plan_year_is_idempotent_and_fills_only_what_is_missing(session, world):
    sec = world.actor("sec")
    meeting_on(session, world, Q2_DAY)
    meeting_on(session, world, date(2026, 6, 2), kind="extraordinary")
    planned = plan_year(session, council=world.council, year=2026, actor=sec, now=NOW)
    assert sorted((m.date.month - 1) // 3 + 1 for m in planned if m.kind == "ordinary") == [1, 3, 4]
    assert plan_year(session, council=world.council, year=2026, actor=sec, now=NOW) == []
    assert len(list_meetings(session, world.council, year=2026)) == 2 + 4


def test_a_cancelled_meeting_leaves_its_quarter_to_be_planned_again(session, world):
    cancelled = meeting_on(session, world, Q2_DAY)
    fire(session, cancelled.case, "cancel", actor=world.actor("sec"), comment="Avlyst", now=NOW)
    planned = plan_year(
        session, council=world.council, year=2026, actor=world.actor("sec"), now=NOW
    )
    assert any(m.kind == "ordinary" and m.date.month in (4, 5, 6) for m in planned)


def test_a_quarter_with_only_easter_week_left_gets_no_meeting(session, world):
    friday_before_easter_week = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    planned = plan_year(
        session, council=world.council, year=2026, actor=world.actor("sec"),
        now=friday_before_easter_week,
    )  # fmt: skip
    assert all(m.date > date(2026, 4, 6) for m in planned)
    assert len(planned) == 4


def test_a_year_that_is_over_cannot_be_planned(session, world):
    with pytest.raises(ValidationError, match="2025 is over"):
        plan_year(session, council=world.council, year=2025, actor=world.actor("sec"), now=NOW)


# --- creating and moving meetings -------------------------------------------------------


def test_meetings_are_numbered_per_council_and_year(session, world):
    first = meeting_on(session, world, Q1_DAY)
    second = meeting_on(session, world, Q2_DAY)
    next_year = meeting_on(session, world, date(2027, 2, 11))
    other = make_world(session, slug="annenby")
    elsewhere = meeting_on(session, other, Q1_DAY)
    assert [first.label, second.label, next_year.label] == ["PR 1/2026", "PR 2/2026", "PR 1/2027"]
    assert elsewhere.label == "PR 1/2026"


def test_a_new_meeting_is_a_case_with_its_date_and_the_council_s_members_called(session, world):
    meeting = meeting_on(session, world, location="Rådhuset", starts_at=time(13, 0))
    case = meeting.case
    assert (case.kind, case.state, case.title) == (
        "meeting", "planned", "Møte i Politirådet i testby 26. mars 2026",
    )  # fmt: skip
    assert case.data == {"meeting_date": "2026-03-26", "kind": "ordinary", "location": "Rådhuset"}
    assert (meeting.date, meeting.location, meeting.starts_at) == (Q1_DAY, "Rådhuset", time(13))
    called = {p.person_id: (p.party, p.role, p.attendance) for p in meeting.participants}
    people = world.people
    assert called == {
        people["leader"].id: ("municipality", "member", "invited"),
        people["deputy"].id: ("police", "member", "invited"),
        people["kmember"].id: ("municipality", "member", "invited"),
        people["pmember"].id: ("police", "member", "invited"),
        people["sec"].id: ("municipality", "secretariat", "invited"),
    }
    (opened,) = events(session, case)
    assert opened.kind == "opened" and opened.actor == people["sec"].login


def test_a_member_whose_seat_ends_before_the_meeting_is_not_called(session, world):
    former = create_person(session, actor=Actor.system(), login="tidligere", display_name="Før")
    add_membership(
        session, actor=Actor.system(), person=former, council=world.council, party="police",
        role="member", valid_from=date(2020, 1, 1), valid_to=date(2026, 3, 1),
    )  # fmt: skip
    meeting = meeting_on(session, world)
    assert former.id not in {p.person_id for p in meeting.participants}


def test_an_extraordinary_meeting_may_fall_in_a_break_but_not_on_a_holiday(session, world):
    summer = meeting_on(session, world, date(2026, 7, 15), kind="extraordinary")
    assert summer.case.title.startswith("Ekstraordinært møte") and summer.agenda == []
    for day, kind, message in (
        (date(2026, 7, 15), "ordinary", "July"),
        (date(2026, 4, 1), "seminar", "Easter week"),
        (date(2026, 5, 14), "extraordinary", "not a working day"),
        (date(2026, 2, 26), "extraordinary", "has passed"),
        (Q1_DAY, "conference", "one of"),
    ):
        with pytest.raises(ValidationError, match=message):
            meeting_on(session, world, day, kind=kind)


def test_only_the_secretariat_and_the_leaders_plan_meetings(session, world):
    with pytest.raises(PermissionDenied):
        create_meeting(
            session, council=world.council, actor=world.actor("kmember"), date=Q1_DAY, now=NOW
        )
    with pytest.raises(PermissionDenied):
        plan_year(session, council=world.council, year=2026, actor=world.actor("guest"), now=NOW)


def test_moving_a_meeting_moves_its_case_date_and_title_together(session, world):
    meeting = meeting_on(session, world)
    fire(session, meeting.case, "start_agenda", actor=world.actor("sec"), now=NOW)
    move_meeting(session, meeting, actor=world.actor("sec"), date=date(2026, 3, 19), now=NOW)
    assert meeting.date == date(2026, 3, 19)
    assert meeting.case.state == "planned"
    assert meeting.case.data["meeting_date"] == "2026-03-19"
    assert meeting.case.title == "Møte i Politirådet i testby 19. mars 2026"
    moved = [e for e in events(session, meeting.case) if e.trigger == "move"]
    assert json.loads(moved[0].changes)["data.meeting_date"] == ["2026-03-26", "2026-03-19"]
    assert session.get(Meeting, meeting.case_id).date == date(2026, 3, 19)


def test_moving_a_meeting_moves_the_deadlines_of_the_items_on_its_agenda(session, world):
    meeting = meeting_on(session, world)
    entry = place_item(
        session, meeting, proposed_item(session, world), actor=world.actor("sec"), now=NOW
    )
    move_meeting(session, meeting, actor=world.actor("sec"), date=date(2026, 3, 19), now=NOW)
    assert entry.case.data["meeting_date"] == "2026-03-19"
    (memo,) = session.scalars(
        select(Deadline).where(Deadline.case_id == entry.case_id, Deadline.status == "pending")
    )
    assert memo.name == "memo" and memo.due == deadline_moment(date(2026, 3, 9))


def test_a_meeting_moves_only_to_another_open_day_of_its_year(session, world):
    meeting = meeting_on(session, world)
    sec = world.actor("sec")
    for day, message in (
        (Q1_DAY, "already"),
        (date(2026, 4, 1), "Easter week"),
        (date(2027, 3, 4), "stays in 2026"),
    ):
        with pytest.raises(ValidationError, match=message):
            move_meeting(session, meeting, actor=sec, date=day, now=NOW)
    with pytest.raises(PermissionDenied):
        move_meeting(
            session, meeting, actor=world.actor("kmember"), date=date(2026, 3, 19), now=NOW
        )
    assert meeting.date == Q1_DAY


def test_a_meeting_is_found_by_its_number_or_its_case_number(session, world):
    meeting = meeting_on(session, world)
    for reference in ("PR 1/2026", "pr-1/2026", "PR1/2026", meeting.case.number):
        assert get_meeting(session, world.council, reference) is meeting
    with pytest.raises(ValidationError, match="neither"):
        get_meeting(session, world.council, "møtet i mars")
    item = proposed_item(session, world)
    with pytest.raises(NotFound, match="not a meeting"):
        get_meeting(session, world.council, item.number)
    with pytest.raises(NotFound, match="no meeting PR 9/2026"):
        get_meeting(session, world.council, "PR 9/2026")


# --- standing items ---------------------------------------------------------------------


def test_an_ordinary_meeting_starts_with_its_standing_items(session, world):
    first = meeting_on(session, world, Q1_DAY)
    second = meeting_on(session, world, Q2_DAY)
    assert [e.standing for e in first.agenda] == ["follow_up_list", "security_briefing"]
    assert [(e.position, e.standing) for e in second.agenda] == [
        (1, "previous_minutes"), (2, "follow_up_list"), (3, "security_briefing"),
    ]  # fmt: skip
    approval, follow_up, briefing = second.agenda
    assert approval.title == "Godkjenning av protokoll fra PR 1/2026 26. mars 2026"
    assert follow_up.title == "Oppfølgingsliste"
    assert (briefing.access, briefing.public_title) == ("restricted", "Orientering fra PST")
    assert "PST" in briefing.title and briefing.title != briefing.public_title


def test_seminars_and_extraordinary_meetings_have_no_standing_items(session, world):
    meeting_on(session, world, Q1_DAY)
    seminar = meeting_on(session, world, date(2026, 9, 17), kind="seminar")
    extra = meeting_on(session, world, date(2026, 4, 16), kind="extraordinary")
    assert seminar.agenda == [] and extra.agenda == []
    assert ensure_standing_items(session, seminar, actor=world.actor("sec"), now=NOW) == []


def test_standing_items_are_made_once_and_follow_the_meeting_when_it_moves(session, world):
    first = meeting_on(session, world, Q1_DAY)
    second = meeting_on(session, world, Q2_DAY)
    item = place_item(
        session, second, proposed_item(session, world), actor=world.actor("sec"), now=NOW
    )
    again = ensure_standing_items(session, second, actor=world.actor("sec"), now=NOW)
    assert again == second.agenda[:3] and len(second.agenda) == 4
    move_meeting(session, second, actor=world.actor("sec"), date=date(2026, 3, 12), now=NOW)
    assert [e.standing for e in second.agenda] == ["follow_up_list", "security_briefing", None]
    assert item.position == 3
    move_meeting(session, first, actor=world.actor("sec"), date=date(2026, 3, 5), now=NOW)
    move_meeting(session, second, actor=world.actor("sec"), date=date(2026, 3, 19), now=NOW)
    assert second.agenda[0].title == "Godkjenning av protokoll fra PR 1/2026 5. mars 2026"
    assert [e.position for e in second.agenda] == [1, 2, 3, 4] and second.agenda[3] is item


# --- participants -----------------------------------------------------------------------


def test_guests_are_invited_as_external_participants_and_audited(session, world):
    meeting = meeting_on(session, world)
    guest = invite_guest(
        session, meeting, actor=world.actor("sec"), name="Kari Nordmann",
        organisation="Oslo Næringsråd", email="kari@example.no", now=NOW,
    )  # fmt: skip
    assert (guest.party, guest.role, guest.person_id) == ("external", "guest", None)
    assert guest in meeting.participants
    registered = invite_guest(
        session, meeting, actor=world.actor("sec"), name="", person=world.people["guest"], now=NOW
    )
    assert registered.name == "Guest" and registered.person_id == world.people["guest"].id
    (update, _) = events(session, meeting.case, "update")
    assert json.loads(update.changes) == {
        f"participant.{guest.id}": [None, "Kari Nordmann (guest)"]
    }
    for kwargs, error in (
        ({"name": " "}, ValidationError),
        ({"name": "X", "email": "ikke-epost"}, ValidationError),
        ({"name": "X", "person": world.people["guest"]}, Conflict),
    ):
        with pytest.raises(error):
            invite_guest(session, meeting, actor=world.actor("sec"), now=NOW, **kwargs)
    with pytest.raises(PermissionDenied):
        invite_guest(session, meeting, actor=world.actor("kmember"), name="Y", now=NOW)


def test_a_substitute_stands_in_for_a_called_member_for_the_same_party(session, world):
    meeting = meeting_on(session, world)
    deputy_member = create_person(session, actor=Actor.system(), login="vara", display_name="Vara")
    sec = world.actor("sec")
    with pytest.raises(ValidationError, match="no seat in the council"):
        add_substitute(session, meeting, actor=sec, principal=world.people["pmember"],
                       substitute=deputy_member, now=NOW)  # fmt: skip
    add_membership(
        session,
        actor=Actor.system(),
        person=deputy_member,
        council=world.council,
        party="police",
        role="member",
        valid_from=meeting.date,
    )
    session.refresh(deputy_member)
    stand_in = add_substitute(
        session, meeting, actor=world.actor("sec"), principal=world.people["pmember"],
        substitute=deputy_member, now=NOW,
    )  # fmt: skip
    assert (stand_in.role, stand_in.party) == ("substitute", "police")
    assert stand_in.substitute_for_id == world.people["pmember"].id
    with pytest.raises(ValidationError, match="not a member called"):
        add_substitute(session, meeting, actor=sec, principal=world.people["outsider"],
                       substitute=world.people["reporter"], now=NOW)  # fmt: skip
    with pytest.raises(ValidationError, match="not a member called"):
        add_substitute(session, meeting, actor=sec, principal=world.people["sec"],
                       substitute=world.people["reporter"], now=NOW)  # fmt: skip
    with pytest.raises(Conflict):
        add_substitute(session, meeting, actor=sec, principal=world.people["kmember"],
                       substitute=deputy_member, now=NOW)  # fmt: skip


def test_attendance_is_recorded_after_the_meeting_is_held(session, world):
    meeting = meeting_on(session, world)
    kmember = next(p for p in meeting.participants if p.person_id == world.people["kmember"].id)
    sec = world.actor("sec")
    with pytest.raises(ValidationError, match="after the meeting is held"):
        record_attendance(session, kmember, "present", actor=sec, now=NOW)
    hold(session, world, meeting)
    with pytest.raises(ValidationError, match="present' or 'absent"):
        record_attendance(session, kmember, "late", actor=sec, now=NOW)
    with pytest.raises(PermissionDenied):
        record_attendance(session, kmember, "present", actor=world.actor("kmember"), now=NOW)
    record_attendance(session, kmember, "absent", actor=sec, now=NOW)
    assert kmember.attendance == "absent"
    last = events(session, meeting.case, "update")[-1]
    assert json.loads(last.changes) == {
        f"participant.{kmember.id}.attendance": ["invited", "absent"]
    }
    fire(session, meeting.case, "draft_minutes", actor=sec, now=NOW)
    fire(session, meeting.case, "circulate_minutes", actor=sec, now=NOW)
    with pytest.raises(ValidationError, match="minutes go out"):
        record_attendance(session, kmember, "present", actor=sec, now=NOW)


# --- the agenda -------------------------------------------------------------------------


def test_a_proposed_item_is_linked_scheduled_and_numbered_next(session, world):
    meeting = meeting_on(session, world)
    case = proposed_item(session, world)
    entry = place_item(session, meeting, case, actor=world.actor("sec"), now=NOW)
    assert (entry.position, entry.case, entry.title, entry.access) == (
        3,
        case,
        case.title,
        "public",
    )
    assert case.state == "scheduled" and case.meeting_id == meeting.case_id
    assert case.data["meeting_date"] == "2026-03-26"
    *_, linked, scheduled = events(session, case)
    assert json.loads(linked.changes)["meeting_id"] == [None, meeting.case_id]
    assert scheduled.trigger == "schedule"
    memo = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).all()
    assert [d.name for d in memo if d.status == "pending"] == ["memo"]


def test_a_submitted_steering_report_is_placed_on_the_agenda(session, world):
    meeting = meeting_on(session, world)
    report = open_case(
        session, council=world.council, kind="steering_report", title="Årsrapport SaLTo",
        actor=world.actor("sec"), data={"group": "SaLTo Stovner", "due_date": "2026-04-01"},
        now=NOW,
    )  # fmt: skip
    fire(session, report, "submit", actor=world.actor("reporter"), data={"report": "R"}, now=NOW)
    entry = place_item(session, meeting, report, actor=world.actor("sec"), now=NOW)
    assert report.state == "on_agenda" and entry.position == 3
    hold(session, world, meeting)
    with pytest.raises(ValidationError, match="noted"):
        record_outcome(session, entry, "decided", actor=world.actor("sec"), text="Nei", now=NOW)
    record_outcome(session, entry, "noted", actor=world.actor("sec"), now=NOW)
    assert report.state == "noted" and entry.outcome == "noted"


def test_only_proposed_items_and_submitted_reports_go_on_an_open_agenda(session, world):
    meeting = meeting_on(session, world)
    sec = world.actor("sec")
    draft = open_case(session, council=world.council, kind="agenda_item", title="Utkast",
                      actor=sec, now=NOW)  # fmt: skip
    with pytest.raises(TransitionNotAllowed, match="draft"):
        place_item(session, meeting, draft, actor=sec, now=NOW)
    case = proposed_item(session, world)
    place_item(session, meeting, case, actor=sec, now=NOW)
    with pytest.raises(TransitionNotAllowed):
        place_item(session, meeting, case, actor=sec, now=NOW)
    elsewhere = proposed_item(session, make_world(session, slug="annenby"))
    with pytest.raises(ValidationError, match="another council"):
        place_item(session, meeting, elsewhere, actor=sec, now=NOW)
    with pytest.raises(PermissionDenied):
        place_item(
            session, meeting, proposed_item(session, world), actor=world.actor("kmember"), now=NOW
        )
    convene(session, world, meeting)
    late = proposed_item(session, world, "For sent")
    with pytest.raises(GuardFailed, match="agenda is fixed"):
        place_item(session, meeting, late, actor=sec, now=NOW)
    assert late.state == "proposed" and late.meeting_id is None


def test_items_are_reordered_while_the_previous_minutes_stay_first(session, world):
    meeting_on(session, world, Q1_DAY)
    meeting = meeting_on(session, world, Q2_DAY)
    sec = world.actor("sec")
    first = place_item(session, meeting, proposed_item(session, world, "A"), actor=sec, now=NOW)
    second = place_item(session, meeting, proposed_item(session, world, "B"), actor=sec, now=NOW)
    move_entry(session, second, 2, actor=sec, now=NOW)
    assert [e.title for e in meeting.agenda] == [
        "Godkjenning av protokoll fra PR 1/2026 26. mars 2026", "B", "Oppfølgingsliste",
        "Orientering fra Politiets sikkerhetstjeneste (PST) om trusselbildet", "A",
    ]  # fmt: skip
    assert [e.position for e in meeting.agenda] == [1, 2, 3, 4, 5] and first.position == 5
    assert get_entry(meeting, 2) is second
    with pytest.raises(ValidationError, match="stays the first"):
        move_entry(session, first, 1, actor=sec, now=NOW)
    with pytest.raises(ValidationError, match="items 1 to 5"):
        move_entry(session, first, 6, actor=sec, now=NOW)
    stored = session.scalars(
        select(AgendaEntry.position).where(AgendaEntry.case_id == second.case_id)
    ).one()
    assert stored == 2


def test_an_item_taken_off_the_agenda_is_proposed_again_and_the_rest_renumbered(session, world):
    meeting = meeting_on(session, world)
    sec = world.actor("sec")
    taken = prepared_entry(session, world, meeting, "A")
    kept = place_item(session, meeting, proposed_item(session, world, "B"), actor=sec, now=NOW)
    case = taken.case
    remove_item(session, taken, actor=sec, comment="Tas opp senere", now=NOW)
    assert case.state == "proposed" and case.meeting_id is None
    assert case.data["meeting_date"] is None and case.data["memo"] == "Saksframlegg"
    assert [e.position for e in meeting.agenda] == [1, 2, 3] and kept.position == 3
    assert events(session, case)[-2].trigger == "unschedule"
    with pytest.raises(ValidationError, match="standing items stay"):
        remove_item(session, meeting.agenda[0], actor=sec, now=NOW)
    convene(session, world, meeting)
    with pytest.raises(GuardFailed, match="agenda is fixed"):
        remove_item(session, kept, actor=sec, now=NOW)


# --- outcomes ---------------------------------------------------------------------------


def test_outcomes_are_recorded_once_the_meeting_is_held(session, world):
    meeting = meeting_on(session, world)
    entry = prepared_entry(session, world, meeting)
    convene(session, world, meeting)
    with pytest.raises(GuardFailed, match="not been held"):
        record_outcome(session, entry, "noted", actor=world.actor("sec"), now=NOW)
    fire(session, meeting.case, "hold", actor=world.actor("sec"), now=NOW)
    with pytest.raises(ValidationError, match="one of"):
        record_outcome(session, entry, "postponed", actor=world.actor("sec"), now=NOW)
    with pytest.raises(PermissionDenied):
        record_outcome(session, entry, "noted", actor=world.actor("leader"), now=NOW)
    record_outcome(session, entry, "noted", actor=world.actor("sec"), text="Godt arbeid", now=NOW)
    assert (entry.outcome, entry.outcome_text) == ("noted", "Godt arbeid")
    assert entry.case.state == "noted"
    assert entry.case.data["decision_type"] == "tatt til orientering"
    assert [e.trigger for e in events(session, entry.case)][-2:] == ["deliberate", "note"]
    with pytest.raises(Conflict, match="noted already"):
        record_outcome(session, entry, "decided", actor=world.actor("sec"), text="X", now=NOW)


def test_a_decision_takes_effect_when_both_parties_have_approved_it(session, world):
    meeting = meeting_on(session, world)
    entry = prepared_entry(session, world, meeting)
    hold(session, world, meeting)
    sec = world.actor("sec")
    with pytest.raises(ValidationError, match="decision's text"):
        record_outcome(session, entry, "decided", actor=sec, now=NOW)
    with pytest.raises(ValidationError, match="no decision to approve"):
        approve_decision(session, entry, actor=world.actor("leader"), now=NOW)
    text = "Kommunen og politiet etablerer en felles innsatsgruppe."
    record_outcome(session, entry, "decided", actor=sec, text=text, now=NOW)
    case = entry.case
    assert (case.state, case.data["decision_text"], entry.outcome) == (
        "deliberated",
        text,
        "decided",
    )
    with pytest.raises(PermissionDenied):
        approve_decision(session, entry, actor=world.actor("kmember"), now=NOW)
    first = approve_decision(session, entry, actor=world.actor("leader"), now=NOW)
    assert not first.fired and first.waiting_for == ("police",) and case.state == "deliberated"
    later = NOW + timedelta(hours=1)
    second = approve_decision(session, entry, actor=world.actor("deputy"), now=later)
    assert second.fired and case.state == "decided"
    approvals = session.scalars(select(Approval).where(Approval.case_id == case.id)).all()
    assert {(a.party, a.person_id, a.at) for a in approvals} == {
        ("municipality", world.people["leader"].id, NOW),
        ("police", world.people["deputy"].id, later),
    }


def test_a_rejection_needs_its_reason_and_both_parties(session, world):
    meeting = meeting_on(session, world)
    entry = prepared_entry(session, world, meeting)
    hold(session, world, meeting)
    with pytest.raises(ValidationError, match="reason"):
        record_outcome(session, entry, "rejected", actor=world.actor("sec"), now=NOW)
    record_outcome(
        session, entry, "rejected", actor=world.actor("sec"), text="Hører hjemme i bydelen", now=NOW
    )
    approve_decision(session, entry, actor=world.actor("deputy"), now=NOW)
    assert entry.case.state == "deliberated"
    approve_decision(session, entry, actor=world.actor("leader"), now=NOW)
    assert entry.case.state == "rejected"
    assert events(session, entry.case)[-1].comment == "Hører hjemme i bydelen"


def test_deferring_moves_the_item_to_another_meeting_and_keeps_its_history(session, world):
    first = meeting_on(session, world, Q1_DAY)
    second = meeting_on(session, world, Q2_DAY)
    entry = prepared_entry(session, world, first)
    hold(session, world, first)
    sec = world.actor("sec")
    with pytest.raises(ValidationError, match="already"):
        defer_item(session, entry, first, actor=sec, now=NOW)
    moved = defer_item(session, entry, second, actor=sec, comment="Mer analyse", now=NOW)
    case = entry.case
    assert (entry.outcome, entry.outcome_text, entry.moved_to_id) == (
        "deferred", "Mer analyse", second.case_id,
    )  # fmt: skip
    assert entry in first.agenda and moved in second.agenda and moved.position == 4
    assert case.state == "scheduled" and case.meeting_id == second.case_id
    assert case.data["meeting_date"] == "2026-05-21"
    triggers = [e.trigger for e in events(session, case) if e.kind == "transition"]
    assert triggers == ["propose", "schedule", "prepare", "deliberate", "defer", "reschedule"]


def test_an_item_deferred_without_a_date_is_rescheduled_when_placed_again(session, world):
    first = meeting_on(session, world, Q1_DAY)
    entry = prepared_entry(session, world, first)
    hold(session, world, first)
    sec = world.actor("sec")
    with pytest.raises(ValidationError, match="only a deferred item"):
        record_outcome(session, entry, "noted", actor=sec, to_meeting=first, now=NOW)
    record_outcome(session, entry, "deferred", actor=sec, now=NOW)
    assert entry.case.state == "deferred" and entry.moved_to_id is None
    second = meeting_on(session, world, Q2_DAY)
    again = place_item(session, second, entry.case, actor=sec, now=NOW)
    assert entry.moved_to_id == second.case_id and again.case is entry.case
    assert entry.case.state == "scheduled"


def test_deferral_to_a_meeting_given_with_the_outcome(session, world):
    first = meeting_on(session, world, Q1_DAY)
    second = meeting_on(session, world, Q2_DAY)
    entry = prepared_entry(session, world, first)
    hold(session, world, first)
    returned = record_outcome(
        session, entry, "deferred", actor=world.actor("sec"), to_meeting=second, now=NOW
    )
    assert returned is entry and entry.moved_to_id == second.case_id
    assert second.agenda[-1].case is entry.case


def test_standing_items_are_noted_or_decided_on_the_meeting_s_record(session, world):
    meeting_on(session, world, Q1_DAY)
    meeting = meeting_on(session, world, Q2_DAY)
    hold(session, world, meeting)
    approval = meeting.agenda[0]
    sec = world.actor("sec")
    with pytest.raises(ValidationError, match="noted or decided"):
        record_outcome(session, approval, "deferred", actor=sec, now=NOW)
    record_outcome(session, approval, "decided", actor=sec, text="Protokollen godkjennes.", now=NOW)
    assert (approval.outcome, approval.outcome_text) == ("decided", "Protokollen godkjennes.")
    last = events(session, meeting.case, "update")[-1]
    assert json.loads(last.changes) == {"agenda.1.outcome": [None, "decided"]}


# --- conflicts of interest --------------------------------------------------------------


def test_a_member_declares_a_disqualification_or_the_secretariat_does_for_them(session, world):
    meeting = meeting_on(session, world)
    entry = prepared_entry(session, world, meeting)
    own = declare_disqualification(
        session, entry, actor=world.actor("kmember"), reason="Styreleder i organisasjonen", now=NOW
    )
    assert (own.person_id, own.declared_at) == (world.people["kmember"].id, NOW)
    for_them = declare_disqualification(
        session, entry, actor=world.actor("sec"), person=world.people["pmember"],
        reason="Nær familie", now=NOW,
    )  # fmt: skip
    assert for_them.person_id == world.people["pmember"].id
    rows = session.scalars(select(Disqualification).where(Disqualification.entry_id == entry.id))
    assert len(rows.all()) == 2
    last = events(session, meeting.case, "update")[-1]
    assert last.comment == "Nær familie"
    with pytest.raises(PermissionDenied):
        declare_disqualification(
            session,
            entry,
            actor=world.actor("kmember"),
            person=world.people["leader"],
            reason="X",
            now=NOW,
        )
    with pytest.raises(ValidationError, match="only a member"):
        declare_disqualification(session, entry, actor=world.actor("sec"), reason="X", now=NOW)
    with pytest.raises(ValidationError, match="reason"):
        declare_disqualification(session, entry, actor=world.actor("leader"), reason=" ", now=NOW)
    with pytest.raises(Conflict):
        declare_disqualification(
            session, entry, actor=world.actor("kmember"), reason="Igjen", now=NOW
        )


# --- the notice -------------------------------------------------------------------------


def test_convening_sends_the_notice_with_the_agenda_to_everyone_called(session, world):
    meeting = meeting_on(session, world, location="Rådhuset", starts_at=time(13, 0))
    invite_guest(
        session,
        meeting,
        actor=world.actor("sec"),
        name="Kari Nordmann",
        email="kari@example.no",
        now=NOW,
    )
    entry = place_item(
        session, meeting, proposed_item(session, world), actor=world.actor("sec"), now=NOW
    )
    assert notices(session, meeting) == []
    convene(session, world, meeting)
    sent = notices(session, meeting)
    assert len(sent) == len(meeting.participants) == 6
    assert {m.recipient_id for m in sent} == {p.person_id for p in meeting.participants}
    leader = notice_for(session, meeting, world.people["leader"])
    assert leader.subject == "Innkalling: Møte i Politirådet i testby 26. mars 2026 (PR 1/2026)"
    assert "Tid: torsdag 26. mars 2026 kl. 13.00" in leader.body
    assert "Sted: Rådhuset" in leader.body
    assert "1. Oppfølgingsliste" in leader.body
    assert f"3. Trygghet på Grønland (sak {entry.case.number})" in leader.body
    assert [item["position"] for item in leader.payload["agenda"]] == [1, 2, 3]
    (guest,) = [m for m in sent if m.recipient_id is None]
    assert (guest.payload["email"], guest.payload["name"]) == ("kari@example.no", "Kari Nordmann")


def test_the_scheduler_convening_sends_the_same_notice(session, world):
    meeting = meeting_on(session, world)
    convene(session, world, meeting, by=Actor.system())
    assert meeting.case.state == "convened"
    assert len(notices(session, meeting)) == len(meeting.participants) == 5


def test_the_notice_goes_out_by_itself_at_the_notice_deadline(session, world):
    meeting = meeting_on(session, world)
    sec = world.actor("sec")
    fire(session, meeting.case, "start_agenda", actor=sec, now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("leader"), now=NOW)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("deputy"), now=NOW)
    (deadline,) = session.scalars(
        select(Deadline).where(Deadline.case_id == meeting.case_id, Deadline.status == "pending")
    )
    assert (deadline.name, deadline.effect, deadline.trigger) == ("notice", "transition", "convene")
    assert deadline.due == deadline_moment(date(2026, 3, 19))


def test_an_uncleared_member_sees_only_the_public_titles_of_restricted_items(session, world):
    meeting = meeting_on(session, world)
    convene(session, world, meeting)
    briefing = meeting.agenda[1]
    uncleared = notice_for(session, meeting, world.people["kmember"]).body
    cleared = notice_for(session, meeting, world.people["pmember"]).body
    assert "2. Orientering fra PST\n" in uncleared and briefing.title not in uncleared
    assert f"2. {briefing.title}" in cleared
    day = NOW.date()
    assert entry_title(world.actor("kmember"), briefing, day) == "Orientering fra PST"
    assert entry_title(Actor.public(), briefing, day) == "Orientering fra PST"


def test_a_guest_sees_the_public_title_of_an_exempt_item(session, world):
    meeting = meeting_on(session, world)
    sec = world.actor("sec")
    exempt = proposed_item(
        session, world, "Sikring av Rådhusplassen", access="exempt",
        public_title="Trygghetstiltak i sentrum", legal_basis="offl. § 24 tredje ledd",
    )  # fmt: skip
    place_item(session, meeting, exempt, actor=sec, now=NOW)
    invite_guest(session, meeting, actor=sec, name="", person=world.people["guest"], now=NOW)
    convene(session, world, meeting)
    guest = notice_for(session, meeting, world.people["guest"]).body
    member = notice_for(session, meeting, world.people["kmember"]).body
    assert "Trygghetstiltak i sentrum" in guest and "Rådhusplassen" not in guest
    assert "Sikring av Rådhusplassen" in member


def test_the_notice_lists_the_follow_up_of_earlier_decisions(session, world):
    first = meeting_on(session, world, Q1_DAY)
    entry = prepared_entry(session, world, first)
    hold(session, world, first)
    record_outcome(session, entry, "decided", actor=world.actor("sec"), text="Tiltak", now=NOW)
    approve_decision(session, entry, actor=world.actor("leader"), now=NOW)
    approve_decision(session, entry, actor=world.actor("deputy"), now=NOW)
    add_action(
        session, entry.case, actor=world.actor("sec"), description="Kartlegge åpne rusmiljø",
        owner_party="police", owner_unit="Enhet Øst", due=date(2026, 4, 30), now=NOW,
    )  # fmt: skip
    second = meeting_on(session, world, Q2_DAY)
    convene(session, world, second)
    body = notice_for(session, second, world.people["kmember"]).body
    listed = body.split("2. Oppfølgingsliste\n", 1)[1].splitlines()[0]
    assert f"sak {entry.case.number}: Kartlegge åpne rusmiljø" in listed
    assert "Enhet Øst" in listed and "30.04.2026" in listed and "forfalt" in listed


def test_a_guest_invited_after_the_notice_gets_it_at_once(session, world):
    meeting = meeting_on(session, world)
    convene(session, world, meeting)
    before = len(notices(session, meeting))
    invite_guest(
        session, meeting, actor=world.actor("sec"), name="Ola", email="ola@example.no", now=NOW
    )
    after = notices(session, meeting)
    assert len(after) == before + 1 and after[-1].payload["name"] == "Ola"


# --- concurrency and the command line -------------------------------------------------


def test_concurrent_planners_never_share_a_meeting_number(db_kind, tmp_path):
    threads = 6
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        engine = (
            make_engine(url, pool_size=threads + 2) if db_kind != "sqlite" else make_engine(url)
        )
        try:
            writes = session_factory(engine, write=True)
            with writes() as session:
                world = make_world(session)
                session.commit()
                council_id, login = world.council.id, world.people["sec"].login
            barrier = threading.Barrier(threads)
            errors: list[BaseException] = []

            def plan_one(n: int) -> None:
                barrier.wait()
                try:
                    with writes() as session:
                        create_meeting(
                            session, council=session.get(Council, council_id),
                            actor=load_actor(session, login), date=JUNE + timedelta(weeks=n),
                            kind="extraordinary", now=NOW,
                        )  # fmt: skip
                        session.commit()
                except BaseException as exc:
                    errors.append(exc)

            workers = [threading.Thread(target=plan_one, args=(n,)) for n in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=120)
            assert errors == []
            with writes() as session:
                numbers = session.scalars(select(Meeting.number).order_by(Meeting.number)).all()
            assert numbers == list(range(1, threads + 1))
        finally:
            engine.dispose()


def test_the_command_line_plans_builds_and_shows_a_meeting(db_kind, tmp_path):
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            with session_factory(engine, write=True)() as session:
                world = make_world(session, slug="oslo")
                item = proposed_item(session, world, "Trygghet i sentrum")
                session.commit()
                sec, item_number = world.people["sec"].login, item.number
        finally:
            engine.dispose()
        runner = CliRunner()

        def cli(*args: str, code: int = 0) -> str:
            result = runner.invoke(main, ["meeting", *args], env={"DATABASE_URL": url})
            assert result.exit_code == code, result.output
            return result.output

        now = ("--now", "2026-03-02T10:00")
        planned = cli("plan", "--year", "2026", "--as", sec, *now)
        assert "planned PR 1/2026 (ordinary) on torsdag 5. mars 2026" in planned
        assert "2026 is planned already" in cli("plan", "--year", "2026", "--as", sec, *now)
        assert "PR 4/2026" in cli("list", "--year", "2026")
        extra = cli("create", "--date", "2026-07-15", "--kind", "extraordinary", "--time", "09:00",
                    "--as", sec, *now)  # fmt: skip
        assert "planned PR 6/2026 (extraordinary) on onsdag 15. juli 2026 kl. 09.00" in extra
        assert "item 3 of PR 1/2026" in cli("place", item_number, "PR 1/2026", "--as", sec, *now)
        cli("move", "PR 1/2026", "--date", "2026-03-12", "--as", sec, *now)
        shown = cli("show", "PR 1/2026", "--as", sec, *now)
        assert "torsdag 12. mars 2026" in shown and "3. Trygghet i sentrum" in shown
        assert "(municipality, secretariat): invited" in shown
        public = cli("show", "PR-1/2026", "--as", "system", *now)
        assert "Participants:" in public
        mistake = cli("create", "--date", "2026-04-01", "--as", sec, *now, code=1)
        assert "error:" in mistake and "Easter week" in mistake
        assert "no meeting PR 9/2026" in cli("show", "PR 9/2026", code=1)
