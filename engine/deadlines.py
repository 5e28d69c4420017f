"""Setting a state's deadlines when a case enters it, and cancelling them when it leaves."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import Connection, bindparam, insert, update

from engine.calendar import add_period, day_start, deadline_moment, shift_date, to_oslo
from engine.db import Prepared
from engine.guards import parse_date
from engine.models import Case, Deadline
from engine.models.enums import DeadlineStatus
from workflows.model import ENTERED, DeadlineSpec, Definition

_TABLE = Deadline.__table__
_INSERT = Prepared(
    insert(_TABLE).inline(),
    ("case_id", "name", "state_entry", "due", "status", "effect", "trigger"),
)
_REANCHOR = (
    update(_TABLE)
    .where(
        _TABLE.c.case_id == bindparam("case"),
        _TABLE.c.name == bindparam("deadline"),
        _TABLE.c.state_entry == bindparam("entry"),
        _TABLE.c.status == DeadlineStatus.PENDING,
    )
    .values(due=bindparam("new_due"))
)
_CANCEL = Prepared(
    update(_TABLE)
    .where(_TABLE.c.case_id == bindparam("case"), _TABLE.c.status == DeadlineStatus.PENDING)
    .values(status=DeadlineStatus.CANCELLED, handled_at=bindparam("now"), outcome="state left")
)


def schedule(
    conn: Connection, case: Case, definition: Definition, *, entry: int, entered_at: datetime
) -> list[dict[str, object]]:
    """Add the deadlines of the case's current state for this state entry.

    A deadline anchored on a date field the case does not carry yet is not set;
    the deadline falls at the end of its day in Europe/Oslo.
    """
    rows = []
    for spec in definition.state(case.state).deadlines:
        if spec.anchor == ENTERED:
            anchor = to_oslo(entered_at).date()
        else:
            anchor = parse_date((case.data or {}).get(spec.anchor))
            if anchor is None:
                continue
        rows.append(
            {
                "case_id": case.id,
                "name": spec.name,
                "state_entry": entry,
                "due": _moment(anchor, spec),
                "status": DeadlineStatus.PENDING,
                "effect": spec.effect,
                "trigger": spec.trigger,
            }
        )
    if rows:
        _INSERT.execute_many(conn, rows)
    return rows


def reanchor(conn: Connection, case: Case, definition: Definition, fields: set[str]) -> int:
    """Move the pending deadlines of the current state that count from one of ``fields``
    (say the meeting moved), so they fall where they would have if set with the new date."""
    moved = 0
    for spec in definition.state(case.state).deadlines:
        if spec.anchor not in fields:
            continue
        anchor = parse_date((case.data or {}).get(spec.anchor))
        if anchor is None:
            continue
        key = {"case": case.id, "deadline": spec.name, "entry": case.state_entry}
        moved += conn.execute(_REANCHOR, {**key, "new_due": _moment(anchor, spec)}).rowcount
    return moved


@lru_cache(maxsize=4096)  # the calendar is fixed: the same day and rule give the same moment
def _moment(anchor: date, spec: DeadlineSpec) -> datetime:
    if spec.at == "start_of_day":
        return day_start(shift_date(anchor, spec.amount, spec.unit))
    return deadline_moment(add_period(anchor, spec.amount, spec.unit))


def cancel_pending(conn: Connection, case: Case, *, now: datetime) -> None:
    """Cancel the deadlines of the state the case is leaving."""
    _CANCEL.execute(conn, {"case": case.id, "now": now})
