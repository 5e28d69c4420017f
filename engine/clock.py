"""The injectable clock: services take ``now``; when it is None they ask here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from engine.db import CLOCK, utcnow


def resolve(now: datetime | None) -> datetime:
    """``now`` in UTC if given (it must be aware), else the current UTC time."""
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


@contextmanager
def use_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Within this context every ``utcnow()`` and ``resolve(None)`` asks ``clock`` (an aware
    UTC time): a whole request or job runs "as of" another moment, as ``--now`` does for
    one command."""
    token = CLOCK.set(clock)
    try:
        yield
    finally:
        CLOCK.reset(token)
