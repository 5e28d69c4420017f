"""A simulated year: the Oslo demo council through 2026, the scheduler ticked every day.

The clock is injected; the database is real and every tick commits, as in production.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from engine import audit
from engine.actors import Actor, actor_for
from engine.calendar import OSLO, is_working_day, to_oslo
from engine.db import make_engine, session_factory
from engine.demo import load_demo
from engine.models import Case, CaseEvent, Deadline, Finding, Meeting, Person, SentReminder
from engine.scheduler import tick
from engine.scheduler.deadline_tick import deadline_day
from engine.scheduler.reminders import reminder_day
from engine.services import fire, open_case
from engine.services.meetings import plan_year
from tests.databases import fresh_database, migrate

YEAR = 2026


def at(day: date, clock: time = time(7)) -> datetime:
    return datetime.combine(day, clock, tzinfo=OSLO)


def days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def people(session) -> dict[str, Actor]:
    return {p.login: actor_for(p) for p in session.scalars(select(Person))}


def prepare(sessions) -> None:
    """The demo as of New Year's Day; the year planned without a Q3 meeting; and a one-year
    extension of the cooperation agreement signed by both parties, valid through 2026."""
    start = at(date(YEAR, 1, 2), time(9))
    with sessions() as session:
        demo = load_demo(session, now=at(date(YEAR, 1, 1), time(8)))
        council = demo.council
        who = people(session)
        planned = plan_year(
            session, council=council, year=YEAR, actor=who["sekretariat"], now=start
        )
        for meeting in planned:
            if meeting.kind == "ordinary" and (meeting.date.month - 1) // 3 == 2:
                fire(
                    session,
                    meeting.case,
                    "cancel",
                    actor=who["sekretariat"],
                    comment="Avlyst: sammenfaller med beredskapsøvelse",
                    now=start,
                )
        extension = open_case(
            session,
            council=council,
            kind="agreement_revision",
            title="Politirådsavtale – forlengelse for 2026",
            actor=who["sekretariat"],
            now=start,
        )
        sec = who["sekretariat"]
        fire(
            session,
            extension,
            "negotiate",
            actor=sec,
            data={"agreement_text": "Forlenget."},
            now=start,
        )
        for approver in ("leder", "politimester"):
            fire(session, extension, "endorse", actor=who[approver], now=start)
        for approver in ("leder", "politimester"):
            fire(
                session,
                extension,
                "sign",
                actor=who[approver],
                data={"valid_from": f"{YEAR}-01-01", "valid_to": f"{YEAR}-12-31"},
                now=start,
            )
        session.commit()


@pytest.fixture
def year(db_kind, tmp_path):
    """The database after every day of the year was ticked at 07:00, plus what each tick did."""
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            sessions = session_factory(engine, write=True)
            prepare(sessions)
            repeats = []
            for day in days_of(YEAR):
                tick(sessions, now=at(day))
                # The same instant again must find nothing left to do.
                again = tick(sessions, now=at(day))
                repeats.append((day, again))
            yield sessions, repeats
        finally:
            engine.dispose()


@pytest.mark.slow
@pytest.mark.timeout(1200)  # a year of council work; minutes on a loaded machine
def test_a_year_of_daily_ticks_keeps_every_promise(year):
    sessions, repeats = year
    last_tick = at(date(YEAR, 12, 31))
    with sessions() as session:
        # Every deadline that fell due was handled, none is left pending, none twice.
        left = session.scalar(
            select(func.count()).where(Deadline.status == "pending", Deadline.due <= last_tick)
        )
        assert left == 0
        for day, again in repeats:
            assert again["deadlines"]["handled"] == 0, day
            assert again["reminders"]["sent"] == 0, day
        fired = session.scalars(
            select(Deadline).where(
                Deadline.outcome.like("fired %"), Deadline.handled_at.is_not(None)
            )
        ).all()
        assert fired, "the year should have fired some deadlines"
        for deadline in fired:
            matching = session.scalar(
                select(func.count()).where(
                    CaseEvent.case_id == deadline.case_id,
                    CaseEvent.actor == "system",
                    CaseEvent.trigger == deadline.trigger,
                    CaseEvent.kind == "transition",
                    CaseEvent.at == deadline.handled_at,
                )
            )
            assert matching == 1, deadline.outcome

        # Reminders went out once each, on working days, not before their reminder day.
        reminders = session.scalars(
            select(SentReminder).where(
                SentReminder.key.like("deadline:%") | SentReminder.key.like("action:%")
            )
        ).all()
        assert reminders
        for reminder in reminders:
            sent = to_oslo(reminder.at).date()
            assert is_working_day(sent), reminder.key
            kind, ident, offset = reminder.key.split(":")
            if kind == "deadline":
                due = deadline_day(session.get(Deadline, int(ident)).due)
                assert reminder_day(due, int(offset)) <= sent <= due, reminder.key

        # The quarter left without a meeting is exactly one finding, however often checked.
        q3 = session.scalars(
            select(Finding).where(
                Finding.rule == "quarter_without_meeting", Finding.period == f"{YEAR}-Q3"
            )
        ).all()
        assert len(q3) == 1 and q3[0].resolved_at is None
        held = session.scalars(
            select(Meeting)
            .join(Case, Case.id == Meeting.case_id)
            .where(Meeting.year == YEAR, Meeting.kind == "ordinary", Case.state != "cancelled")
        ).all()
        assert {(m.date.month - 1) // 3 for m in held} >= {0, 1, 3}

        # The agreement that runs out this year is due for revision on 1 September: the
        # finding names the revision case (the demo's draft for the next period, which the
        # rule links rather than opening a second one), and the agreement is marked due.
        (due,) = session.scalars(
            select(Finding).where(Finding.rule == "agreement_revision_due")
        ).all()
        assert to_oslo(due.since).date() == date(YEAR, 9, 1)
        assert session.get(Case, due.case_id).kind == "agreement_revision"
        marked = session.scalars(
            select(CaseEvent).where(CaseEvent.trigger == "mark_revision_due")
        ).all()
        assert [(e.actor, to_oslo(e.at).date()) for e in marked] == [("system", date(YEAR, 9, 1))]

        assert audit.verify(session).ok
