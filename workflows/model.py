"""The in-memory shape of a workflow definition.

A definition file is a superset of the keyword arguments of ``transitions.Machine``
(states, transitions, initial) plus labels, roles, parties, guards, required
fields, approvals and deadlines. The loader turns a validated file into these
frozen objects; the engine builds one model-less machine per definition.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

ROLES = ("leader", "deputy", "member", "secretariat", "reporter", "guest", "system")
PARTIES = ("municipality", "police", "external")
PERIOD_UNITS = ("days", "working_days", "weeks", "months")
EFFECTS = ("reminder", "escalation", "transition")
# A deadline (frist) passes when its day has ended and rolls off weekends and holidays;
# an effective date ("in force from") takes effect as its calendar day begins.
MOMENTS = ("end_of_day", "start_of_day")
DEFAULT_OPENERS = ("secretariat", "leader", "deputy")
ENTERED = "entered"
"""The deadline anchor meaning "counted from when the case entered the state"."""
BUILTIN_FIELDS = ("title", "public_title")
"""Fields every case has, whether or not a definition declares them."""


@dataclass(frozen=True)
class Labels:
    nb: str
    en: str

    def get(self, locale: str = "nb") -> str:
        return self.en if locale == "en" else self.nb


@dataclass(frozen=True)
class DeadlineSpec:
    """When a deadline falls and what happens when it passes.

    ``anchor`` is ``"entered"`` (counted from entering the state) or the name of a
    date field in the case data (for example ``meeting_date``); ``amount`` may be
    negative to count backwards from a field ("notice 7 days before the meeting").
    ``at`` is ``end_of_day`` for a deadline (frist) or ``start_of_day`` for an
    effective date, which is not moved off weekends and holidays.
    """

    name: str
    labels: Labels
    anchor: str
    amount: int
    unit: str
    effect: str
    trigger: str | None = None
    at: str = "end_of_day"


@dataclass(frozen=True)
class State:
    name: str
    labels: Labels
    terminal: bool = False
    deadlines: tuple[DeadlineSpec, ...] = ()


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    labels: Labels
    roles: tuple[str, ...]
    parties: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    approvals: tuple[str, ...] = ()
    comment_required: bool = False
    effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definition:
    name: str
    labels: Labels
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    fields: tuple[str, ...] = ()
    openers: tuple[str, ...] = DEFAULT_OPENERS
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @cached_property
    def content_hash(self) -> str:
        """sha256 of the canonical JSON of the definition file's content."""
        return hashlib.sha256(canonical_json(self.raw).encode()).hexdigest()

    def state(self, name: str) -> State:
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(name)

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if state in t.sources)

    def transition(self, state: str, trigger: str) -> Transition | None:
        for t in self.transitions:
            if t.trigger == trigger and state in t.sources:
                return t
        return None


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the same value always gives the same text."""
    return _CANONICAL.encode(value)
