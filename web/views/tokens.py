"""``/me/tokens``: a person makes and revokes their own API tokens.

The secret is shown once, on the page that answers the form, and never again: it is
not put in the (signed, readable) session cookie for a redirect.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.calendar import OSLO, to_oslo
from engine.db import utcnow
from engine.errors import ValidationError
from engine.services.tokens import DEFAULT_LIFETIME, create_token, list_tokens, revoke_token
from web.auth import current_actor, current_person, login_required
from web.db import commit, db

blueprint = Blueprint("tokens", __name__)


@blueprint.get("/me/tokens")
@login_required
def index():
    return _page()


@blueprint.post("/me/tokens")
@login_required
def create():
    form = {
        "name": request.form.get("name", ""),
        "scope": request.form.get("scope", "read"),
        "expires": request.form.get("expires", ""),
    }
    try:
        issued = create_token(
            db(),
            actor=current_actor(),
            person=current_person(),
            name=form["name"],
            scope=form["scope"],
            expires_at=_end_of_day(form["expires"]),
        )
    except ValidationError as error:
        return _page(form=form, errors=error.errors), 422
    commit()
    return _page(issued=issued), 201


@blueprint.post("/me/tokens/<int(max=2147483647):token_id>/revoke")
@login_required
def revoke(token_id: int):
    revoke_token(db(), actor=current_actor(), token_id=token_id)
    commit()
    return redirect(url_for("tokens.index"))


def _end_of_day(text: str) -> datetime | None:
    """The form's date as the end of that day in Oslo; empty means the default lifetime."""
    if not text.strip():
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError(
            "not a date", {"expires_at": _("Skriv en dato som 2027-03-01.")}
        ) from None
    return datetime.combine(day, time(23, 59, 59), OSLO).astimezone(UTC)


def _page(*, form: dict | None = None, errors: dict | None = None, issued=None):
    now = utcnow()
    default = to_oslo(now + DEFAULT_LIFETIME).date().isoformat()
    return render_template(
        "tokens/index.html",
        tokens=list_tokens(db(), current_person()),
        now=now,
        form=form or {"name": "", "scope": "read", "expires": default},
        errors=errors or {},
        issued=issued,
    )
