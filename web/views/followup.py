"""The follow-up list (oppfølgingsliste) across the council, and recording progress on
actions and responses to referrals."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engine.access import Visibility, visibility
from engine.actors import Actor
from engine.errors import NotFound
from engine.models import ActionNote, Council, Person
from engine.models.followup import CLOSED_ACTION_STATUSES
from engine.services.followup import (
    cancel_action,
    complete_action,
    describe_owner,
    follow_up_list,
    get_action,
    get_referral,
    party_names,
    register_response,
    report_progress,
)
from web.auth import login_required
from web.clock import today
from web.db import commit, db
from web.views.meetings import Failed, council_page, form_view, parse_int

blueprint = Blueprint("followup", __name__)

INT = "int(max=2147483647)"
ACTION_URL = f"/<council_slug>/follow-up/actions/<{INT}:action_id>"
REFERRAL_URL = f"/<council_slug>/follow-up/referrals/<{INT}:referral_id>"
STATUS_LABELS = {
    "open": _l("Åpen"),
    "in_progress": _l("Under arbeid"),
    "done": _l("Utført"),
    "cancelled": _l("Avlyst"),
}


@blueprint.get("/<council_slug>/follow-up")
@login_required
def follow_up(council_slug: str):
    """Every open action and unanswered referral, overdue first."""
    council, actor = council_page(council_slug)
    day = today()
    rows = follow_up_list(db(), council, as_of=day, actor=actor)
    overdue_only = request.args.get("overdue") == "1"
    if overdue_only:
        rows = [row for row in rows if row.overdue]
    return render_template(
        "followup/list.html",
        council=council,
        rows=rows,
        as_of=day,
        overdue_only=overdue_only,
        overdue=sum(row.overdue for row in rows),
    )


def _seen(actor: Actor, case, what: str) -> None:
    """Follow-up on a case the actor may not see in full is not there for them."""
    if visibility(actor, case, today()) != Visibility.FULL:
        raise NotFound(what)


def render_action(council_slug: str, action_id: int, failed: Failed | None = None, **_kwargs):
    council, actor = council_page(council_slug)
    action = get_action(db(), council, action_id)
    _seen(actor, action.case, f"no action {action_id}")
    notes = list(
        db().scalars(
            select(ActionNote).where(ActionNote.action_id == action.id).order_by(ActionNote.id)
        )
    )
    wrote = {note.person_id for note in notes if note.person_id}
    authors = {p.id: p for p in db().scalars(select(Person).where(Person.id.in_(wrote)))}
    return render_template(
        "followup/action.html",
        council=council,
        action=action,
        case=action.case,
        owner=describe_owner(action, party_names(db())),
        notes=notes,
        authors=authors,
        status_labels=STATUS_LABELS,
        closed=action.status in CLOSED_ACTION_STATUSES,
        overdue=action.due < today() and action.status not in CLOSED_ACTION_STATUSES,
        failed=failed,
    )


@blueprint.get(ACTION_URL)
@login_required
def action_page(council_slug: str, action_id: int):
    return render_action(council_slug, action_id)


def _action_done(council: Council, action_id: int, message: str):
    commit()
    flash(message)
    return redirect(url_for("followup.action_page", council_slug=council.slug, action_id=action_id))


@blueprint.post(f"{ACTION_URL}/progress")
@login_required
@form_view("progress", render_action)
def progress(council_slug: str, action_id: int):
    council, actor = council_page(council_slug)
    action = get_action(db(), council, action_id)
    report_progress(
        db(),
        action,
        actor=actor,
        text=request.form.get("text", ""),
        percent=parse_int("percent", required=False),
    )
    return _action_done(council, action_id, _("Fremdriften er registrert."))


@blueprint.post(f"{ACTION_URL}/done")
@login_required
@form_view("done", render_action)
def done(council_slug: str, action_id: int):
    council, actor = council_page(council_slug)
    action = get_action(db(), council, action_id)
    complete_action(db(), action, actor=actor, comment=request.form.get("comment", ""))
    return _action_done(council, action_id, _("Oppfølgingspunktet er utført."))


@blueprint.post(f"{ACTION_URL}/cancel")
@login_required
@form_view("cancel", render_action)
def cancel(council_slug: str, action_id: int):
    council, actor = council_page(council_slug)
    action = get_action(db(), council, action_id)
    cancel_action(db(), action, actor=actor, reason=request.form.get("reason", ""))
    return _action_done(council, action_id, _("Oppfølgingspunktet er avlyst."))


def render_referral(council_slug: str, referral_id: int, failed: Failed | None = None, **_kw):
    council, actor = council_page(council_slug)
    referral = get_referral(db(), council, referral_id)
    _seen(actor, referral.case, f"no referral {referral_id}")
    return render_template(
        "followup/referral.html",
        council=council,
        referral=referral,
        case=referral.case,
        overdue=referral.response is None and referral.response_due < today(),
        failed=failed,
    )


@blueprint.get(REFERRAL_URL)
@login_required
def referral_page(council_slug: str, referral_id: int):
    return render_referral(council_slug, referral_id)


@blueprint.post(f"{REFERRAL_URL}/response")
@login_required
@form_view("response", render_referral)
def response(council_slug: str, referral_id: int):
    council, actor = council_page(council_slug)
    referral = get_referral(db(), council, referral_id)
    register_response(db(), referral, actor=actor, response=request.form.get("response", ""))
    commit()
    flash(_("Svaret er registrert."))
    return redirect(
        url_for("followup.referral_page", council_slug=council.slug, referral_id=referral_id)
    )
