"""The deadline tick: every passed deadline handled exactly once, downtime or not.

The truth is in the table: a pending deadline whose moment has passed is due,
however long ago that was, so a tick after three days of downtime finds every
deadline it missed. Each one is claimed with a guarded UPDATE (``WHERE status =
'pending'``) in the transaction that carries out its effect, so a second
scheduler that reaches the same row finds it no longer pending.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import Conflict, EngineError
from engine.models import Case, Deadline
from engine.models.enums import DeadlineStatus, EventKind
from engine.notifications import council_people, format_day, notify
from engine.runtime import definition_of
from engine.services.cases import fire
from workflows.model import DeadlineSpec, Definition, Labels

log = logging.getLogger(__name__)

BATCH = 500
COMMIT_EVERY = 20
"""Deadlines per commit: a commit costs a disk flush; the audit head stays locked until it."""
REACHED = {"end_of_day": "Frist passert", "start_of_day": "Dato nådd"}
"""How the history names a deadline that passed, and an effective date that came."""
REMINDED = ("secretariat",)
ESCALATED = ("leader", "deputy", "secretariat")

_TABLE = Deadline.__table__
_CLAIM = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("deadline_id"), _TABLE.c.status == DeadlineStatus.PENDING)
    .values(status=DeadlineStatus.DONE, handled_at=bindparam("now"), outcome="handling")
    .returning(
        _TABLE.c.case_id,
        _TABLE.c.name,
        _TABLE.c.state_entry,
        _TABLE.c.effect,
        _TABLE.c.trigger,
        _TABLE.c.due,
    )
)
# Built once: the search runs every minute, and building it costs more than running it.
_DUE = (
    select(_TABLE.c.id)
    .where(_TABLE.c.status == DeadlineStatus.PENDING, _TABLE.c.due <= bindparam("now"))
    .order_by(_TABLE.c.due, _TABLE.c.id)
    .limit(bindparam("limit"))
)
_DUE_SKIPPING = _DUE.where(_TABLE.c.id.not_in(bindparam("skip", expanding=True)))
_SETTLE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("deadline_id"))
    .values(status=bindparam("new_status"), outcome=bindparam("new_outcome"))
)


def due_deadline_ids(
    conn: Connection, now: datetime, *, limit: int = BATCH, skip: Collection[int] = ()
) -> Sequence[int]:
    """The ids of pending deadlines that have passed by ``now``, oldest first.

    Answered from ``ix_deadline_status_due``: the due rows are few beside the old
    handled ones, and (status, due) reaches them without touching the rest.
    """
    if skip:
        return conn.scalars(_DUE_SKIPPING, {"now": now, "limit": limit, "skip": list(skip)}).all()
    return conn.scalars(_DUE, {"now": now, "limit": limit}).all()


def handle_due_deadlines(session: Session, *, now: datetime | None = None) -> int:
    """Handle every deadline that has passed by ``now``, each once; commits as it goes.

    A transition is fired by the system through ``fire``, like a person's action;
    one the engine refuses is recorded as the deadline's outcome and escalated. A
    reminder or an escalation goes to the outbox. A deadline of a state entry the
    case has left is cancelled. Each deadline is handled in a savepoint of its
    own, so one that fails stays pending for the next tick and takes nothing else
    with it; the work is committed every few deadlines. Returns how many were
    handled here.

    A transition fired here can give the case a deadline that has passed already
    (after downtime over a meeting, convening it brings the day it was to be held):
    the search runs again until it finds nothing, so that deadline is handled in
    this run too, not left to the next tick. It ends: every deadline found is
    settled or kept, and new ones come only with the transitions that deadlines
    fire, which in the shipped workflows lead forward, two at most in a row
    (signed → in force → expired, agenda fixed → convened → held).
    """
    now = resolve(now)
    handled = 0
    kept: set[int] = set()  # left pending after an error; the next tick tries them again
    while True:
        ids = due_deadline_ids(session.connection(), now, skip=kept)
        for n, deadline_id in enumerate(ids, 1):
            try:
                with session.begin_nested():
                    done = _handle(session, deadline_id, now)
            except Exception:
                kept.add(deadline_id)
                log.exception("deadline %s stays pending after an error", deadline_id)
            else:
                handled += done
            if n % COMMIT_EVERY == 0:
                session.commit()
        session.commit()
        if not ids:
            return handled


def deadline_day(due: datetime) -> date:
    """The last day before the deadline's moment passes (its date in Oslo)."""
    return to_oslo(due - timedelta(microseconds=1)).date()


def _handle(session: Session, deadline_id: int, now: datetime) -> int:
    conn = session.connection()
    audit.next_seq(conn)  # the audit head first: the lock order of every audited writer
    claimed = conn.execute(_CLAIM, {"deadline_id": deadline_id, "now": now}).one_or_none()
    if claimed is None:
        return 0  # another scheduler handled it first
    case = session.get(Case, claimed.case_id, populate_existing=True)
    assert case is not None
    if case.state_entry != claimed.state_entry:
        _settle(conn, deadline_id, DeadlineStatus.CANCELLED, f"state left (now {case.state})")
        return 1
    definition = definition_of(session, case)
    spec = _spec(definition, case.state, claimed.name)
    label = spec.labels if spec else Labels(claimed.name, claimed.name)
    passed = f"{REACHED[spec.at] if spec else REACHED['end_of_day']}: {label.nb}"
    day = deadline_day(claimed.due)
    today = to_oslo(now).date()
    if claimed.effect == "transition":
        source = case.state
        refusal = _fire_as_system(session, case, claimed.trigger, passed, now)
        if refusal is None:
            outcome = f"fired {claimed.trigger}: {source} → {case.state}"
        else:
            sent = _escalate(session, case, definition, label, day, now, deadline_id, refusal)
            _record(
                conn,
                case,
                claimed.name,
                f"{passed}; automatisk overgang «{claimed.trigger}» avvist: {refusal}",
                now,
            )
            outcome = f"refused: {refusal}; escalated to {sent}"
    elif claimed.effect == "reminder":
        sent = notify(
            session,
            case=case,
            recipients=[
                *council_people(session, case.council_id, REMINDED, today),
                case.created_by_id,
            ],
            topic="deadline_reminder",
            texts=lambda locale: _passed_text(case, definition, label, day, locale),
            payload={"deadline_id": deadline_id, "deadline": claimed.name},
            now=now,
        )
        outcome = f"reminder sent to {sent}"
        _record(conn, case, claimed.name, f"{passed}; purring sendt", now)
    else:
        sent = _escalate(session, case, definition, label, day, now, deadline_id, None)
        outcome = f"escalated to {sent}"
        _record(conn, case, claimed.name, f"{passed}; eskalert til ledelsen", now)
    _settle(conn, deadline_id, DeadlineStatus.DONE, outcome)
    return 1


def _fire_as_system(
    session: Session, case: Case, trigger: str, comment: str, now: datetime
) -> str | None:
    """Fire the deadline's transition; the engine's refusal in words, or None when it moved."""
    try:
        with session.begin_nested():
            fire(
                session,
                case,
                trigger,
                actor=Actor.system(),
                comment=comment,
                now=now,
            )
    except Conflict:
        raise  # the case moved under us: leave the deadline pending for the next tick
    except EngineError as exc:
        session.refresh(case)
        return str(exc)
    return None


def _escalate(
    session: Session,
    case: Case,
    definition: Definition,
    label: Labels,
    day: date,
    now: datetime,
    deadline_id: int,
    reason: str | None,
) -> int:
    return notify(
        session,
        case=case,
        recipients=council_people(session, case.council_id, ESCALATED, to_oslo(now).date()),
        topic="deadline_escalation",
        texts=lambda locale: _escalation_text(case, definition, label, day, locale, reason),
        payload={"deadline_id": deadline_id, "refused": reason},
        now=now,
    )


def _record(conn: Connection, case: Case, name: str, comment: str, now: datetime) -> None:
    """The case's history shows that its deadline passed and what the scheduler did."""
    audit.append(
        conn,
        case,
        kind=EventKind.DEADLINE,
        actor=Actor.system(),
        party=None,
        at=now,
        changes={f"deadline.{name}": [DeadlineStatus.PENDING, DeadlineStatus.DONE]},
        comment=comment,
    )


def _settle(conn: Connection, deadline_id: int, status: str, outcome: str) -> None:
    conn.execute(
        _SETTLE, {"deadline_id": deadline_id, "new_status": status, "new_outcome": outcome}
    )


def _spec(definition: Definition, state: str, name: str) -> DeadlineSpec | None:
    return next((s for s in definition.state(state).deadlines if s.name == name), None)


def _passed_text(
    case: Case, definition: Definition, label: Labels, day: date, locale: str
) -> tuple[str, str]:
    state = definition.state(case.state).labels.get(locale)
    when = format_day(day, locale)
    if locale == "en":
        return (
            f"Deadline passed: {label.en} – case {case.number}",
            f"The deadline «{label.en}» for case {case.number} «{case.public_title}» "
            f"passed on {when}. The case is still «{state}».\n",
        )
    return (
        f"Frist passert: {label.nb} – sak {case.number}",
        f"Fristen «{label.nb}» for sak {case.number} «{case.public_title}» gikk ut {when}. "
        f"Saken står fortsatt som «{state}».\n",
    )


def _escalation_text(
    case: Case, definition: Definition, label: Labels, day: date, locale: str, reason: str | None
) -> tuple[str, str]:
    state = definition.state(case.state).labels.get(locale)
    when = format_day(day, locale)
    if locale == "en":
        if reason:
            return (
                f"Automatic step stopped: {label.en} – case {case.number}",
                f"The deadline «{label.en}» for case {case.number} «{case.public_title}» "
                f"passed on {when}, but the scheduler could not move the case on: {reason}. "
                f"The case is «{state}» and needs to be followed up by hand.\n",
            )
        return (
            f"Deadline overdue: {label.en} – case {case.number}",
            f"The deadline «{label.en}» for case {case.number} «{case.public_title}» "
            f"passed on {when} and the case is still «{state}». "
            "Sent to the leader, the deputy and the secretariat.\n",
        )
    if reason:
        return (
            f"Automatisk overgang stoppet: {label.nb} – sak {case.number}",
            f"Fristen «{label.nb}» for sak {case.number} «{case.public_title}» gikk ut {when}, "
            f"men saken kunne ikke flyttes videre automatisk: {reason}. "
            f"Saken står som «{state}» og må følges opp manuelt.\n",
        )
    return (
        f"Frist overskredet: {label.nb} – sak {case.number}",
        f"Fristen «{label.nb}» for sak {case.number} «{case.public_title}» gikk ut {when}, "
        f"og saken står fortsatt som «{state}». Sendt til leder, nestleder og sekretariatet.\n",
    )
