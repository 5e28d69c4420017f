"""What happened to a case since a given version: for the page that answers a stale form
("someone changed this case; here is what changed").

The audit events do not carry the case's version, so the events are counted back from
the newest: every write of the case row moves the version by one, and the events tell
which of them wrote it. An opening, a transition, an approval that still waits for the
other party (its data and approval are written at once) and an edit of the case's own
fields write the row; the approval that completes a transition (its transition, at the
same instant, writes the row), a deadline passing and a change to something the case owns
(``action.7.status``, ``participant.3.attendance``: keys with an id) do not.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Case, CaseEvent
from engine.models.enums import EventKind


def events_since(session: Session, case: Case, version: int) -> list[CaseEvent]:
    """The case's events since it reached ``version``, oldest first (the caller checks
    that the actor may see the case in full). What was audited while the case stood at
    ``version`` is included: better to show a change twice than to hide one."""
    writes = case.version - version
    if writes <= 0:
        return []
    events = list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
        )
    )
    later: CaseEvent | None = None
    for index, event in enumerate(events):
        if _wrote_the_case(event, later):
            if writes == 0:  # the write that made ``version``: what follows it is new
                return events[:index][::-1]
            writes -= 1
        later = event
    return events[::-1]


def _wrote_the_case(event: CaseEvent, later: CaseEvent | None) -> bool:
    if event.kind in (EventKind.OPENED, EventKind.TRANSITION):
        return True
    if event.kind == EventKind.APPROVAL:
        completes = (
            later is not None
            and later.kind == EventKind.TRANSITION
            and later.trigger == event.trigger
            and later.at == event.at
        )
        return not completes
    if event.kind == EventKind.UPDATE:
        return any(_case_field(key) for key in _keys(event))
    return False


def _case_field(key: str) -> bool:
    return "." not in key or key.startswith("data.")


def _keys(event: CaseEvent) -> list[str]:
    return list(json.loads(event.changes or "{}"))
