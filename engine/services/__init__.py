"""Services: the only code that changes cases. Each takes ``session`` and ``actor``,
flushes, and never commits; the caller (view, job, CLI command) commits once."""

from engine.services.cases import (
    Availability,
    FireResult,
    available_transitions,
    fire,
    get_case,
    load_case,
    open_case,
    update_case,
)

__all__ = [
    "Availability",
    "FireResult",
    "available_transitions",
    "fire",
    "get_case",
    "load_case",
    "open_case",
    "update_case",
]
