"""The scheduler: every passed deadline handled once, reminders on working days, one
scheduler per installation, and jobs that keep their times across daylight saving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, select
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine.cadence import Rule, add_steering_group
from engine.calendar import OSLO
from engine.db import Base, make_engine, session_factory
from engine.demo import load_demo
from engine.models import (
    Action,
    Case,
    CaseEvent,
    Deadline,
    Finding,
    InboxMessage,
    JobRun,
    OutboxMessage,
    SentReminder,
)
from engine.models.enums import DeadlineStatus, EventKind
from engine.scheduler import (
    JOBS,
    Job,
    handle_due_deadlines,
    job_status,
    lock_for,
    send_reminders,
    tick,
)
from engine.scheduler import jobs as jobs_module
from engine.scheduler.reminders import reminder_day
from engine.seeding import make_world
from engine.services import fire, open_case
from engine.services.meetings import create_meeting
from tests.clock import NOW
from tests.databases import fresh_database, migrate
from web.cli import main


def oslo(text: str) -> datetime:
    """An Oslo wall-clock time as the aware UTC instant the engine works with."""
    return datetime.fromisoformat(text).replace(tzinfo=OSLO).astimezone(UTC)


@pytest.fixture
def sessions(session):
    """Sessions on the test's own connection, so a whole tick may commit and still roll back."""
    session.flush()
    return sessionmaker(
        bind=session.connection(),
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )


def report(session, world, due_date="2026-03-10", *, by="sec", title="Årsrapport SaLTo"):
    """A steering-group report; its deadline `due` passes at the end of the next working day."""
    return open_case(
        session,
        council=world.council,
        kind="steering_report",
        title=title,
        actor=world.actor(by),
        data={"group": "SaLTo Stovner", "due_date": due_date},
        now=NOW,
    )


def deadlines_of(session, case, name=None):
    query = select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.id)
    if name:
        query = query.where(Deadline.name == name)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def messages(session, topic):
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
        )
    )


def events(session, case, kind=None):
    query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    if kind:
        query = query.where(CaseEvent.kind == kind)
    return list(session.scalars(query))


def row_counts(session) -> dict[str, int]:
    """How many rows each table of the schema holds."""
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def add_deadline(session, case, *, effect, trigger=None, due, state_entry=None, name="test"):
    session.execute(
        insert(Deadline).values(
            case_id=case.id,
            name=name,
            state_entry=case.state_entry if state_entry is None else state_entry,
            due=due,
            status=DeadlineStatus.PENDING,
            effect=effect,
            trigger=trigger,
        )
    )


# --- the deadline tick --------------------------------------------------------------------


def test_a_passed_transition_deadline_is_fired_by_the_system_through_fire(session, world):
    case = report(session, world, "2026-03-10")

    assert handle_due_deadlines(session, now=oslo("2026-03-11T23:59")) == 0
    moment = oslo("2026-03-12T00:01")
    assert handle_due_deadlines(session, now=moment) == 1

    session.refresh(case)
    assert case.state == "overdue"
    moved = events(session, case, EventKind.TRANSITION)[-1]
    assert (moved.actor, moved.trigger, moved.to_state) == ("system", "mark_overdue", "overdue")
    assert moved.comment == "Frist passert: Leveringsfrist"
    (due,) = deadlines_of(session, case, "due")
    assert due.status == DeadlineStatus.DONE
    assert due.handled_at == moment
    assert due.outcome == "fired mark_overdue: requested → overdue"
    (chase,) = deadlines_of(session, case, "chase")
    assert chase.status == DeadlineStatus.PENDING
    assert audit.verify(session).ok


def test_a_reminder_deadline_notifies_the_secretariat_and_the_author_and_is_recorded(
    session, world
):
    item = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Trygghet i Groruddalen",
        actor=world.actor("kmember"),
        data={"meeting_date": "2026-04-30"},
        priority_areas=[world.area(session).id],
        now=NOW,
    )
    fire(session, item, "propose", actor=world.actor("kmember"), now=NOW)
    (intake,) = deadlines_of(session, item, "intake")

    assert handle_due_deadlines(session, now=intake.due) == 1

    sent = messages(session, "deadline_reminder")
    assert sorted(m.recipient_id for m in sent) == sorted(
        [world.people["sec"].id, world.people["kmember"].id]
    )
    assert sent[0].subject == f"Frist passert: Innmeldingsfrist – sak {item.number}"
    assert "gikk ut 09.04.2026" in sent[0].body
    session.refresh(item)
    assert item.state == "proposed"
    (recorded,) = events(session, item, EventKind.DEADLINE)
    assert recorded.actor == "system"
    assert recorded.comment == "Frist passert: Innmeldingsfrist; purring sendt"
    assert deadlines_of(session, item, "intake")[0].outcome == "reminder sent to 2"


def test_an_escalation_deadline_goes_to_the_leader_the_deputy_and_the_secretariat(session, world):
    case = report(session, world, "2026-03-10")
    handle_due_deadlines(session, now=oslo("2026-03-12T00:01"))
    (chase,) = deadlines_of(session, case, "chase")

    assert handle_due_deadlines(session, now=chase.due + timedelta(hours=7)) == 1

    sent = messages(session, "deadline_escalation")
    assert {m.recipient_id for m in sent} == {
        world.people[login].id for login in ("leader", "deputy", "sec")
    }
    assert all(m.subject.startswith("Frist overskredet: Purring") for m in sent)
    assert deadlines_of(session, case, "chase")[0].outcome == "escalated to 3"


def test_a_transition_the_engine_refuses_is_recorded_and_escalated_not_raised(session, world):
    case = report(session, world, "2026-06-30")
    # The system may not submit a report: the engine refuses, the tick carries on.
    add_deadline(session, case, effect="transition", trigger="submit", due=NOW)
    later = report(session, world, "2026-02-20", title="Rapport fra Alna")

    assert handle_due_deadlines(session, now=NOW + timedelta(minutes=1)) == 2

    (refused,) = deadlines_of(session, case, "test")
    assert refused.status == DeadlineStatus.DONE
    assert refused.outcome.startswith("refused: the scheduler may not fire 'submit'")
    session.refresh(case)
    assert case.state == "requested"
    escalations = messages(session, "deadline_escalation")
    assert len(escalations) == 3
    assert escalations[0].subject.startswith("Automatisk overgang stoppet")
    assert escalations[0].payload["refused"].startswith("the scheduler may not fire")
    assert [e.kind for e in events(session, case)][-1] == EventKind.DEADLINE
    session.refresh(later)
    assert later.state == "overdue"  # the refusal did not stop the next deadline


def test_a_deadline_of_a_state_the_case_has_left_is_cancelled_not_fired(session, world):
    case = report(session, world, "2026-06-30")
    add_deadline(
        session,
        case,
        effect="transition",
        trigger="mark_overdue",
        due=NOW,
        state_entry=case.state_entry + 1,
    )
    before = len(events(session, case))

    assert handle_due_deadlines(session, now=NOW + timedelta(minutes=1)) == 1

    (stale,) = deadlines_of(session, case, "test")
    assert (stale.status, stale.outcome) == (DeadlineStatus.CANCELLED, "state left (now requested)")
    session.refresh(case)
    assert case.state == "requested"
    assert len(events(session, case)) == before
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_second_tick_handles_nothing_again(session, world):
    case = report(session, world, "2026-03-10")
    moment = oslo("2026-03-12T07:00")

    assert handle_due_deadlines(session, now=moment) == 1
    assert handle_due_deadlines(session, now=moment) == 0
    assert handle_due_deadlines(session, now=moment + timedelta(days=1)) == 0

    moves = [e for e in events(session, case) if e.trigger == "mark_overdue"]
    assert len(moves) == 1


def test_after_three_days_of_downtime_one_tick_handles_every_missed_deadline_once(
    session, world, sessions
):
    cases = [
        report(session, world, due, title=f"Rapport {n}")
        for n, due in enumerate(("2026-03-09", "2026-03-10", "2026-03-11", "2026-03-30"))
    ]
    tick(sessions, now=oslo("2026-03-10T07:00"))  # before any of them is due
    # No tick on 11, 12 and 13 March: the scheduler was down.
    results = tick(sessions, now=oslo("2026-03-14T07:00"))

    assert results["deadlines"] == {"handled": 3}
    session.expire_all()
    assert [c.state for c in cases] == ["overdue", "overdue", "overdue", "requested"]
    for case in cases[:3]:
        assert [e.trigger for e in events(session, case, EventKind.TRANSITION)] == ["mark_overdue"]
        (due,) = deadlines_of(session, case, "due")
        assert due.handled_at == oslo("2026-03-14T07:00")
    assert tick(sessions, now=oslo("2026-03-14T07:01"))["deadlines"] == {"handled": 0}


def test_a_deadline_that_handling_another_makes_due_is_handled_in_the_same_run(session, world):
    meeting = create_meeting(
        session,
        council=world.council,
        actor=world.actor("sec"),
        date=date(2026, 3, 26),
        location="Rådhuset",
    )
    case = meeting.case
    fire(session, case, "start_agenda", actor=world.actor("sec"), now=NOW)
    for approver in ("leader", "deputy"):
        fire(session, case, "fix_agenda", actor=world.actor(approver), now=NOW)
    # The scheduler was down over the notice deadline and the meeting day: convening the
    # meeting now gives it a deadline that has passed already, to record it as held.
    moment = oslo("2026-03-30T07:00")

    assert handle_due_deadlines(session, now=moment) == 2

    session.refresh(case)
    assert case.state == "held"
    transitions = [e.trigger for e in events(session, case, EventKind.TRANSITION)]
    assert transitions[-2:] == ["convene", "hold"]
    assert handle_due_deadlines(session, now=moment) == 0


def test_one_deadline_failing_leaves_it_pending_and_handles_the_others(session, world, monkeypatch):
    failing = report(session, world, "2026-03-09", title="Feiler")
    other = report(session, world, "2026-03-10", title="Går fint")
    import engine.scheduler.deadline_tick as tick_module

    real_fire = tick_module.fire

    def fire_or_break(session_, case, trigger, **kwargs):
        if case.id == failing.id:
            raise RuntimeError("database went away")
        return real_fire(session_, case, trigger, **kwargs)

    monkeypatch.setattr(tick_module, "fire", fire_or_break)

    assert handle_due_deadlines(session, now=oslo("2026-03-14T07:00")) == 1

    assert deadlines_of(session, failing, "due")[0].status == DeadlineStatus.PENDING
    assert deadlines_of(session, other, "due")[0].status == DeadlineStatus.DONE
    monkeypatch.undo()
    assert handle_due_deadlines(session, now=oslo("2026-03-14T07:01")) == 1
    session.refresh(failing)
    assert failing.state == "overdue"


# --- the tick and its record ----------------------------------------------------------------


def test_a_tick_runs_every_job_and_records_each_run(session, world, sessions):
    report(session, world, "2026-03-10")
    moment = oslo("2026-03-12T07:00")

    results = tick(sessions, now=moment)

    assert list(results) == [
        "reports",
        "deadlines",
        "cadence",
        "reminders",
        "digest",
        "resets",
        "outbox",
    ]
    assert results["deadlines"] == {"handled": 1}
    assert results["outbox"]["delivered"] >= 1
    runs = {run.job: run for run in session.scalars(select(JobRun))}
    assert set(runs) == {job.name for job in JOBS}
    assert all(run.as_of == moment and run.pid == os.getpid() for run in runs.values())
    assert runs["deadlines"].result == {"handled": 1}


def test_a_failing_job_is_recorded_and_the_other_jobs_still_run(
    session, world, sessions, monkeypatch
):
    report(session, world, "2026-03-10")

    def broken(session, *, now):
        raise RuntimeError("cadence rules unreadable")

    jobs = tuple(
        Job(job.name, job.description, broken, job.counts, job.schedule)
        if job.name == "cadence"
        else job
        for job in JOBS
    )
    monkeypatch.setattr(jobs_module, "JOBS", jobs)

    results = tick(sessions, now=oslo("2026-03-12T07:00"))

    assert results["cadence"] == {"error": "RuntimeError: cadence rules unreadable"}
    assert results["deadlines"] == {"handled": 1}
    run = session.get(JobRun, "cadence", populate_existing=True)
    assert run.result["error"].startswith("RuntimeError")


def test_a_second_tick_at_the_same_time_adds_nothing(session, sessions, clock):
    load_demo(session, now=oslo("2026-11-27T10:00"))  # a Friday
    session.flush()
    # The Tuesday after, past the digest's time: deadlines passed over the weekend, reminders
    # and digests are due, and the cadence check has findings to make.
    moment = oslo("2026-12-01T07:30")
    clock.travel_to(moment)

    first = tick(sessions, now=moment)
    counts = row_counts(session)
    again = tick(sessions, now=moment)

    assert all("error" not in result for result in first.values()), first
    assert first["deadlines"]["handled"] > 0
    assert first["cadence"]["findings changed"] > 0
    assert first["reminders"]["sent"] > 0
    assert first["digest"]["sent"] > 0
    assert row_counts(session) == counts
    assert all(not any(result.values()) for result in again.values()), again


def test_a_report_requested_after_its_due_date_is_found_overdue_in_the_same_tick(
    session, world, sessions, clock
):
    clock.travel_to(oslo("2026-01-12T10:00"))
    add_steering_group(
        session,
        council=world.council,
        name="Lokal styringsgruppe for SaLTo, Bydel Stovner",
        next_due=date(2026, 3, 2),
        actor=world.actor("sec"),
    )
    # The scheduler was down from before the request day (19 January, 42 days ahead) until
    # after the due date: the report is requested, overdue and found overdue all at once.
    moment = oslo("2026-03-05T07:00")
    clock.travel_to(moment)

    tick(sessions, now=moment)

    session.expire_all()
    (requested,) = session.scalars(select(Case).where(Case.kind == "steering_report")).all()
    assert requested.state == "overdue"
    (finding,) = session.scalars(
        select(Finding).where(Finding.rule == Rule.STEERING_REPORT_OVERDUE)
    ).all()
    assert finding.case_id == requested.id
    counts = row_counts(session)
    tick(sessions, now=moment)
    assert row_counts(session) == counts


def test_status_shows_the_next_run_of_each_job_in_oslo_time(session):
    rows = {row.job.name: row for row in job_status(session, now=oslo("2026-03-29T01:59:30"))}

    assert rows["deadlines"].next_run == datetime(2026, 3, 29, 3, 0, tzinfo=OSLO)
    assert rows["cadence"].next_run == datetime(2026, 3, 29, 6, 0, tzinfo=OSLO)
    assert rows["digest"].next_run == datetime(2026, 3, 29, 7, 5, tzinfo=OSLO)


# --- reminders before due dates ---------------------------------------------------------------


def action(session, world, due, *, owner="pmember", description="Kartlegg ungdomsmiljøet"):
    case = report(session, world, "2026-12-01", title="Sak med oppfølging")
    row = Action(
        case_id=case.id,
        description=description,
        owner_party="police",
        owner_person_id=world.people[owner].id if owner else None,
        due=due,
        created_at=NOW,
    )
    session.add(row)
    session.flush()
    return row


def reminder_days(session, start: date, end: date, topic: str) -> list[tuple[date, int]]:
    """Run the reminder job at 07:00 every day from ``start`` to ``end``; what went out when."""
    sent = []
    day = start
    while day <= end:
        before = {m.id for m in messages(session, topic)}
        send_reminders(session, now=oslo(f"{day.isoformat()}T07:00"))
        sent += [(day, m.payload["offset"]) for m in messages(session, topic) if m.id not in before]
        day += timedelta(days=1)
    return sorted(set(sent))


def test_a_reminder_day_off_work_moves_to_the_working_day_before(session, world):
    # 9 April 2026: three days before is 2. påskedag; the working day before it is 1 April.
    assert reminder_day(date(2026, 4, 9), 3) == date(2026, 4, 1)
    action(session, world, date(2026, 4, 9))

    assert reminder_days(session, date(2026, 3, 16), date(2026, 4, 10), "action_due") == [
        (date(2026, 3, 26), 14),
        (date(2026, 4, 1), 3),
    ]
    assert session.scalar(select(func.count(SentReminder.id))) == 2


def test_deadlines_are_reminded_14_and_3_days_ahead_on_working_days(session, world):
    # Due 18 May: the deadline is the end of 19 May; three days before is a Saturday.
    case = report(session, world, "2026-05-18", by="leader")

    assert reminder_days(session, date(2026, 5, 1), date(2026, 5, 20), "deadline_upcoming") == [
        (date(2026, 5, 5), 14),
        (date(2026, 5, 15), 3),
    ]
    last = messages(session, "deadline_upcoming")[-1]
    assert last.subject == f"Påminnelse: Leveringsfrist 19.05.2026 – sak {case.number}"
    assert "om 4 dager" in last.body
    recipients = {m.recipient_id for m in messages(session, "deadline_upcoming")}
    assert recipients == {world.people["sec"].id, world.people["leader"].id}


def test_a_reminder_missed_during_downtime_goes_out_once_on_the_next_run(session, world):
    action(session, world, date(2026, 4, 30))  # reminders due 16 April (14) and 27 April (3)

    assert send_reminders(session, now=oslo("2026-04-20T07:00")) == 1
    assert send_reminders(session, now=oslo("2026-04-21T07:00")) == 0
    assert send_reminders(session, now=oslo("2026-04-28T07:00")) == 1
    assert send_reminders(session, now=oslo("2026-04-29T07:00")) == 0
    assert [m.payload["offset"] for m in messages(session, "action_due")] == [14, 3]


def test_an_item_first_seen_close_to_its_due_date_gets_only_the_nearest_reminder(session, world):
    action(session, world, date(2026, 4, 30))

    assert send_reminders(session, now=oslo("2026-04-28T07:00")) == 1
    assert [m.payload["offset"] for m in messages(session, "action_due")] == [3]


def test_no_reminders_go_out_on_a_day_off(session, world):
    action(session, world, date(2026, 4, 20))  # 14 days before: Monday 6 April, 2. påskedag

    assert send_reminders(session, now=oslo("2026-04-06T07:00")) == 0
    assert send_reminders(session, now=oslo("2026-04-07T07:00")) == 1


def test_reminders_are_written_in_the_language_the_person_prefers(session, world):
    world.people["pmember"].locale = "en"
    action(session, world, date(2026, 4, 30))

    send_reminders(session, now=oslo("2026-04-16T07:00"))

    (sent,) = messages(session, "action_due")
    assert sent.subject == "Reminder: action in case 2026/1 due 30 April 2026"
    assert "«Kartlegg ungdomsmiljøet»" in sent.body
    assert "in 14 days" in sent.body


def test_an_effective_date_is_not_reminded_of(session, world):
    meeting = open_case(
        session,
        council=world.council,
        kind="meeting",
        title="Ordinært møte",
        actor=world.actor("sec"),
        data={"meeting_date": "2026-03-26", "kind": "ordinary"},
        now=NOW,
    )
    fire(session, meeting, "start_agenda", actor=world.actor("sec"), now=NOW)
    fire(session, meeting, "fix_agenda", actor=world.actor("leader"), now=NOW)
    fire(session, meeting, "fix_agenda", actor=world.actor("deputy"), now=NOW)
    fire(session, meeting, "convene", actor=world.actor("sec"), now=NOW)
    (held,) = deadlines_of(session, meeting, "mark_held")  # at the start of 27 March

    assert reminder_days(session, date(2026, 3, 9), date(2026, 3, 26), "deadline_upcoming") == []
    assert held.status == DeadlineStatus.PENDING


def test_an_action_without_an_owner_is_reminded_to_the_secretariat(session, world):
    action(session, world, date(2026, 4, 30), owner=None)

    send_reminders(session, now=oslo("2026-04-16T07:00"))

    assert [m.recipient_id for m in messages(session, "action_due")] == [world.people["sec"].id]


def test_the_reminder_offsets_are_configurable(session, world, monkeypatch):
    monkeypatch.setenv("POLITIRAD_REMINDER_OFFSETS", "7")
    action(session, world, date(2026, 4, 30))

    assert reminder_days(session, date(2026, 4, 13), date(2026, 4, 30), "action_due") == [
        (date(2026, 4, 23), 7)
    ]


# --- daylight saving -----------------------------------------------------------------------


def fire_times(job: Job, start: datetime, end: datetime) -> list[datetime]:
    """Every time APScheduler's own trigger fires the job between ``start`` and ``end``."""
    trigger = job.trigger()
    times = []
    moment = trigger.get_next_fire_time(None, start)
    while moment is not None and moment < end:
        times.append(moment)
        moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return times


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25), date(2026, 6, 10)])
def test_no_job_runs_twice_or_not_at_all_on_a_daylight_saving_day(day):
    start = datetime.combine(day, datetime.min.time(), tzinfo=OSLO)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=OSLO)
    for job in JOBS:
        times = fire_times(job, start, end)
        instants = [t.astimezone(UTC) for t in times]
        assert len(set(instants)) == len(instants), job.name
        assert instants == sorted(instants), job.name
        assert all(t.astimezone(OSLO).hour != 2 for t in times), job.name
        if job.schedule["minute"] == "*":
            assert len(times) == 23 * 60, job.name
        else:
            (only,) = times
            wall = only.astimezone(OSLO)
            assert (wall.date(), wall.hour, wall.minute) == (
                day,
                int(job.schedule["hour"]),
                int(job.schedule["minute"]),
            )


# --- against a committed database: concurrency and the lock -----------------------------------


@pytest.fixture
def committed(db_kind, tmp_path):
    """The URL of a migrated database of its own whose writes really commit."""
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        yield url


def test_two_schedulers_started_together_never_handle_a_deadline_twice(committed):
    engine = make_engine(committed)
    with session_factory(engine, write=True)() as session:
        world = make_world(session)
        reports = [report(session, world, "2026-03-10", title=f"Rapport {n}") for n in range(12)]
        items = []
        for n in range(6):
            item = open_case(
                session,
                council=world.council,
                kind="agenda_item",
                title=f"Sak {n}",
                actor=world.actor("kmember"),
                data={"meeting_date": "2026-03-30"},
                priority_areas=[world.area(session).id],
                now=NOW,
            )
            fire(session, item, "propose", actor=world.actor("kmember"), now=NOW)
            items.append(item)
        session.commit()
    engine.dispose()
    moment = oslo("2026-03-14T07:00")
    barrier = threading.Barrier(2)
    results: list[dict] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        own = make_engine(committed)
        try:
            barrier.wait()
            results.append(tick(own, now=moment))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert all("error" not in r for result in results for r in result.values()), results
    assert sum(r["deadlines"]["handled"] for r in results) == len(reports) + len(items)
    engine = make_engine(committed)
    with session_factory(engine)() as session:
        kinds = Counter(
            (e.kind, e.trigger)
            for e in session.scalars(select(CaseEvent).where(CaseEvent.actor == "system"))
        )
        assert kinds[(EventKind.TRANSITION, "mark_overdue")] == len(reports)
        assert kinds[(EventKind.DEADLINE, None)] == len(items)
        handled = session.scalars(select(Deadline).where(Deadline.handled_at.is_not(None))).all()
        assert Counter(d.status for d in handled) == {
            DeadlineStatus.DONE: len(reports) + len(items)
        }
        reminders = session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.topic == "deadline_reminder")
        )
        assert reminders == 2 * len(items)
        outbox = session.scalar(select(func.count(OutboxMessage.id)))
        assert session.scalar(select(func.count(InboxMessage.id))) == outbox
        assert audit.verify(session).ok
    engine.dispose()


def test_a_second_lock_holder_is_refused_until_the_first_releases(committed):
    engine = make_engine(committed)
    first, second = lock_for(engine), lock_for(engine)
    try:
        assert first.holder() is None
        assert first.acquire()
        assert not second.acquire()
        assert f"pid={os.getpid()}" in first.holder()
        assert first.still_held()
        first.release()
        assert first.holder() is None
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()
        engine.dispose()


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_a_standby_scheduler_takes_over_when_the_running_one_dies(committed):
    environment = {**os.environ, "DATABASE_URL": committed}
    command = [
        sys.executable,
        "-c",
        "from web.cli import main; main()",
        "scheduler",
        "run",
        "--standby-interval",
        "0.2",
    ]
    engine = make_engine(committed)
    lock = lock_for(engine)
    first = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)
    second = None
    try:
        wait_for(lambda: f"pid={first.pid}" in (lock.holder() or ""))
        second = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)
        time.sleep(2)
        assert second.poll() is None
        assert f"pid={first.pid}" in lock.holder()

        first.kill()  # dies without releasing anything
        first.wait(timeout=10)

        wait_for(lambda: f"pid={second.pid}" in (lock.holder() or ""))
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0
        wait_for(lambda: lock.holder() is None)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        engine.dispose()


def test_the_command_line_ticks_as_of_a_time_and_shows_the_status(committed):
    runner = CliRunner()

    def politirad(*args: str) -> str:
        result = runner.invoke(main, list(args), env={"DATABASE_URL": committed})
        assert result.exit_code == 0, result.output
        return result.output

    politirad("demo", "load", "--now", "2026-11-27T10:00")

    first = politirad("scheduler", "tick", "--now", "2026-12-01T07:00")
    again = politirad("scheduler", "tick", "--now", "2026-12-01T07:00")
    status = politirad("scheduler", "status")

    assert [line.split()[0] for line in first.splitlines()] == [job.name for job in JOBS]
    handled = next(line for line in first.splitlines() if line.startswith("deadlines"))
    assert int(handled.split()[-1]) > 0
    assert "deadlines  handled 0" in again
    assert "lock: free (no scheduler is running)" in status
    assert "01.12.2026 07:00" in status  # the time the last tick ran as of


def test_a_tick_run_again_by_hand_at_the_same_time_adds_nothing(committed):
    runner = CliRunner()

    def politirad(*args: str) -> str:
        result = runner.invoke(main, list(args), env={"DATABASE_URL": committed})
        assert result.exit_code == 0, result.output
        return result.output

    def counts() -> dict[str, int]:
        engine = make_engine(committed)
        try:
            with session_factory(engine)() as session:
                return row_counts(session)
        finally:
            engine.dispose()

    politirad("demo", "load", "--now", "2026-11-27T10:00")
    politirad("scheduler", "tick", "--now", "2026-12-01T07:30")
    after_first = counts()

    again = politirad("scheduler", "tick", "--now", "2026-12-01T07:30")

    assert counts() == after_first
    assert [line.split()[-1] for line in again.splitlines()] == ["0"] * len(JOBS), again
