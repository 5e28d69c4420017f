"""``/me/profile`` (Min profil): a person changes their own name, e-mail address and language,
and sees their seats and what waits for approval about them.

A person's details belong to the whole installation, so no council's secretariat changes
them: the person does, here, or an installation administrator. A changed e-mail address is
told to the old address (``engine.services.people.update_person``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _

from engine.errors import ValidationError
from engine.services.grants import person_grants
from engine.services.people import update_person
from web.auth import current_actor, current_person, login_required, oslo_today
from web.db import commit, db
from web.views.admin import field_message

blueprint = Blueprint("profile", __name__)


@blueprint.get("/me/profile")
@login_required
def show():
    return _page()


@blueprint.post("/me/profile")
@login_required
def save():
    person = current_person()
    old_email = person.email
    form = {
        "display_name": request.form.get("display_name", ""),
        "email": request.form.get("email", ""),
        "locale": request.form.get("locale", person.locale),
    }
    try:
        update_person(
            db(),
            actor=current_actor(),
            person=person,
            display_name=form["display_name"],
            email=form["email"],
            locale=form["locale"],
        )
    except ValidationError as error:
        db().rollback()
        return _page(form=form, errors=error.errors, status=422)
    commit()
    cookie["lang"] = person.locale
    flash(_("Endringene er lagret."))
    if person.email != old_email and old_email:
        flash(_("Vi har sendt en melding om endringen til den gamle e-postadressen."))
    return redirect(url_for("profile.show"))


def _page(*, form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status=200):
    person = current_person()
    today = oslo_today()
    context: dict[str, Any] = {
        "person": person,
        "seats": sorted(
            (m for m in person.memberships if m.valid_to is None or m.valid_to >= today),
            key=lambda m: (m.council.name, m.valid_from),
        ),
        "today": today,
        "waiting": [g for g in person_grants(db(), person) if g.state == "pending"],
        "form": form or {},
        "errors": errors or {},
        "field_message": field_message,
    }
    return render_template("profile/index.html", **context), status
