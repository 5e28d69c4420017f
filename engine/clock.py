"""The injectable clock: services take ``now``; when it is None they ask here."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.db import utcnow


def resolve(now: datetime | None) -> datetime:
    """``now`` in UTC if given (it must be aware), else the current UTC time."""
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)
