"""The council's front page for a person (oversikt), and their inbox (innboks)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.dashboard import (
    SECTION_LIMIT,
    case_numbers,
    dashboard,
    inbox,
    inbox_size,
    unread_count,
)
from engine.errors import PermissionDenied
from engine.models import Council
from engine.services.inbox import mark_read
from web.auth import current_actor, login_required, manager
from web.clock import now, today
from web.db import commit, db
from web.labels import party_labels
from web.views.cases import council_of

blueprint = Blueprint("dashboard", __name__)
INBOX_PAGE = 25


def seated_council(slug: str) -> Council:
    """The council of the URL, for a person who sits in it today (403 otherwise)."""
    council = council_of(slug)
    if not current_actor().seats_in(council.id, today()):
        raise PermissionDenied(f"you have no seat in {council.name}")
    return council


@blueprint.get("/<council>/", strict_slashes=False)
def show(council: str):
    """Approvals waiting for me, my actions, this week's deadlines, the next meetings,
    the year's cadence and my inbox.

    Any one-segment path lands here, so an unknown council is a 404 before login is asked
    for (the councils themselves are public).
    """
    council_of(council)
    if not current_user.is_authenticated:
        return manager.unauthorized()
    found = seated_council(council)
    board = dashboard(db(), current_actor(), found, now=now())
    return render_template(
        "dashboard.html", council=found, board=board, parties=party_labels(), limit=SECTION_LIMIT
    )


@blueprint.route("/<council>/inbox", methods=["GET", "POST"])
@login_required
def messages(council: str):
    """The person's messages, newest first; posting marks one (or all) as read."""
    found = seated_council(council)
    actor = current_actor()
    if request.method == "POST":
        chosen = request.form.get("message", "")
        changed = mark_read(
            db(), actor=actor, message_id=int(chosen) if chosen.isdigit() else None, now=now()
        )
        commit()
        if changed:
            flash(_("Markert som lest."))
        return redirect(url_for("dashboard.messages", council=found.slug))
    try:
        page = max(1, min(int(request.args.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    total = inbox_size(db(), actor.person_id)
    shown = inbox(db(), actor.person_id, limit=INBOX_PAGE, offset=(page - 1) * INBOX_PAGE)
    return render_template(
        "inbox.html",
        council=found,
        messages=shown,
        cases=case_numbers(db(), {m.case_id for m in shown if m.case_id}),
        unread=unread_count(db(), actor.person_id),
        page=page,
        pages=max(1, -(-total // INBOX_PAGE)),
    )
