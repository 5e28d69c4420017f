"""Cases: the list with the web list's filters, a case, its history, deadlines, approvals
and transitions with the reasons they are blocked; opening, changing and firing."""

from __future__ import annotations

import json

from flask_smorest import Blueprint
from sqlalchemy import select

from engine.access import Visibility, visibility
from engine.clock import resolve
from engine.errors import NotFound, ValidationError
from engine.models import Approval, Bydel, Case, Council, Person, PriorityArea
from engine.queries import CaseFilter, history, pending_deadlines, search_cases
from engine.services.cases import available_transitions, fire, open_case, update_case
from web.api import auth
from web.api.common import (
    CASE,
    COUNCIL,
    case_body,
    case_by_number,
    case_of,
    check_if_match,
    council_of,
    etag,
    today,
)
from web.api.schemas import (
    ApprovalSchema,
    AvailabilitySchema,
    CaseListArgs,
    CaseOpenSchema,
    CasePageSchema,
    CaseSchema,
    CaseUpdateSchema,
    DeadlineSchema,
    EventSchema,
    FireResultSchema,
    FireSchema,
)
from web.db import commit, db

blueprint = Blueprint("api_cases", __name__, description="Cases and their workflows")

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": 'the case\'s version, as its ETag gives it (e.g. "3")',
    "schema": {"type": "string", "maxLength": 200},
}
ETAG = {"ETag": {"description": "the case's version", "schema": {"type": "string"}}}
TRIGGER = "<string(minlength=1, maxlength=60):trigger>"


@blueprint.get(f"/councils/{COUNCIL}/cases")
@blueprint.arguments(CaseListArgs, location="query", as_kwargs=True)
@blueprint.response(200, CasePageSchema)
def cases(council, page, per_page, overdue, **filters):
    """One page of the council's cases, newest first, filtered as the web list is.

    Cases you may see only by title show their public title; restricted cases you are not
    cleared for are left out of the rows and the total.
    """
    found = council_of(council)
    result = search_cases(
        db(),
        auth.actor(),
        found,
        CaseFilter(
            kind=filters.get("kind"),
            state=filters.get("state"),
            bydel=filters.get("bydel"),
            unit=filters.get("unit"),
            area=filters.get("area"),
            overdue=overdue,
            text=filters.get("q"),
        ),
        page=page,
        per_page=per_page,
    )
    return {
        "items": [vars(row) for row in result.rows],
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
    }


@blueprint.post(f"/councils/{COUNCIL}/cases")
@blueprint.arguments(CaseOpenSchema)
@blueprint.response(201, CaseSchema, headers=ETAG)
def open_(body, council):
    """Open a case in its workflow's initial state (opprett sak)."""
    found = council_of(council)
    actor = auth.actor()
    case = open_case(
        db(),
        council=found,
        kind=body["kind"],
        title=body["title"],
        actor=actor,
        public_title=body.get("public_title"),
        access=body.get("access", "public"),
        legal_basis=body.get("legal_basis"),
        data=body.get("data"),
        bydeler=_ids(Bydel, Bydel.code, found, body.get("bydeler", []), "bydeler"),
        priority_areas=_ids(
            PriorityArea,
            PriorityArea.number,
            found,
            body.get("priority_areas", []),
            "priority_areas",
        ),
        meeting=_linked(actor, found, body.get("meeting")),
        parent=_linked(actor, found, body.get("parent")),
        referral_target=body.get("referral_target"),
    )
    commit()
    return case_body(actor, case), 201, {"ETag": etag(case)}


@blueprint.get(CASE)
@blueprint.response(200, CaseSchema, headers=ETAG)
def case(council, year, seq):
    """A case as you may see it; its ETag is its version, for If-Match."""
    actor = auth.actor()
    found = case_of(actor, council_of(council), year, seq)
    return case_body(actor, found), 200, {"ETag": etag(found)}


@blueprint.patch(CASE)
@blueprint.arguments(CaseUpdateSchema)
@blueprint.doc(parameters=[IF_MATCH])
@blueprint.response(200, CaseSchema, headers=ETAG)
def change(body, council, year, seq):
    """Change a case's fields, tags, links or data; each change is audited old → new."""
    actor = auth.actor()
    found_council = council_of(council)
    found = case_of(actor, found_council, year, seq)
    version = check_if_match(found)
    changes = {
        name: body[name]
        for name in ("title", "public_title", "access", "legal_basis", "referral_target")
        if name in body
    }
    if "bydeler" in body:
        changes["bydeler"] = _ids(Bydel, Bydel.code, found_council, body["bydeler"], "bydeler")
    if "priority_areas" in body:
        changes["priority_areas"] = _ids(
            PriorityArea,
            PriorityArea.number,
            found_council,
            body["priority_areas"],
            "priority_areas",
        )
    for link in ("meeting", "parent"):
        if link in body:
            changes[link] = _linked(actor, found_council, body[link])
    update_case(
        db(),
        found,
        actor=actor,
        changes=changes,
        data=body.get("data"),
        expected_version=version,
        comment=body["comment"],
    )
    commit()
    return case_body(actor, found), 200, {"ETag": etag(found)}


@blueprint.get(f"{CASE}/history")
@blueprint.response(200, EventSchema(many=True))
def case_history(council, year, seq):
    """The case's audit events, oldest first (empty unless you see the case in full)."""
    actor = auth.actor()
    found = case_of(actor, council_of(council), year, seq)
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "at": e.at,
            "actor": e.actor,
            "party": e.party,
            "trigger": e.trigger,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "changes": json.loads(e.changes),
            "comment": e.comment,
            "hash": e.hash,
        }
        for e in history(db(), found, actor)
    ]


@blueprint.get(f"{CASE}/deadlines")
@blueprint.response(200, DeadlineSchema(many=True))
def deadlines(council, year, seq):
    """The case's pending deadlines, soonest first (empty unless you see it in full)."""
    actor = auth.actor()
    found = case_of(actor, council_of(council), year, seq)
    if visibility(actor, found, today()) != Visibility.FULL:
        return []
    now = resolve(None)
    return [
        {
            "name": d.name,
            "due": d.due,
            "effect": d.effect,
            "trigger": d.trigger,
            "overdue": d.due < now,
        }
        for d in pending_deadlines(db(), found)
    ]


@blueprint.get(f"{CASE}/approvals")
@blueprint.response(200, ApprovalSchema(many=True))
def approvals(council, year, seq):
    """The approvals given in the case's current state (two-party transitions collect them)."""
    actor = auth.actor()
    found = case_of(actor, council_of(council), year, seq)
    if visibility(actor, found, today()) != Visibility.FULL:
        return []
    rows = db().execute(
        select(Approval, Person.login)
        .join(Person, Person.id == Approval.person_id)
        .where(Approval.case_id == found.id, Approval.state_entry == found.state_entry)
        .order_by(Approval.at, Approval.id)
    )
    return [{"trigger": a.trigger, "party": a.party, "by": login, "at": a.at} for a, login in rows]


@blueprint.get(f"{CASE}/transitions")
@blueprint.response(200, AvailabilitySchema(many=True))
def transitions(council, year, seq):
    """Every transition out of the case's state: allowed for you, or the reasons it is not."""
    actor = auth.actor()
    found = case_of(actor, council_of(council), year, seq)
    return [
        {
            "trigger": a.trigger,
            "dest": a.dest,
            "labels": {"nb": a.label_nb, "en": a.label_en},
            "allowed": a.allowed,
            "reasons": list(a.reasons),
            "approvals_needed": list(a.approvals_needed),
            "approved_by": dict(a.approved_by),
        }
        for a in available_transitions(db(), found, actor)
    ]


@blueprint.post(f"{CASE}/transitions/{TRIGGER}")
@blueprint.arguments(FireSchema)
@blueprint.doc(parameters=[IF_MATCH])
@blueprint.response(200, FireResultSchema, headers=ETAG)
def fire_(body, council, year, seq, trigger):
    """Fire a transition with a comment and data; with a two-party approval, record yours.

    The case's version goes in ``If-Match``: a stale one answers 412; if someone else
    changes the case at the same moment and gets there first, 409.
    """
    actor = auth.actor()
    found = case_of(actor, council_of(council), year, seq)
    version = check_if_match(found)
    result = fire(
        db(),
        found,
        trigger,
        actor=actor,
        expected_version=version,
        comment=body["comment"],
        data=body["data"],
    )
    commit()
    return (
        {
            "fired": result.fired,
            "waiting_for": list(result.waiting_for),
            "case": case_body(actor, found),
        },
        200,
        {"ETag": etag(found)},
    )


def _ids(model, key, council: Council, values: list, what: str) -> list[int]:
    """Ids of the council's reference rows named by code or number; unknown ones are a 422."""
    wanted = set(values)
    if not wanted:
        return []
    query = select(key, model.id).where(model.council_id == council.id, key.in_(wanted))
    rows = {value: id_ for value, id_ in db().execute(query)}
    unknown = sorted(str(v) for v in wanted - set(rows))
    if unknown:
        raise ValidationError(f"unknown {what}: {', '.join(unknown)}", {what: "unknown"})
    return sorted(rows.values())


def _linked(actor, council: Council, number: str | None) -> Case | None:
    """The case a body field names; one that does not exist (for you) is a field error."""
    if number is None:
        return None
    try:
        return case_by_number(actor, council, number)
    except NotFound:
        raise ValidationError(f"no case {number}", {"case": "unknown"}) from None
