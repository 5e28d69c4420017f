"""The time of a request, as the engine's clock tells it.

``engine.clock.use_clock`` may run a whole request "as of" another moment (the tests and
the browser tests' live server do, the way the CLI's ``--now`` does for a command), so
the pages ask the engine rather than the system.
"""

from __future__ import annotations

from datetime import date, datetime

from engine.calendar import to_oslo
from engine.clock import resolve


def now() -> datetime:
    """The current time in UTC for this request."""
    return resolve(None)


def today() -> date:
    """Today's date in Oslo for this request."""
    return to_oslo(now()).date()
