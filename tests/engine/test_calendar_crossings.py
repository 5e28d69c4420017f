"""The council's days where calendars break: New Year, Easter, a leap day and the changes to
and from summer time in Europe/Oslo. Each story runs through the engine's services and the
deadline tick as of the moment the test's clock stands at; the expected days are worked out
by hand from the Norwegian calendar, not by the engine's own functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.calendar import OSLO
from engine.models import Deadline
from engine.scheduler import handle_due_deadlines
from engine.services import open_case
from tests.clock import LEAP_DAY, NEW_YEARS_EVE, SUMMER_TIME_BEGINS, SUMMER_TIME_ENDS


def oslo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


def report(session, world, due_date: str):
    """A steering-group report due on ``due_date``, registered as of the clock's time; it is
    overdue once the working day after its due date has ended."""
    return open_case(
        session,
        council=world.council,
        kind="steering_report",
        title="Halvårsrapport SaLTo Stovner",
        actor=world.actor("sec"),
        data={"group": "SaLTo Stovner", "due_date": due_date},
    )


def test_a_case_registered_just_before_midnight_on_new_years_eve_belongs_to_the_old_year(
    session, world, clock
):
    clock.travel_to(NEW_YEARS_EVE.replace(hour=23, minute=30))
    last = report(session, world, "2032-01-15")
    clock.advance(timedelta(hours=1))  # 00:30 in Oslo, still 23:30 on 31 December in UTC
    assert clock().astimezone(UTC).year == 2031
    first = report(session, world, "2032-01-15")

    assert (last.year, first.year) == (2031, 2032)
    assert first.seq == 1, "numbering starts afresh in the new year"
    assert first.number == "2032/1"


@pytest.mark.parametrize(
    ("registered", "due_date", "overdue_from"),
    [
        # Due on 30 December 2031; the next working day is New Year's Eve (not a holiday),
        # which ends at midnight in Oslo: 23:00 on 31 December in UTC.
        pytest.param(NEW_YEARS_EVE - timedelta(days=20), "2031-12-30", "2032-01-01", id="new-year"),
        # Due the day before Maundy Thursday 2027: Thursday to Monday are holidays or the
        # weekend, so the working day after is Tuesday 30 March; summer time began on the 28th.
        pytest.param(
            SUMMER_TIME_BEGINS - timedelta(days=10), "2027-03-24", "2027-03-31", id="easter"
        ),
        # Due Monday 28 February 2028: the working day after is the leap day itself.
        pytest.param(LEAP_DAY - timedelta(days=20), "2028-02-28", "2028-03-01", id="leap-day"),
        # Due on the Friday before summer time ends: the next working day is Monday 1 November.
        pytest.param(SUMMER_TIME_ENDS - timedelta(days=5), "2027-10-29", "2027-11-02", id="autumn"),
    ],
)
def test_a_report_becomes_overdue_at_midnight_in_oslo_after_the_next_working_day(
    session, world, clock, registered, due_date, overdue_from
):
    clock.travel_to(registered)
    case = report(session, world, due_date)
    overdue_from = oslo(f"{overdue_from}T00:00")

    assert handle_due_deadlines(session, now=overdue_from - timedelta(minutes=1)) == 0
    assert case.state == "requested"
    assert handle_due_deadlines(session, now=overdue_from) == 1
    session.refresh(case)
    assert case.state == "overdue"
    due = session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.name == "due")
    ).one()
    assert due.due == overdue_from.astimezone(UTC)
