"""What the API's views share: finding councils and cases as the actor may see them, the
case's ETag, and a case as a response body."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request
from sqlalchemy import String, bindparam, cast, func, literal_column, null, select, union_all

from engine.access import Visibility, visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.db import UTCDateTime
from engine.models import (
    Bydel,
    Case,
    Council,
    Deadline,
    PriorityArea,
    case_bydel,
    case_priority_area,
)
from engine.models.enums import DeadlineStatus
from engine.queries import visible_case
from engine.services.people import get_council
from web.api.problems import Problem
from web.db import db

COUNCIL = "<string(minlength=1, maxlength=40):council>"
CASE = f"/councils/{COUNCIL}/cases/<int(min=1000, max=9999):year>/<int(min=1, max=2147483647):seq>"


def today() -> date:
    return to_oslo(resolve(None)).date()


def council_of(slug: str) -> Council:
    return get_council(db(), slug)


def case_of(actor: Actor, council: Council, year: int, seq: int) -> Case:
    """The case if the actor may know it exists; a 404 exactly like a missing one if not."""
    return visible_case(db(), actor, council, f"{year}/{seq}")


def case_by_number(actor: Actor, council: Council, number: str) -> Case:
    return visible_case(db(), actor, council, number)


def etag(case: Case) -> str:
    return f'"{case.version}"'


def check_if_match(case: Case) -> int | None:
    """The version ``If-Match`` names, which must be the case's: 428 without, 412 if stale.

    ``*`` means any version (no check); ``W/`` and quotes are accepted around the number.
    """
    header = request.headers.get("If-Match")
    if header is None:
        raise Problem(
            428,
            f"send the case's version as If-Match (its ETag is {etag(case)})",
            kind="precondition_required",
        )
    values = [v.strip() for v in header.split(",")]
    if "*" in values:
        return None
    for value in values:
        value = value.removeprefix("W/").strip('"')
        if value.isdigit() and len(value) < 12 and int(value) == case.version:
            return case.version
    raise Problem(
        412,
        f"case {case.number} is at version {case.version}, not {header!r}: reload and try again",
        kind="stale_version",
        headers={"ETag": etag(case)},
    )


# Built once: making a statement costs more than running these.
_NEXT_DUE = select(func.min(Deadline.due).label("due")).where(
    Deadline.case_id == bindparam("case_id"), Deadline.status == DeadlineStatus.PENDING
)
_AROUND = union_all(
    select(
        literal_column("'due'").label("what"),
        cast(null(), String).label("tag"),
        func.min(Deadline.due).label("due"),
    ).where(Deadline.case_id == bindparam("case_id"), Deadline.status == DeadlineStatus.PENDING),
    select(literal_column("'bydel'"), Bydel.code, cast(null(), UTCDateTime))
    .join(case_bydel, case_bydel.c.bydel_id == Bydel.id)
    .where(case_bydel.c.case_id == bindparam("case_id")),
    select(literal_column("'area'"), cast(PriorityArea.number, String), cast(null(), UTCDateTime))
    .join(case_priority_area, case_priority_area.c.priority_area_id == PriorityArea.id)
    .where(case_priority_area.c.case_id == bindparam("case_id")),
)
"""A case's next due date, bydel codes and priority area numbers in one round trip."""


def _around(case: Case, full: bool) -> tuple[datetime | None, list[str], list[int]]:
    """The case's next pending due date and, if ``full``, its bydeler and priority areas."""
    conn = db().connection()
    if not full:
        return conn.execute(_NEXT_DUE, {"case_id": case.id}).scalar(), [], []
    due, bydeler, areas = None, [], []
    for what, tag, at in conn.execute(_AROUND, {"case_id": case.id}):
        if what == "due":
            due = at
        elif what == "bydel":
            bydeler.append(tag)
        else:
            areas.append(int(tag))
    return due, sorted(bydeler), sorted(areas)


def case_body(actor: Actor, case: Case) -> dict[str, Any]:
    """The case as ``actor`` may see it; a title-only case shows its public face only.
    Call it after the request's changes are flushed."""
    full = visibility(actor, case, today()) == Visibility.FULL
    next_due, bydeler, areas = _around(case, full)
    numbers = {}
    for link in ("meeting_id", "parent_id"):
        other_id = getattr(case, link)
        if other_id is not None and full:
            other = db().get(Case, other_id)
            numbers[link] = other.number if other is not None else None
    return {
        "number": case.number,
        "kind": case.kind,
        "state": case.state,
        "title": case.title if full else case.public_title,
        "public_title": case.public_title,
        "access": case.access,
        "legal_basis": case.legal_basis,
        "full": full,
        "version": case.version,
        "state_entered_at": case.state_entered_at,
        "created_at": case.created_at,
        "next_due": next_due,
        "overdue": next_due is not None and next_due < resolve(None),
        "meeting": numbers.get("meeting_id"),
        "parent": numbers.get("parent_id"),
        "referral_target": case.referral_target if full else None,
        "bydeler": bydeler,
        "priority_areas": areas,
        "data": dict(case.data) if full else {},
        "workflow_hash": case.workflow_hash,
    }
