"""Norwegian working-day calendar and deadline arithmetic used by every deadline in the engine.

Working days (virkedager)
    A working day is any day that is not a Saturday, not a Sunday and not one of the twelve
    Norwegian public holidays (helligdager og høytidsdager): 1 January, skjærtorsdag,
    langfredag, 1. and 2. påskedag, 1 May, 17 May, Kristi himmelfartsdag, 1. and 2. pinsedag,
    25 and 26 December. 1 and 17 May are public holidays under lov 26. april 1947 nr. 1; the
    church holidays follow the Easter date. The dates come from the ``holidays`` package's
    Norway calendar (Sundays are handled by the weekday rule, not by that package). Christmas
    Eve and New Year's Eve are ordinary working days.

Counting periods (domstolloven §§ 148-149)
    * The day the period starts from is not counted (§ 148).
    * A period in days ends on the day reached by counting that many calendar days; a period in
      weeks or months ends on the day with the same name or number as the start day. When the
      end month has no such day (a month from 31 January), the period ends on the month's last
      day (§ 148).
    * A period ending on a Saturday, Sunday or public holiday is extended to the next working
      day (§ 149).

    Tax and criminal law refer to these rules explicitly; the engine applies them by analogy to
    the council's administrative deadlines.

    Two engine conventions go beyond the statute:

    * ``working_days`` periods count working days only (used for innsyn response times).
    * A negative amount counts backwards from an event ("notice 7 days before the meeting").
      A result on a non-working day then moves to the *previous* working day, because moving it
      later would pass the event it precedes.

Time zone
    Deadlines are dates in Norway. A deadline on date *d* has passed at the end of *d* in
    Europe/Oslo, i.e. at local midnight starting the next day; :func:`deadline_moment` returns
    that instant in UTC, which is what the scheduler compares against.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

__all__ = [
    "OSLO",
    "UNITS",
    "add_period",
    "day_start",
    "deadline_moment",
    "holiday_name",
    "is_working_day",
    "next_working_day",
    "parse_moment",
    "previous_working_day",
    "shift_date",
    "to_oslo",
    "utc",
]

OSLO = ZoneInfo("Europe/Oslo")

#: Period units accepted by :func:`add_period`.
UNITS: tuple[str, ...] = ("days", "working_days", "weeks", "months")

_ONE_DAY = timedelta(days=1)


def _check_date(d: object) -> date:
    """Return ``d`` if it is a plain date; datetimes are refused so times are never dropped."""
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}")
    return d


@functools.lru_cache(maxsize=256)
def _holidays_for_year(year: int) -> Mapping[date, str]:
    """Norwegian public holidays of ``year`` (Sundays excluded), with Norwegian names."""
    calendar = holidays.Norway(years=year, include_sundays=False, language="no")
    # Copy into a read-only plain mapping: a HolidayBase grows itself on lookup and is not
    # safe to share between threads.
    return MappingProxyType(dict(calendar.items()))


def holiday_name(d: date) -> str | None:
    """Norwegian name of the public holiday on ``d`` (e.g. «Langfredag»), or None."""
    d = _check_date(d)
    return _holidays_for_year(d.year).get(d)


def is_working_day(d: date) -> bool:
    """True if ``d`` is a virkedag: not Saturday, not Sunday, not a public holiday."""
    d = _check_date(d)
    return d.weekday() < 5 and d not in _holidays_for_year(d.year)


def next_working_day(d: date) -> date:
    """``d`` itself if it is a working day, otherwise the first working day after it."""
    d = _check_date(d)
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def previous_working_day(d: date) -> date:
    """``d`` itself if it is a working day, otherwise the last working day before it."""
    d = _check_date(d)
    while not is_working_day(d):
        d -= _ONE_DAY
    return d


def _add_working_days(start: date, amount: int) -> date:
    step = _ONE_DAY if amount > 0 else -_ONE_DAY
    remaining = abs(amount)
    d = start
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d


def add_period(start: date, amount: int, unit: str) -> date:
    """End date of a period of ``amount`` ``unit`` counted from ``start`` (not counted).

    ``unit`` is one of :data:`UNITS`. For ``days``, ``weeks`` and ``months`` a result on a
    non-working day moves to the next working day (domstolloven § 149), or to the previous
    working day when ``amount`` is negative. ``working_days`` counts working days only; with
    ``amount == 0`` every unit returns ``start`` rolled forward to a working day.
    """
    start = _check_date(start)
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int, got {type(amount).__name__}")
    if unit not in UNITS:
        raise ValueError(f"unknown period unit {unit!r}; allowed units: {', '.join(UNITS)}")

    if unit == "working_days":
        if amount == 0:
            return next_working_day(start)
        return _add_working_days(start, amount)

    if unit == "days":
        target = start + timedelta(days=amount)
    elif unit == "weeks":
        target = start + timedelta(weeks=amount)
    else:  # months: relativedelta clamps the 31st to the end month's last day
        target = start + relativedelta(months=amount)

    return previous_working_day(target) if amount < 0 else next_working_day(target)


def shift_date(start: date, amount: int, unit: str) -> date:
    """``start`` moved by ``amount`` calendar ``days``, ``weeks`` or ``months``, not rolled.

    For effective dates ("in force from the commencement date"), which take effect on
    the day itself whatever day of the week it is.
    """
    start = _check_date(start)
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    if unit == "months":
        return start + relativedelta(months=amount)
    raise ValueError(f"an effective date moves by days, weeks or months, not {unit!r}")


def _check_aware(dt: object) -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a datetime.datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} has no time zone; pass an aware one")
    return dt


def to_oslo(dt: datetime) -> datetime:
    """The aware datetime ``dt`` expressed in Europe/Oslo; naive input raises ValueError."""
    return _check_aware(dt).astimezone(OSLO)


def utc(dt: datetime) -> datetime:
    """The aware datetime ``dt`` expressed in UTC; naive input raises ValueError."""
    return _check_aware(dt).astimezone(UTC)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 time as an aware UTC time; one without an offset is Oslo's wall clock
    (``--now`` on the command line and in the benchmarks). ``ValueError`` if it is none."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=OSLO)
    return moment.astimezone(UTC)


def day_start(d: date) -> datetime:
    """The UTC instant at which day ``d`` begins in Europe/Oslo."""
    return datetime.combine(_check_date(d), time.min, tzinfo=OSLO).astimezone(UTC)


def deadline_moment(d: date) -> datetime:
    """UTC instant at which a deadline on ``d`` has passed: midnight in Oslo ending day ``d``."""
    d = _check_date(d)
    return datetime.combine(d + _ONE_DAY, time(0), tzinfo=OSLO).astimezone(UTC)
