"""A person's own account: change the password ("Bytt passord"), set a new one with a link
("Glemt passord?"), and see and end their login sessions ("Mine innlogginger").

The form that asks for a link answers the same whatever was typed, and does the same
work: the engine only records the request (``engine.services.accounts``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, logout_user

from engine.errors import NotFound, ValidationError
from engine.passwords import MAX_LENGTH
from engine.services import accounts, logins
from web.auth import (
    client_address,
    current_actor,
    current_person,
    idle_limit,
    login_required,
    safe_next,
    session_lifetime,
    start_session,
    too_many_attempts,
)
from web.db import commit, db
from web.passwords import PASSWORD_MESSAGES, RULES

blueprint = Blueprint("account", __name__)

TOKEN = "string(maxlength=100)"


def _messages(errors: dict[str, str]) -> dict[str, str]:
    """The engine's codes per field of the form, in words (the engine's ``password`` is
    the form's new one)."""
    return {
        "new_password" if field == "password" else field: str(PASSWORD_MESSAGES.get(code, code))
        for field, code in errors.items()
    }


def _confirmed() -> str:
    """The new password, once typed the same twice."""
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        raise ValidationError("the passwords differ", {"confirm_password": "mismatch"})
    return new


# --- Bytt passord ---------------------------------------------------------------------------


@blueprint.route("/me/password", methods=["GET", "POST"])
@login_required
def change_password():
    next_url = safe_next(request.values.get("next"))
    forced = current_person().must_change_password
    if request.method == "GET":
        return _change_page(next_url, forced)
    try:
        accounts.change_password(
            db(),
            actor=current_actor(),
            person=current_person(),
            old_password=request.form.get("old_password", ""),
            new_password=_confirmed(),
            address=client_address(),
            keep=current_user.token,
        )
    except logins.TooManyAttempts as exc:
        commit()
        return too_many_attempts(
            exc, "account/password.html", next=next_url, forced=forced, errors={}, rules=RULES
        )
    except accounts.WrongPassword as exc:
        commit()  # the failure counts towards the throttle
        return _change_page(next_url, forced, exc.errors, 422)
    except ValidationError as exc:
        db().rollback()
        return _change_page(next_url, forced, exc.errors, 422)
    commit()
    flash(_("Passordet er byttet. Alle dine andre innlogginger er avsluttet."))
    return redirect(next_url or url_for("index"))


def _change_page(next_url, forced, errors=None, status=200):
    return render_template(
        "account/password.html",
        next=next_url,
        forced=forced,
        errors=_messages(errors or {}),
        rules=RULES,
        max_length=MAX_LENGTH,
    ), status


# --- Glemt passord? ---------------------------------------------------------------------------


@blueprint.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    if request.method == "GET":
        return render_template("account/forgot.html", sent=False)
    accounts.request_reset(db(), request.form.get("login", ""), address=client_address())
    commit()
    return render_template("account/forgot.html", sent=True)


@blueprint.route(f"/password/reset/<{TOKEN}:token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        if request.method == "GET":
            accounts.open_reset(db(), token)
            return _reset_page(token)
        result = accounts.reset_password(
            db(),
            token,
            _confirmed(),
            address=client_address(),
            user_agent=request.user_agent.string,
        )
    except NotFound:
        return render_template("account/reset.html", token=None), 404
    except ValidationError as exc:
        db().rollback()
        return _reset_page(token, exc.errors, 422)
    commit()
    start_session(result)
    flash(_("Du har et nytt passord og er logget inn. Alle andre innlogginger er avsluttet."))
    return redirect(url_for("index"))


def _reset_page(token, errors=None, status=200):
    return render_template(
        "account/reset.html",
        token=token,
        errors=_messages(errors or {}),
        rules=RULES,
        max_length=MAX_LENGTH,
    ), status


# --- Mine innlogginger ---------------------------------------------------------------------------


@blueprint.get("/me/sessions")
@login_required
def sessions():
    return render_template(
        "account/sessions.html",
        sessions=logins.live_sessions(
            db(), current_person(), idle=idle_limit(), lifetime=session_lifetime()
        ),
        this=logins.token_hash(current_user.token),
    )


@blueprint.post("/me/sessions/end")
@login_required
def end_session():
    chosen = request.form.get("session", "")
    if chosen == logins.token_hash(current_user.token):
        logins.log_out(db(), current_user.token)
        commit()
        logout_user()
        cookie.clear()
        return redirect(url_for("auth.login"))
    logins.end_session(db(), actor=current_actor(), session_hash=chosen[:64])
    commit()
    flash(_("Innloggingen er avsluttet."))
    return redirect(url_for("account.sessions"))


@blueprint.post("/me/sessions/others")
@login_required
def end_other_sessions():
    ended = logins.end_other_sessions(db(), actor=current_actor(), token=current_user.token)
    commit()
    flash(ngettext("%(num)d innlogging er avsluttet.", "%(num)d innlogginger er avsluttet.", ended))
    return redirect(url_for("account.sessions"))
