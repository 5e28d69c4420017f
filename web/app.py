"""The Flask application factory."""

from __future__ import annotations

import gc
import importlib
import pkgutil
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import Babel, get_locale, get_translations
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import select, text
from werkzeug.exceptions import HTTPException

from engine.config import database_url, instance_path
from engine.db import make_engine
from engine.errors import EngineError
from engine.models import Council
from web import api, auth, formatting
from web import db as request_db
from web.errors import status_for
from web.reasons import refusal_in_words

LANGUAGES = ("nb", "en")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)

csrf = CSRFProtect()


def settle() -> None:
    """Exempt what is loaded so far from the garbage collector: for a server process, once
    its app is built.

    The app, its modules and their objects live as long as the process; without this every
    full collection walks all of them again, a pause of over 100 ms in whichever request
    happens to trigger it. Not for tests, which build many apps in one process.
    """
    gc.collect()
    gc.freeze()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``POLITIRAD_*`` environment, then ``test_config``.

    ``test_config`` may carry ``ENGINE`` (an engine to use) and ``SESSIONS``: a callable
    ``(writing) -> Session`` that replaces the engine's sessions (the tests bind them to a
    rolled-back connection).
    """
    app = Flask(__name__, instance_path=str(instance_path()), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=None,
        DEVELOPMENT=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=None,  # None: Secure unless in development
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="nb",
        BABEL_DEFAULT_TIMEZONE="Europe/Oslo",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
    )
    app.config.from_prefixed_env("POLITIRAD")
    if test_config:
        app.config.update(test_config)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not _development(app)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app)

    engine = app.config.get("ENGINE") or make_engine(app.config["DATABASE_URL"] or database_url())
    app.extensions["politirad.engine"] = engine
    request_db.init_app(app, app.config.get("SESSIONS") or request_db.default_sessions(engine))

    csrf.init_app(app)
    Babel(app, locale_selector=_locale)
    _install_template_gettext(app)
    app.context_processor(lambda: {"lang": str(get_locale() or "nb")})
    auth.init_app(app)
    formatting.init_app(app)
    _register_views(app)
    _register_error_pages(app)
    api.init_app(app)  # after the error pages: its problem+json answers only under /api/
    _apply_proxy_fix(app)
    app.after_request(_security_headers)

    @app.get("/health")
    def health():
        """Liveness and database reachability, for the proxy and the load test."""
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return jsonify(status="ok", database=engine.dialect.name)

    @app.get("/")
    def index():
        """A person goes to the dashboard of their (first) council; the public sees the
        councils, with links to their public pages."""
        mine = auth.my_councils()
        if mine:
            return redirect(url_for("dashboard.show", council=mine[0].slug))
        councils = request_db.db().scalars(select(Council).order_by(Council.name)).all()
        return render_template("index.html", councils=councils)

    return app


def _development(app: Flask) -> bool:
    return bool(app.config["DEVELOPMENT"] or app.debug or app.testing)


def _instance_secret(app: Flask) -> str:
    """A secret key kept in the instance folder, made once (``POLITIRAD_SECRET_KEY`` wins)."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _apply_proxy_fix(app: Flask) -> None:
    """Behind a proxy, trust its X-Forwarded-* headers: ``POLITIRAD_PROXY_FIX`` is the
    number of proxies in front of the app (``1`` for one nginx); unset or 0 trusts none."""
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )


def _locale() -> str:
    """Norwegian Bokmål unless English was chosen (by the person or on the page)."""
    chosen = cookie.get("lang")
    return chosen if chosen in LANGUAGES else "nb"


def _install_template_gettext(app: Flask) -> None:
    """Templates translate through the request's catalogue, found once per request.

    Flask-Babel's own callables look the catalogue up again for every message, and a page
    with a long list translates hundreds of them.
    """

    def catalogue():
        found = g.get("politirad_catalogue")
        if found is None:
            found = g.politirad_catalogue = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _register_views(app: Flask) -> None:
    """Every module in ``web.views`` adds its ``blueprint``."""
    import web.views

    for info in sorted(pkgutil.iter_modules(web.views.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"web.views.{info.name}")
        app.register_blueprint(module.blueprint)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def _register_error_pages(app: Flask) -> None:
    """Errors as pages in the site's language and layout. Handlers registered by a
    blueprint (the API answers with problem+json) take precedence within it."""

    @app.errorhandler(EngineError)
    def engine_error(error: EngineError):
        status = status_for(error)
        message = refusal_in_words(error, "")
        return render_template("error.html", status=status, error=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("error.html", status=400, error=error), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("error.html", status=error.code, error=error), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_template("error.html", status=500, error=None), 500
