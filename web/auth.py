"""Logging in through the browser (flask-login over server-side sessions) and the actor
of the current request.

The cookie holds a random token; ``engine.services.logins`` keeps its hash. Logout and
deactivation end the row, so a copy of the cookie made before is refused afterwards. The
token is new at every login (the session id rotates), and ``next`` only leads within
the site.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from werkzeug.local import LocalProxy

from engine.actors import Actor, actor_for
from engine.calendar import to_oslo
from engine.db import utcnow
from engine.models import Council, Person
from engine.services import logins
from web.db import commit, db

blueprint = Blueprint("auth", __name__)
manager = LoginManager()
manager.login_view = "auth.login"
manager.login_message = None
manager.session_protection = None  # the server-side session is the protection
TOUCH_EVERY = timedelta(minutes=5)


class User:
    """flask-login's user: a person as seen through one login session."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, person: Person, token: str):
        self.person = person
        self.token = token

    def get_id(self) -> str:
        return self.token


@manager.user_loader
def _load(token: str) -> User | None:
    row = logins.resume(db(), token)
    if row is None:
        return None
    if utcnow() - row.last_seen_at > TOUCH_EVERY:
        _touch(token)
    return User(row.person, token)


def _touch(token: str) -> None:
    """Note activity in a short write transaction of its own (reads stay read-only)."""
    session = current_app.extensions["politirad.sessions"](True)
    try:
        logins.touch(session, token)
        session.commit()
    finally:
        session.close()


def init_app(app: Flask) -> None:
    manager.init_app(app)
    app.register_blueprint(blueprint)
    app.context_processor(_navigation)


def _navigation() -> dict:
    """What the header needs: the councils the person sits in today and their roles there;
    and ``actor``, the request's actor, computed only when a template reads it."""
    return {"my_councils": my_councils, "roles_in": roles_in, "actor": LocalProxy(current_actor)}


def my_councils() -> list[Council]:
    """The councils where the logged-in person has a seat today, by name."""
    person = current_person()
    if person is None:
        return []
    today = oslo_today()
    seen = {m.council.id: m.council for m in person.memberships if m.active_on(today)}
    return sorted(seen.values(), key=lambda c: c.name)


def roles_in(council: Council | None) -> frozenset[str]:
    """The roles of the current actor in ``council`` today (empty for the public)."""
    if council is None:
        return frozenset()
    return frozenset(s.role for s in current_actor().seats_in(council.id, oslo_today()))


def oslo_today() -> date:
    return to_oslo(utcnow()).date()


def current_person() -> Person | None:
    return current_user.person if current_user.is_authenticated else None


def current_actor() -> Actor:
    """The actor of this request: the logged-in person with their seats, or the public."""
    if "actor" not in g:
        person = current_person()
        g.actor = actor_for(person) if person is not None else Actor.public()
    return g.actor


def login_required(view):
    """Only for a logged-in person; others go to the login page and come back."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "POST":
        try:
            result = logins.log_in(
                db(),
                request.form.get("login", ""),
                request.form.get("password", ""),
                address=request.remote_addr or "unknown",
            )
        except logins.TooManyAttempts as exc:
            commit()
            minutes = max(1, -(-exc.retry_after // 60))
            flash(_("For mange mislykkede forsøk. Prøv igjen om %(n)d minutter.", n=minutes))
            return render_template("login.html", next=next_url), 429
        except logins.BadCredentials:
            commit()  # the failure counts towards the throttle
            flash(_("Feil brukernavn eller passord."))
            return render_template("login.html", next=next_url), 401
        commit()
        cookie.clear()  # nothing from before the login survives it
        login_user(User(result.person, result.token))
        if result.person.locale in ("nb", "en"):
            cookie["lang"] = result.person.locale
        return redirect(next_url or url_for("index"))
    return render_template("login.html", next=next_url)


@blueprint.post("/logout")
def logout():
    if current_user.is_authenticated:
        logins.log_out(db(), current_user.token)
        commit()
    logout_user()
    cookie.clear()
    return redirect(url_for("auth.login"))


@blueprint.post("/language")
def language():
    """Switch the language of the pages (Norwegian Bokmål or English)."""
    code = request.form.get("lang")
    if code not in ("nb", "en"):
        abort(400)
    cookie["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("index"))
