"""Logging in through the browser (flask-login over server-side sessions) and the actor
of the current request.

The cookie holds a random token; ``engine.services.logins`` keeps its hash. Logout and
deactivation end the row, so a copy of the cookie made before is refused afterwards. The
token is new at every login (the session id rotates), and ``next`` only leads within
the site. A session ends after ``POLITIRAD_SESSION_IDLE_MINUTES`` without a request and
after ``POLITIRAD_SESSION_LIFETIME_HOURS`` however active. A person whose password someone
else set is sent to the form for a new one from every page until they have chosen it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
from flask_babel import ngettext
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
    row = logins.resume(db(), token, idle=idle_limit(), lifetime=session_lifetime())
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


def idle_limit() -> timedelta:
    return timedelta(minutes=float(current_app.config["SESSION_IDLE_MINUTES"]))


def session_lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["SESSION_LIFETIME_HOURS"]))


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", logins.IDLE_LIMIT.total_seconds() / 60)
    app.config.setdefault("SESSION_LIFETIME_HOURS", logins.LIFETIME.total_seconds() / 3600)
    manager.init_app(app)
    app.register_blueprint(blueprint)
    app.context_processor(_navigation)
    app.before_request(_password_first)


# Where a person who must choose a new password may still go.
OPEN_WHILE_CHANGING = frozenset(
    {"account.change_password", "auth.login", "auth.logout", "auth.language", "static", "health"}
)


def _password_first():
    """Until a password someone else set is changed, every page leads to the form."""
    if request.path.startswith("/api/") or request.endpoint in OPEN_WHILE_CHANGING:
        return None
    person = current_person()
    if person is None or not person.must_change_password:
        return None
    here = request.full_path if request.query_string else request.path
    return redirect(url_for("account.change_password", next=safe_next(here)))


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
                address=client_address(),
                user_agent=request.user_agent.string,
            )
        except logins.TooManyAttempts as exc:
            commit()
            return too_many_attempts(exc, "login.html", next=next_url)
        except logins.BadCredentials:
            commit()  # the failure counts towards the throttle
            flash(_("Feil brukernavn eller passord."))
            return render_template("login.html", next=next_url), 401
        commit()
        start_session(result)
        if result.person.must_change_password:
            return redirect(url_for("account.change_password", next=next_url))
        return redirect(next_url or url_for("index"))
    return render_template("login.html", next=next_url)


def client_address() -> str:
    return request.remote_addr or "unknown"


def start_session(result: logins.Login) -> None:
    """Log the browser in with a new session (after a password or a reset link)."""
    cookie.clear()  # nothing from before the login survives it
    login_user(User(result.person, result.token))
    if result.person.locale in ("nb", "en"):
        cookie["lang"] = result.person.locale


def too_many_attempts(exc: logins.TooManyAttempts, template: str, **context):
    """429 with ``Retry-After`` and a sentence that says when to try again."""
    flash(_("For mange mislykkede forsøk. %(when)s", when=try_again(exc.retry_after, exc.retry_at)))
    response = current_app.make_response((render_template(template, **context), 429))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def try_again(seconds: int, at: datetime) -> str:
    """The sentence that says when to try again, in the page's language: "Prøv igjen om 30
    sekunder (kl. 10:01)." (the clock rounded up to the minute, never too early)."""
    clock = to_oslo(at + timedelta(seconds=59)).strftime("%H:%M")
    if seconds < 60:
        return ngettext(
            "Prøv igjen om %(num)d sekund (kl. %(clock)s).",
            "Prøv igjen om %(num)d sekunder (kl. %(clock)s).",
            seconds,
            clock=clock,
        )
    minutes = -(-seconds // 60)
    return ngettext(
        "Prøv igjen om %(num)d minutt (kl. %(clock)s).",
        "Prøv igjen om %(num)d minutter (kl. %(clock)s).",
        minutes,
        clock=clock,
    )


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
