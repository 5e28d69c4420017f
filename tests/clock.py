"""The clock every test lives by: no test reads the real one.

Each test starts at ``NOW`` (``tests/conftest.py`` sets the engine's clock for the whole
test), and moves the clock where its story needs it. The dates that break calendars have
names here, so tests can say which one they cross.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from engine.calendar import OSLO, to_oslo

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday

NEW_YEARS_EVE = datetime(2031, 12, 31, 15, 0, tzinfo=OSLO)
LEAP_DAY = datetime(2028, 2, 29, 9, 0, tzinfo=OSLO)
SUMMER_TIME_BEGINS = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # Easter Sunday; 02:00 CET → 03:00
SUMMER_TIME_ENDS = datetime(2027, 10, 31, 1, 0, tzinfo=UTC)  # 03:00 CEST → 02:00 CET


class TestClock:
    """A clock a test controls: it stands at ``moment`` until moved, or, when ``running``,
    runs on from ``moment`` at the pace of the machine's monotonic clock (for a live server
    that a browser talks to), never at the machine's date."""

    __test__ = False  # not a test class, whatever pytest makes of its name

    def __init__(self, moment: datetime = NOW, *, running: bool = False) -> None:
        self.running = running
        self.travel_to(moment)

    def __call__(self) -> datetime:
        if self.running:
            return self._moment + timedelta(seconds=time.monotonic() - self._set_at)
        return self._moment

    def travel_to(self, moment: datetime) -> None:
        """From now on the clock reads ``moment`` (an aware time)."""
        if moment.tzinfo is None:
            raise ValueError("the test clock needs an aware time")
        self._moment = moment.astimezone(UTC)
        self._set_at = time.monotonic()

    def advance(self, delta: timedelta) -> None:
        self.travel_to(self() + delta)

    def today(self) -> date:
        """The date in Oslo."""
        return to_oslo(self()).date()
