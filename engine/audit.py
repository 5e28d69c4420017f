"""The audit chain: append hash-chained events and verify them.

One chain holds every change: to a case (``append``) and to who sits in a council
with what access (``append_about_person``).

Every event carries a unique sequence number and
``sha256(previous hash ‖ canonical JSON of the event)``. Appends lock the single
``audit_head`` row, so concurrent writers queue instead of forking the chain;
the lock is held until the transaction ends, which is also when the case row's
lock would be released. Take the head before changing any case row, so every
writer locks in the same order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.db import Prepared
from engine.models import AuditHead, Case, CaseEvent
from engine.models.audit import GENESIS_HASH
from workflows.model import canonical_json

_HEAD_KEY = "politirad.audit_head"

# Every change runs these two, so they skip SQLAlchemy's per-call work (see Prepared).
_HEAD = AuditHead.__table__
_LOCK_HEAD = Prepared(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update())


@dataclass
class _Head:
    transaction: Any
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class Event:
    """An event as written; read events back as ``engine.models.CaseEvent``."""

    seq: int
    case_id: int | None
    council_id: int
    kind: str
    at: datetime
    actor: str
    actor_id: int | None
    party: str | None
    trigger: str | None
    from_state: str | None
    to_state: str | None
    changes: str
    comment: str
    workflow_hash: str | None
    prev_hash: str
    hash: str
    about_person_id: int | None = None


def _head(conn: Connection) -> _Head:
    """The chain's head for the connection's current (sub)transaction, locked on first use.

    Keyed by the transaction object, so a rolled-back savepoint or transaction
    makes the next append read the head again.
    """
    transaction = conn.get_nested_transaction() or conn.get_transaction()
    cached = conn.info.get(_HEAD_KEY)
    if cached is not None and cached.transaction is transaction:
        return cached
    row = _LOCK_HEAD.execute(conn, {}).fetchone()
    if row is None:
        raise RuntimeError("audit_head is missing: run `politirad db upgrade`")
    head = _Head(transaction, *row)
    conn.info[_HEAD_KEY] = head
    return head


def next_seq(conn: Connection) -> int:
    """Lock the head and return the sequence number the next event will get."""
    return _head(conn).seq + 1


LOCKED_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update().cte("head")
"""The head, locked, as a CTE for the statement that changes a case row, so the lock and
the change go to the database together (tell ``took_head`` what it returns)."""


def took_head(conn: Connection, seq: int, digest: str) -> None:
    """The head a statement locked through ``LOCKED_HEAD`` read ``seq`` and ``digest``: the
    next append in this (sub)transaction chains on from it without reading it again."""
    transaction = conn.get_nested_transaction() or conn.get_transaction()
    conn.info[_HEAD_KEY] = _Head(transaction, seq, digest)


_HASHED = (
    "seq",
    "case_id",
    "council_id",
    "kind",
    "at",
    "actor",
    "actor_id",
    "party",
    "trigger",
    "from_state",
    "to_state",
    "changes",
    "comment",
    "workflow_hash",
)


_INSERT_EVENT = Prepared(
    insert(CaseEvent.__table__).inline(), (*_HASHED, "about_person_id", "prev_hash", "hash")
)


def event_payload(event: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an event's hash covers, as plain JSON values.

    ``about_person_id`` came later (migration 0010): it is covered where it is set, so
    every event written before it hashes as it always did.
    """
    payload = {name: event[name] for name in _HASHED}
    payload["at"] = event["at"].isoformat(timespec="microseconds")
    if event.get("about_person_id") is not None:
        payload["about_person_id"] = event["about_person_id"]
    return payload


def compute_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode()).hexdigest()


def append(
    conn: Connection,
    case: Case,
    *,
    kind: str,
    actor: Actor,
    party: str | None,
    at: datetime,
    changes: dict[str, list[Any]],
    trigger: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
) -> Event:
    """Write the next event of ``case``'s chain in the connection's transaction, under the
    workflow definition the case is pinned to."""
    return _append(
        conn,
        {
            "case_id": case.id,
            "council_id": case.council_id,
            "kind": str(kind),
            "at": at,
            "actor": actor.login,
            "actor_id": actor.person_id,
            "party": party,
            "trigger": trigger,
            "from_state": from_state,
            "to_state": to_state,
            "changes": changes,
            "comment": comment,
            "workflow_hash": case.workflow_hash,
            "about_person_id": None,
        },
    )


def append_about_person(
    conn: Connection,
    person_id: int,
    council_id: int,
    *,
    kind: str,
    actor: Actor,
    party: str | None,
    at: datetime,
    changes: dict[str, list[Any]],
    comment: str = "",
) -> Event:
    """Write the next event of the chain about a person in a council (a ``membership`` or
    ``person`` event), in the connection's transaction."""
    return _append(
        conn,
        {
            "case_id": None,
            "council_id": council_id,
            "kind": str(kind),
            "at": at,
            "actor": actor.login,
            "actor_id": actor.person_id,
            "party": party,
            "trigger": None,
            "from_state": None,
            "to_state": None,
            "changes": changes,
            "comment": comment,
            "workflow_hash": None,
            "about_person_id": person_id,
        },
    )


def _append(conn: Connection, fields: dict[str, Any]) -> Event:
    head = _head(conn)
    fields["seq"] = head.seq + 1
    fields["at"] = fields["at"].astimezone(UTC)  # the hash covers the time as stored and read
    fields["changes"] = canonical_json(fields["changes"])
    fields["prev_hash"] = head.hash
    event = Event(**fields, hash=compute_hash(head.hash, event_payload(fields)))
    # The trigger case_event_moves_head (migration 0004) moves audit_head with it.
    _INSERT_EVENT.execute(conn, {**fields, "hash": event.hash})
    head.seq, head.hash = event.seq, event.hash
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    problem: str | None = None


def verify(session: Session, *, expected_head: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the whole chain; name the first broken link, and compare with a head kept outside."""
    prev_hash, prev_seq, checked = GENESIS_HASH, 0, 0
    table = CaseEvent.__table__
    query = select(table).order_by(table.c.seq).execution_options(yield_per=1000)
    with closing(session.execute(query)) as events:
        for event in events:
            checked += 1
            problem = _link_problem(event, prev_seq, prev_hash)
            if problem:
                return _broken(checked, prev_seq, prev_hash, problem)
            prev_seq, prev_hash = event.seq, event.hash
    head = session.execute(select(AuditHead.seq, AuditHead.hash)).one_or_none()
    if head is not None and (head.seq, head.hash) != (prev_seq, prev_hash):
        return _broken(
            checked,
            prev_seq,
            prev_hash,
            f"the chain ends at event {prev_seq} but its head says {head.seq}",
        )
    if expected_head is not None:
        seq, digest = expected_head
        if seq > prev_seq:
            return _broken(
                checked, prev_seq, prev_hash, f"events after {prev_seq} are missing (head {seq})"
            )
        stored = session.scalar(select(table.c.hash).where(table.c.seq == seq)) if seq else None
        if seq and stored != digest:
            return _broken(
                checked, prev_seq, prev_hash, f"event {seq} does not match the head kept outside"
            )
    return VerifyResult(True, checked, prev_seq, prev_hash)


def _link_problem(event: Any, prev_seq: int, prev_hash: str) -> str | None:
    if event.seq != prev_seq + 1:
        return f"event {prev_seq + 1} is missing"
    if event.prev_hash != prev_hash:
        return f"event {event.seq} does not follow event {prev_seq}"
    if compute_hash(prev_hash, event_payload(event._mapping)) != event.hash:
        return f"event {event.seq} was altered (hash mismatch)"
    return None


def _broken(checked: int, seq: int, digest: str, problem: str) -> VerifyResult:
    return VerifyResult(False, checked, seq, digest, problem)


def head(session: Session) -> tuple[int, str]:
    """The newest event's sequence number and hash, to keep outside the database."""
    row = session.execute(select(AuditHead.seq, AuditHead.hash)).one_or_none()
    if row is None:
        raise RuntimeError("audit_head is missing: run `politirad db upgrade`")
    return row.seq, row.hash
