"""The engine's errors as HTTP statuses, in one place for the pages and the API."""

from __future__ import annotations

from engine.errors import (
    Conflict,
    EngineError,
    GuardFailed,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from engine.services.logins import TooManyAttempts

# Most specific first: the first matching class decides.
STATUS: tuple[tuple[type[EngineError], int], ...] = (
    (TooManyAttempts, 429),
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (TransitionNotAllowed, 409),
    (GuardFailed, 409),
    (ValidationError, 422),
)


def status_for(error: EngineError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400
