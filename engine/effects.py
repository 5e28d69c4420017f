"""Named effects that workflow transitions run after the state has changed.

A transition's ``effects: [send_notice]`` runs here, inside ``fire`` and in the
same transaction, whoever fired it: a person or the scheduler. Each effect is a
thin wrapper that imports its service when it runs, so this registry is complete
as soon as it is imported and imports no service module itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.models import Case


@dataclass(frozen=True)
class EffectContext:
    session: Session
    case: Case
    actor: Actor
    trigger: str
    source: str
    data: dict[str, Any]
    comment: str
    now: datetime


Effect = Callable[[EffectContext], None]
EFFECTS: dict[str, Effect] = {}


def effect(fn: Effect) -> Effect:
    EFFECTS[fn.__name__] = fn
    return fn
