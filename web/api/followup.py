"""Follow-up of decisions (actions and referrals) and the cadence findings."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from engine.access import COUNCIL_ROLES, Visibility, visibility
from engine.models import Action, Case, Finding, Referral
from engine.services.followup import follow_up_list
from web.api import auth
from web.api.common import CASE, COUNCIL, case_of, council_of, today
from web.api.problems import Problem
from web.api.schemas import (
    ActionSchema,
    FindingArgs,
    FindingSchema,
    FollowUpRowSchema,
    ReferralSchema,
)
from web.db import db

blueprint = Blueprint("api_followup", __name__, description="Follow-up and findings")


@blueprint.get(f"/councils/{COUNCIL}/follow-up")
@blueprint.response(200, FollowUpRowSchema(many=True))
def follow_up(council):
    """Every open action and unanswered referral (oppfølgingsliste), overdue first.

    Follow-up on a case you may see only by title shows its public title and no
    description; follow-up on a case you may not know of is left out.
    """
    found = council_of(council)
    actor, day = auth.actor(), today()
    rows = follow_up_list(db(), found, as_of=day, actor=actor)
    return [{**vars(row), "case": row.case_number} for row in rows]


@blueprint.get(f"{CASE}/actions")
@blueprint.response(200, ActionSchema(many=True))
def actions(council, year, seq):
    """The case's follow-up actions, each owned by one party (empty unless you see it all)."""
    actor = auth.actor()
    case = case_of(actor, council_of(council), year, seq)
    if visibility(actor, case, today()) != Visibility.FULL:
        return []
    rows = db().scalars(select(Action).where(Action.case_id == case.id).order_by(Action.id))
    return [
        {
            "id": a.id,
            "case": case.number,
            "description": a.description,
            "owner_party": a.owner_party,
            "owner": a.owner.login if a.owner else None,
            "owner_unit": a.owner_unit,
            "due": a.due,
            "status": a.status,
            "percent": a.percent,
            "created_at": a.created_at,
            "closed_at": a.closed_at,
        }
        for a in rows
    ]


@blueprint.get(f"{CASE}/referrals")
@blueprint.response(200, ReferralSchema(many=True))
def referrals(council, year, seq):
    """The case's referrals to other authorities (empty unless you see the case in full)."""
    actor = auth.actor()
    case = case_of(actor, council_of(council), year, seq)
    if visibility(actor, case, today()) != Visibility.FULL:
        return []
    rows = db().scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id))
    return [
        {
            "id": r.id,
            "case": case.number,
            "target": r.target,
            "target_name": r.target_name,
            "description": r.description,
            "response_due": r.response_due,
            "created_at": r.created_at,
            "response": r.response,
            "responded_at": r.responded_at,
        }
        for r in rows
    ]


@blueprint.get(f"/councils/{COUNCIL}/findings")
@blueprint.arguments(FindingArgs, location="query", as_kwargs=True)
@blueprint.response(200, FindingSchema(many=True))
def findings(council, open):
    """Breaches of the cadence rules (the dashboard's findings), newest first; for the
    council's members, leaders and secretariat."""
    found = council_of(council)
    actor = auth.actor()
    if not actor.is_system and actor.seat_with_role(found.id, today(), COUNCIL_ROLES) is None:
        raise Problem(403, "the findings are for the council's members", kind="forbidden")
    query = (
        select(Finding, Case)
        .outerjoin(Case, Case.id == Finding.case_id)
        .where(Finding.council_id == found.id)
        .order_by(Finding.since.desc(), Finding.id.desc())
    )
    if open:
        query = query.where(Finding.resolved_at.is_(None))
    day = today()
    return [
        {
            "id": f.id,
            "rule": f.rule,
            "period": f.period,
            "since": f.since,
            "detail": f.detail,
            "case": case.number
            if case is not None and visibility(actor, case, day) != Visibility.HIDDEN
            else None,
            "resolved_at": f.resolved_at,
            "resolution": f.resolution,
        }
        for f, case in db().execute(query)
    ]
