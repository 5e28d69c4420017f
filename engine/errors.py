"""The engine's one family of errors; the web layer maps each to HTTP in one place."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(EngineError):
    """The thing asked for does not exist, or the actor may not know that it does."""


class PermissionDenied(EngineError):
    """The actor's role, party or clearance does not allow this."""


class TransitionNotAllowed(EngineError):
    """The trigger does not exist from the case's current state."""


class GuardFailed(EngineError):
    """A named guard of the transition is not met; ``reasons`` say why in words."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class Conflict(EngineError):
    """The case changed since the caller read it (stale version), or a duplicate."""


class ValidationError(EngineError):
    """Input that cannot be accepted; ``errors`` maps field names to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}
