"""The cadence rules: one finding per rule and period, resolved by the record, cases opened once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.actors import Actor
from engine.cadence import (
    MonthDay,
    Rule,
    add_steering_group,
    cadence_report,
    check_cadence,
    rules_for,
    set_cadence,
)
from engine.calendar import OSLO
from engine.db import make_engine, session_factory
from engine.errors import Conflict, PermissionDenied, ValidationError
from engine.models import Case, Council, Finding, OutboxMessage, SteeringGroup
from engine.seeding import make_world
from engine.services import fire, open_case
from engine.services.meetings import create_meeting
from tests.databases import fresh_database, migrate
from web.cli import main

SYSTEM = Actor.system()


def oslo(day: date, clock: str = "10:00") -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=OSLO).astimezone(UTC)


def findings(session, world, rule: Rule | None = None) -> list[Finding]:
    query = select(Finding).where(Finding.council_id == world.council.id)
    if rule is not None:
        query = query.where(Finding.rule == rule)
    return list(session.scalars(query.order_by(Finding.period)))


def cases_of(session, world, kind: str) -> list[Case]:
    query = select(Case).where(Case.council_id == world.council.id, Case.kind == kind)
    return list(session.scalars(query.order_by(Case.id)))


def check_on(session, *days: date, clock: str = "06:00") -> None:
    for day in days:
        check_cadence(session, now=oslo(day, clock))


def every_day(first: date, last: date, step: int = 1) -> list[date]:
    return [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]


def plan(session, world, day: date, kind: str = "ordinary"):
    return create_meeting(
        session,
        council=world.council,
        actor=world.actor("sec"),
        date=day,
        kind=kind,
        now=oslo(day - timedelta(days=60)),
    )


def convene(session, world, meeting, *, on: date | None = None, by: Actor | None = None):
    """Fix the agenda (both parties) and send the notice, by default two weeks ahead."""
    fixed = oslo(meeting.date - timedelta(days=20))
    fire(session, meeting.case, "start_agenda", actor=world.actor("sec"), now=fixed)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("leader"), now=fixed)
    fire(session, meeting.case, "fix_agenda", actor=world.actor("deputy"), now=fixed)
    when = oslo(on or meeting.date - timedelta(days=14), "07:00")
    fire(session, meeting.case, "convene", actor=by or world.actor("sec"), now=when)


def hold(session, world, meeting):
    convene(session, world, meeting)
    the_day_after = oslo(meeting.date + timedelta(days=1), "00:01")
    fire(session, meeting.case, "hold", actor=SYSTEM, now=the_day_after)


# --- the rules ---------------------------------------------------------------------------


def test_the_defaults_are_the_oslo_agreements_rhythm():
    rules = rules_for(Council(name="Politirådet i Oslo", cadence=None))
    assert (rules.ordinary_meetings_per_year, rules.seminars_per_year) == (4, 1)
    assert rules.meeting_every_quarter
    assert (rules.notice_days, rules.minutes_draft_working_days) == (7, 5)
    assert rules.agreement_revision_opens == MonthDay(9, 1)
    assert (rules.year_at_risk_on, rules.year_at_risk_minimum) == (MonthDay(10, 1), 3)
    assert rules.bylaw_revision_years == 4
    assert rules.steering_report_interval_months == 12


def test_a_council_overrides_single_rules_and_keeps_the_other_defaults():
    rules = rules_for(Council(name="Politirådet i Bergen", cadence={"notice_days": 14}))
    assert rules.notice_days == 14
    assert rules.ordinary_meetings_per_year == 4


@pytest.mark.parametrize(
    ("override", "rule", "reason"),
    [
        ({"notice_days": "ti"}, "notice_days", "must be a whole number"),
        ({"notice_days": 7.5}, "notice_days", "must be a whole number"),
        ({"notice_days": True}, "notice_days", "must be a whole number"),
        ({"ordinary_meetings_per_year": -1}, "ordinary_meetings_per_year", "from 0 to 52"),
        ({"agreement_revision_opens": "02-29"}, "agreement_revision_opens", "MM-DD"),
        ({"agreement_revision_opens": "1 September"}, "agreement_revision_opens", "MM-DD"),
        ({"meeting_every_quarter": "yes"}, "meeting_every_quarter", "true or false"),
        ({"notice_dager": 7}, "notice_dager", "unknown rule"),
    ],
)
def test_a_bad_override_names_the_council_the_rule_and_the_reason(override, rule, reason):
    with pytest.raises(ValidationError) as raised:
        rules_for(Council(name="Politirådet i Bergen", cadence=override))
    assert "Politirådet i Bergen" in str(raised.value)
    assert f"{rule}: " in str(raised.value)
    assert reason in raised.value.errors[rule]


def test_overrides_that_are_not_a_mapping_are_refused():
    with pytest.raises(ValidationError, match="must map rule names to values"):
        rules_for(Council(name="Politirådet i Bergen", cadence=[7]))


def test_the_secretariat_sets_valid_overrides_and_restores_defaults(session, world):
    sec = world.actor("sec")
    assert set_cadence(session, world.council, {"notice_days": 10}, actor=sec).notice_days == 10
    assert world.council.cadence == {"notice_days": 10}
    with pytest.raises(ValidationError, match="notice_days"):
        set_cadence(session, world.council, {"notice_days": 0}, actor=sec)
    assert world.council.cadence == {"notice_days": 10}
    with pytest.raises(PermissionDenied):
        set_cadence(session, world.council, {"notice_days": 3}, actor=world.actor("kmember"))
    assert set_cadence(session, world.council, {"notice_days": None}, actor=sec).notice_days == 7
    assert world.council.cadence is None


# --- meetings ----------------------------------------------------------------------------


def test_a_quarter_left_without_a_meeting_produces_exactly_one_finding(session, world):
    hold(session, world, plan(session, world, date(2026, 3, 12)))
    hold(session, world, plan(session, world, date(2026, 9, 10)))

    check_on(session, *every_day(date(2026, 1, 2), date(2026, 9, 30), step=3))

    (finding,) = findings(session, world, Rule.QUARTER_WITHOUT_MEETING)
    assert finding.period == "2026-Q2"
    assert finding.resolved_at is None
    assert finding.detail == "Ingen ordinære møter ble holdt i 2. kvartal 2026."


def test_a_current_quarter_without_a_planned_meeting_is_a_warning_until_one_is_planned(
    session, world
):
    check_on(session, date(2026, 4, 8))
    (warning,) = findings(session, world, Rule.QUARTER_WITHOUT_MEETING)
    assert (warning.period, warning.resolved_at) == ("2026-Q2", None)
    assert warning.detail.startswith("Varsel: ingen ordinære møter er planlagt")

    meeting = plan(session, world, date(2026, 6, 11))
    check_on(session, date(2026, 4, 9))
    assert warning.resolved_at == oslo(date(2026, 4, 9), "06:00")
    assert warning.resolution == f"{meeting.label} er planlagt 11.06.2026."

    fire(session, meeting.case, "cancel", actor=world.actor("sec"), comment="Flyttes ikke.")
    check_on(session, date(2026, 7, 2), date(2026, 7, 3))
    breach, _warning_for_q3 = findings(session, world, Rule.QUARTER_WITHOUT_MEETING)
    assert breach is warning
    assert (breach.resolved_at, breach.resolution) == (None, None)
    assert breach.detail == "Ingen ordinære møter ble holdt i 2. kvartal 2026."


def test_a_meeting_held_on_the_last_day_of_a_quarter_counts_though_the_night_records_it(
    session, world
):
    meeting = plan(session, world, date(2026, 9, 30))
    convene(session, world, meeting)
    check_on(session, date(2026, 10, 1))  # before the deadline tick has marked it held
    fire(session, meeting.case, "hold", actor=SYSTEM, now=oslo(date(2026, 10, 1), "06:01"))
    check_on(session, date(2026, 10, 2), date(2026, 10, 3))
    assert [f.period for f in findings(session, world, Rule.QUARTER_WITHOUT_MEETING)] == ["2026-Q4"]


def test_fewer_than_three_meetings_held_or_planned_on_1_october_is_a_finding(session, world):
    hold(session, world, plan(session, world, date(2026, 3, 12)))
    plan(session, world, date(2026, 11, 12))

    check_on(session, date(2026, 9, 30))
    assert findings(session, world, Rule.YEAR_AT_RISK) == []
    check_on(session, date(2026, 10, 1), date(2026, 10, 2))
    (alert,) = findings(session, world, Rule.YEAR_AT_RISK)
    assert alert.period == "2026"
    assert alert.since == oslo(date(2026, 10, 1), "00:00")
    assert "bare 2 ordinære møter holdt eller planlagt i 2026" in alert.detail

    plan(session, world, date(2026, 12, 3))
    check_on(session, date(2026, 10, 5))
    assert alert.resolution == "Nå er 3 ordinære møter holdt eller planlagt i 2026."


def test_a_year_at_risk_still_open_when_the_year_ends_is_closed_by_the_years_total(session, world):
    hold(session, world, plan(session, world, date(2026, 3, 12)))
    check_on(session, date(2026, 10, 1), date(2027, 1, 1))
    (alert,) = findings(session, world, Rule.YEAR_AT_RISK)
    assert alert.resolved_at is None
    check_on(session, date(2027, 1, 2))
    assert alert.resolution == "Året er omme: ett ordinært møte ble holdt."
    (total,) = findings(session, world, Rule.TOO_FEW_MEETINGS)
    assert total.detail == "Ett ordinært møte ble holdt i 2026; kravet er minst 4."


def test_too_few_meetings_and_no_seminar_are_judged_when_the_year_is_over(session, world):
    for day in (date(2026, 3, 12), date(2026, 6, 11), date(2026, 9, 10)):
        hold(session, world, plan(session, world, day))
    plan(session, world, date(2026, 11, 12))  # planned, but never held

    check_on(session, date(2026, 12, 31), date(2027, 1, 1))
    assert findings(session, world, Rule.TOO_FEW_MEETINGS) == []
    check_on(session, date(2027, 1, 2), date(2027, 2, 1))

    (meetings,) = findings(session, world, Rule.TOO_FEW_MEETINGS)
    (seminar,) = findings(session, world, Rule.SEMINAR_MISSING)
    assert (meetings.period, seminar.period) == ("2026", "2026")
    assert meetings.detail == "3 ordinære møter ble holdt i 2026; kravet er minst 4."
    assert seminar.detail == "Ingen seminarer ble holdt i 2026; kravet er minst 1."
    assert meetings.since == oslo(date(2027, 1, 1), "00:00")


def test_a_notice_not_sent_by_its_deadline_is_a_finding_until_it_goes_out(session, world):
    meeting = plan(session, world, date(2026, 9, 17))
    fire(
        session, meeting.case, "start_agenda", actor=world.actor("sec"), now=oslo(date(2026, 9, 1))
    )

    check_on(session, date(2026, 9, 11))  # the notice day (10.09) is not judged until it is over
    assert findings(session, world, Rule.NOTICE_LATE) == []
    check_on(session, date(2026, 9, 12), date(2026, 9, 13))
    (late,) = findings(session, world, Rule.NOTICE_LATE)
    assert (late.period, late.case_id, late.resolved_at) == ("2026-09-17", meeting.case_id, None)
    assert "skulle vært sendt senest 10.09.2026, 7 dager før møtet" in late.detail

    fire(
        session,
        meeting.case,
        "fix_agenda",
        actor=world.actor("leader"),
        now=oslo(date(2026, 9, 14)),
    )
    fire(
        session,
        meeting.case,
        "fix_agenda",
        actor=world.actor("deputy"),
        now=oslo(date(2026, 9, 14)),
    )
    fire(session, meeting.case, "convene", actor=world.actor("sec"), now=oslo(date(2026, 9, 14)))
    check_on(session, date(2026, 9, 15), date(2026, 9, 16))
    assert late.resolution == "Innkallingen ble sendt 14.09.2026, 3 dager før møtet."
    assert len(findings(session, world, Rule.NOTICE_LATE)) == 1


def test_a_notice_sent_by_the_scheduler_as_the_notice_day_ends_is_in_time(session, world):
    meeting = plan(session, world, date(2026, 9, 17))
    convene(session, world, meeting, on=date(2026, 9, 11), by=SYSTEM)
    check_on(session, *every_day(date(2026, 9, 11), date(2026, 9, 20)))
    assert findings(session, world, Rule.NOTICE_LATE) == []


def test_a_notice_sent_late_is_recorded_already_resolved(session, world):
    meeting = plan(session, world, date(2026, 9, 17))
    convene(session, world, meeting, on=date(2026, 9, 14))
    check_on(session, date(2026, 9, 15), date(2026, 9, 16))
    (late,) = findings(session, world, Rule.NOTICE_LATE)
    assert late.resolved_at == oslo(date(2026, 9, 15), "06:00")
    assert late.resolution == "Innkallingen ble sendt 14.09.2026, 3 dager før møtet."


def test_minutes_not_started_within_five_working_days_are_a_finding(session, world):
    meeting = plan(session, world, date(2026, 9, 17))
    hold(session, world, meeting)

    check_on(session, date(2026, 9, 25))  # 24.09 is the fifth working day; judged from 26.09
    assert findings(session, world, Rule.MINUTES_LATE) == []
    check_on(session, date(2026, 9, 26), date(2026, 9, 28))
    (late,) = findings(session, world, Rule.MINUTES_LATE)
    assert "påbegynt senest 24.09.2026, 5 virkedager etter møtet" in late.detail

    sec = world.actor("sec")
    fire(session, meeting.case, "draft_minutes", actor=sec, now=oslo(date(2026, 9, 29)))
    check_on(session, date(2026, 9, 30))
    assert late.resolution == "Påbegynt 29.09.2026."


def test_moving_a_meeting_resolves_the_findings_of_its_old_date(session, world):
    meeting = plan(session, world, date(2026, 9, 17))
    check_on(session, date(2026, 9, 12))
    (late,) = findings(session, world, Rule.NOTICE_LATE)
    from engine.services.meetings import move_meeting

    move_meeting(
        session,
        meeting,
        actor=world.actor("sec"),
        date=date(2026, 10, 8),
        now=oslo(date(2026, 9, 12)),
    )
    check_on(session, date(2026, 9, 13))
    assert late.resolution == "Møtet ble flyttet til 08.10.2026."


# --- the agreement -----------------------------------------------------------------------


def agreement(session, world, first: int, last: int, *, state: str = "in_force") -> Case:
    """An agreement valid ``first``–``last``, negotiated and signed the year before."""
    before = date(first - 1, 6, 1)
    case = open_case(
        session,
        council=world.council,
        kind="agreement_revision",
        title=f"Politirådsavtale {first}–{last}",
        actor=world.actor("sec"),
        data={
            "agreement_text": "Avtaletekst",
            "valid_from": date(first, 1, 1),
            "valid_to": date(last, 12, 31),
        },
        now=oslo(before),
    )
    steps = [
        ("negotiate", "sec"),
        ("endorse", "leader"),
        ("endorse", "deputy"),
        ("sign", "leader"),
        ("sign", "deputy"),
    ]
    for n, (trigger, who) in enumerate(steps):
        fire(session, case, trigger, actor=world.actor(who), now=oslo(before + timedelta(days=n)))
    if state == "in_force":
        fire(session, case, "take_effect", actor=SYSTEM, now=oslo(date(first, 1, 1), "00:01"))
    assert case.state == state
    return case


def test_the_agreement_revision_opens_on_1_september_of_its_last_year_and_only_once(session, world):
    current = agreement(session, world, 2024, 2026)

    check_on(session, date(2026, 8, 31))
    assert len(cases_of(session, world, "agreement_revision")) == 1
    check_on(session, *every_day(date(2026, 9, 1), date(2026, 9, 10)))

    revision = cases_of(session, world, "agreement_revision")[1:]
    assert len(revision) == 1
    (revision,) = revision
    assert (revision.state, revision.parent_id) == ("draft", current.id)
    assert revision.data == {"valid_from": "2027-01-01", "valid_to": "2029-12-31"}
    assert revision.created_at == oslo(date(2026, 9, 1), "06:00")
    assert current.state == "revision_due"
    (due,) = findings(session, world, Rule.AGREEMENT_REVISION_DUE)
    assert (due.period, due.case_id, due.resolved_at) == ("2026-09-01", revision.id, None)
    told = session.scalars(
        select(OutboxMessage.recipient_id).where(OutboxMessage.case_id == revision.id)
    ).all()
    assert sorted(told) == sorted(world.people[p].id for p in ("leader", "deputy", "sec"))


def test_a_successor_being_drafted_is_linked_instead_of_opening_another(session, world):
    agreement(session, world, 2024, 2026)
    drafted = open_case(
        session,
        council=world.council,
        kind="agreement_revision",
        title="Ny politirådsavtale",
        actor=world.actor("sec"),
        now=oslo(date(2026, 5, 4)),
    )
    check_on(session, date(2026, 9, 1))
    assert len(cases_of(session, world, "agreement_revision")) == 2
    (due,) = findings(session, world, Rule.AGREEMENT_REVISION_DUE)
    assert due.case_id == drafted.id


def test_an_expired_agreement_without_successor_is_a_finding_until_one_takes_effect(session, world):
    agreement(session, world, 2023, 2025)
    check_on(session, date(2026, 1, 2), date(2026, 2, 2))

    (expired,) = findings(session, world, Rule.AGREEMENT_EXPIRED)
    assert (expired.period, expired.resolved_at) == ("2026-01-01", None)
    assert expired.since == oslo(date(2026, 1, 1), "00:00")
    assert "utløp 31.12.2025, og ingen ny avtale har trådt i kraft" in expired.detail
    (successor,) = cases_of(session, world, "agreement_revision")[1:]
    assert f"Ny avtale {successor.number} er under arbeid (Utkast)" in expired.detail

    update = {"agreement_text": "Ny tekst", "valid_from": "2026-04-01", "valid_to": "2028-12-31"}
    fire(session, successor, "negotiate", actor=world.actor("sec"), data=update)
    for trigger in ("endorse", "sign"):
        for who in ("leader", "deputy"):
            fire(session, successor, trigger, actor=world.actor(who), now=oslo(date(2026, 3, 2)))
    check_on(session, date(2026, 3, 10))
    assert expired.resolved_at is None
    check_on(session, date(2026, 4, 1))  # it takes effect today, by its own deadline
    assert expired.resolution == f"Ny avtale {successor.number} gjelder fra 01.04.2026."
    (due,) = findings(session, world, Rule.AGREEMENT_REVISION_DUE)
    assert due.resolution == f"Ny avtale {successor.number} er signert."


# --- the bylaws --------------------------------------------------------------------------

BYLAW_PATH = (
    ("start_drafting", "sec", {}),
    ("endorse", "leader", {"draft_text": "Utkast"}),
    ("endorse", "deputy", {}),
    ("decide_consultation", "sec", {}),
    ("open_consultation", "sec", {}),
    ("close_consultation", "system", {}),
    ("summarise_consultation", "sec", {"consultation_summary": "12 svar"}),
    ("propose_to_city_council", "sec", {}),
    ("adopt", "sec", {"adopted_on": "2022-02-01"}),
    ("submit_to_pod", "sec", {}),
    ("begin_legality_review", "sec", {}),
    ("confirm", "sec", {}),
    ("promulgate", "sec", {"promulgated_on": "2022-03-01", "commencement_date": "2022-04-01"}),
    ("enter_into_force", "system", {}),
)


def bylaws_in_force(session, world) -> Case:
    """Police bylaws that entered into force on 1 April 2022."""
    case = open_case(
        session,
        council=world.council,
        kind="bylaw_revision",
        title="Politivedtekt",
        actor=world.actor("sec"),
        now=oslo(date(2021, 9, 1)),
    )
    for n, (trigger, who, data) in enumerate(BYLAW_PATH):
        actor = SYSTEM if who == "system" else world.actor(who)
        when = oslo(date(2021, 9, 2) + timedelta(days=14 * n))
        fire(session, case, trigger, actor=actor, data=data, now=when)
    assert case.state == "in_force"
    return case


def test_a_bylaw_revision_opens_once_when_the_bylaws_in_force_are_four_years_old(session, world):
    in_force = bylaws_in_force(session, world)
    check_on(session, date(2026, 3, 31))
    assert len(cases_of(session, world, "bylaw_revision")) == 1
    check_on(session, date(2026, 4, 1), date(2026, 4, 2), date(2026, 6, 1))

    (revision,) = cases_of(session, world, "bylaw_revision")[1:]
    assert (revision.state, revision.parent_id) == ("revision_initiated", in_force.id)
    (due,) = findings(session, world, Rule.BYLAW_REVISION_DUE)
    assert (due.period, due.case_id) == ("2026-04-01", revision.id)
    assert "trådte i kraft 01.04.2022 og skal revideres hvert 4. år" in due.detail


def test_no_second_bylaw_revision_opens_while_one_is_underway(session, world):
    bylaws_in_force(session, world)
    underway = open_case(
        session,
        council=world.council,
        kind="bylaw_revision",
        title="Revisjon av politivedtekten",
        actor=world.actor("sec"),
        now=oslo(date(2025, 11, 3)),
    )
    check_on(session, date(2026, 4, 1))
    assert len(cases_of(session, world, "bylaw_revision")) == 2
    (due,) = findings(session, world, Rule.BYLAW_REVISION_DUE)
    assert due.case_id == underway.id


# --- steering groups ---------------------------------------------------------------------


def test_a_steering_report_is_requested_once_ahead_of_its_due_date(session, world):
    reporter = world.people["reporter"]
    reporter.locale = "en"
    group = add_steering_group(
        session,
        council=world.council,
        name="Lokal styringsgruppe for SaLTo, Bydel Stovner",
        next_due=date(2026, 3, 2),
        reporter_id=reporter.id,
        actor=world.actor("sec"),
    )
    check_on(session, date(2026, 1, 18))  # the request goes out 42 days ahead: 19.01
    assert cases_of(session, world, "steering_report") == []
    check_on(session, date(2026, 1, 19), date(2026, 1, 20), date(2026, 2, 20))

    (report,) = cases_of(session, world, "steering_report")
    assert report.state == "requested"
    assert report.data == {"group": group.name, "due_date": "2026-03-02"}
    assert group.next_due == date(2027, 3, 2)
    told = dict(
        session.execute(
            select(OutboxMessage.recipient_id, OutboxMessage.subject).where(
                OutboxMessage.case_id == report.id
            )
        ).all()
    )
    assert told == {
        reporter.id: f"Case {report.number}: report from {group.name} due by 2 March 2026",
        world.people["sec"].id: (
            f"Sak {report.number}: rapport fra {group.name} skal leveres innen 02.03.2026"
        ),
    }


def test_reports_that_came_due_during_downtime_are_all_requested(session, world):
    add_steering_group(
        session,
        council=world.council,
        name="Regional styringsgruppe",
        next_due=date(2026, 2, 2),
        interval_months=6,
        actor=world.actor("sec"),
    )
    check_on(session, date(2026, 8, 1))
    dues = [c.data["due_date"] for c in cases_of(session, world, "steering_report")]
    assert dues == ["2026-02-02", "2026-08-02"]


def test_an_overdue_report_is_one_finding_resolved_when_the_report_arrives(session, world):
    add_steering_group(
        session,
        council=world.council,
        name="Lokal styringsgruppe",
        next_due=date(2026, 3, 2),
        actor=world.actor("sec"),
    )
    check_on(session, date(2026, 2, 2))
    (report,) = cases_of(session, world, "steering_report")
    fire(session, report, "mark_overdue", actor=SYSTEM, now=oslo(date(2026, 3, 4), "00:01"))
    check_on(session, *every_day(date(2026, 3, 4), date(2026, 3, 10)))

    (overdue,) = findings(session, world, Rule.STEERING_REPORT_OVERDUE)
    assert (overdue.period, overdue.case_id, overdue.resolved_at) == (
        report.number,
        report.id,
        None,
    )
    assert "skulle vært levert 02.03.2026 og er forsinket" in overdue.detail

    reporter = world.actor("reporter")
    fire(
        session,
        report,
        "submit",
        actor=reporter,
        data={"report": "Rapport"},
        now=oslo(date(2026, 3, 11)),
    )
    check_on(session, date(2026, 3, 12))
    assert overdue.resolution == "Rapporten er levert (11.03.2026)."


def test_a_steering_group_needs_a_unique_name_and_the_secretariat(session, world):
    common = {"council": world.council, "next_due": date(2026, 3, 2)}
    add_steering_group(session, name="SaLTo Stovner", actor=world.actor("sec"), **common)
    with pytest.raises(PermissionDenied):
        add_steering_group(session, name="SaLTo Alna", actor=world.actor("kmember"), **common)
    with pytest.raises(Conflict, match="already"):
        add_steering_group(session, name="SaLTo Stovner", actor=world.actor("sec"), **common)


# --- one finding per rule and period ------------------------------------------------------


def test_the_check_changes_nothing_when_run_again_at_the_same_moment(session, world):
    agreement(session, world, 2023, 2025)
    now = oslo(date(2026, 9, 1), "06:00")
    first = check_cadence(session, now=now)
    assert {f.rule for f in first} >= {Rule.AGREEMENT_EXPIRED, Rule.QUARTER_WITHOUT_MEETING}
    assert check_cadence(session, now=now) == []
    assert check_cadence(session, now=now + timedelta(hours=5)) == []


def test_two_checks_at_the_same_moment_record_each_finding_and_open_each_case_once(
    db_kind, tmp_path
):
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            sessions = session_factory(engine, write=True)
            with sessions() as session:
                world = make_world(session)
                agreement(session, world, 2024, 2026)
                add_steering_group(
                    session,
                    council=world.council,
                    name="Lokal styringsgruppe",
                    next_due=date(2026, 10, 1),
                    actor=world.actor("sec"),
                )
                session.commit()
            now = oslo(date(2026, 9, 1), "06:00")
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def check() -> None:
                try:
                    with sessions() as session:
                        barrier.wait()
                        check_cadence(session, now=now)
                        session.commit()
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=check) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            with sessions() as session:
                kinds = session.execute(
                    select(Case.kind, func.count()).group_by(Case.kind).order_by(Case.kind)
                ).all()
                assert kinds == [("agreement_revision", 2), ("steering_report", 1)]
                keys = session.execute(select(Finding.rule, Finding.period)).all()
                assert len(keys) == len(set(keys))
                assert session.scalar(select(SteeringGroup.next_due)) == date(2027, 10, 1)
        finally:
            engine.dispose()


# --- the report --------------------------------------------------------------------------


def test_the_report_shows_the_years_meetings_agreement_and_findings(session, world):
    hold(session, world, plan(session, world, date(2026, 3, 12)))
    seminar = plan(session, world, date(2026, 10, 15), kind="seminar")
    agreement(session, world, 2023, 2025)
    now = oslo(date(2026, 11, 27))
    check_cadence(session, now=now)

    report = cadence_report(session, world.council, year=2026, now=now)

    assert [q.held for q in report.quarters] == [True, False, False, False]
    assert [q.ended for q in report.quarters] == [True, True, True, False]
    assert report.quarters[0].meetings[0].state_label == "Avholdt"
    assert [m.label for m in report.seminars] == [seminar.label]
    assert (report.ordinary_held, report.ordinary_planned) == (1, 0)
    assert report.agreement.expired and not report.agreement.in_force
    assert report.agreement.valid_to == date(2025, 12, 31)
    assert report.agreement.successor is not None
    assert report.agreement.successor_valid_from == date(2026, 1, 1)
    assert {f.rule for f in report.findings} == {
        Rule.AGREEMENT_REVISION_DUE,
        Rule.AGREEMENT_EXPIRED,
        Rule.QUARTER_WITHOUT_MEETING,
        Rule.YEAR_AT_RISK,
        Rule.MINUTES_LATE,  # the March meeting's minutes were never started
        Rule.NOTICE_LATE,  # nor was the seminar ever convened
    }
    assert sorted(f.period for f in report.findings if f.rule == "quarter_without_meeting") == [
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]


def test_the_demo_reports_its_expired_agreement_from_the_command_line(
    db_kind, tmp_path, monkeypatch
):
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr("engine.services.people.hash_password", cheap.hash)
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        runner = CliRunner()

        def politirad(*args: str) -> str:
            result = runner.invoke(main, list(args), env={"DATABASE_URL": url})
            assert result.exit_code == 0, result.output
            return result.output

        politirad("demo", "load", "--now", "2026-11-27T11:00")
        printed = politirad("cadence", "report", "--year", "2026", "--now", "2026-11-27T12:00")

    assert "møteplan og oppfølging 2026 (per 27.11.2026)" in printed
    assert "gyldig 01.01.2023–31.12.2025: UTLØPT 31.12.2025" in printed
    assert "[ÅPENT] 2026-01-01 Samarbeidsavtalen er utløpt uten ny avtale" in printed
