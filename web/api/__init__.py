"""The JSON API (``/api/v1``): the engine's read side and its services over HTTP, with an
OpenAPI 3.1 document generated from the marshmallow schemas.

Errors under ``/api/`` are problem+json; everywhere else the site's HTML error pages
stay as they are (flask-smorest would otherwise answer every error in the app as JSON).
"""

from __future__ import annotations

import http
import importlib
from collections.abc import Callable

from flask import Flask, Response, render_template, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from engine.errors import EngineError, NotFound
from web.api import auth
from web.api.problems import CONTENT_TYPE, from_exception, under_api
from web.api.schemas import ProblemSchema

PREFIX = "/api/v1"
MODULES = ("councils", "cases", "meetings", "followup", "reference", "workflows")
DESCRIPTION = """\
The politirad API: councils, cases, meetings, follow-up, findings, reference data and the
workflow definitions, under the same access rules, audit and "why not" answers as the pages.

Authenticate with a personal API token: `Authorization: Bearer prt_…` (make one on
`/me/tokens` or with `politirad tokens create`). Without a token you read what the public
may read. A token acts as its person; a read token cannot change anything.

Changing a case needs its version in `If-Match` (the `ETag` of the case): a stale version
answers 412, a writer who got there first in the meantime 409. Errors are
`application/problem+json` (RFC 9457).
"""


class PolitiradApi(Api):
    """flask-smorest's Api with problem+json errors limited to ``/api/``."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        app = self._app
        # The pages may have their own handler for a narrower error (the 409 page of a
        # stale form): under /api/ those answer with problem+json too.
        narrower = [
            kind
            for kind in app.error_handler_spec[None][None]
            if issubclass(kind, (HTTPException, EngineError))
        ]
        for kind in dict.fromkeys((HTTPException, EngineError, Exception, *narrower)):
            _answer_api_errors(app, kind)

    def _register_responses(self) -> None:
        """The documented error responses are problem+json."""
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def _answer_api_errors(app: Flask, kind: type[BaseException]) -> None:
    """Answer ``kind`` with problem+json under ``/api/``; elsewhere hand it to the handler the
    app had before (the HTML error page)."""
    handlers = app.error_handler_spec[None][None]
    previous: Callable | None = handlers.get(kind)

    def handle(error: BaseException) -> Response:
        if under_api() or previous is None:
            return from_exception(error)
        return previous(error)

    app.register_error_handler(kind, handle)


def _document_itself(app: Flask, api: PolitiradApi) -> None:
    """The document and the documentation page are routes under /api/v1 too."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    api.spec.path(
        rule=rules["api-docs.openapi_json"],
        operations={
            "get": {
                "summary": "This OpenAPI document.",
                "tags": ["documentation"],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    )
    api.spec.path(
        rule=rules["api_docs"],
        operations={
            "get": {
                "summary": "The documentation as a page.",
                "tags": ["documentation"],
                "responses": {
                    "200": {
                        "description": "HTML",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    )


def init_app(app: Flask) -> PolitiradApi:
    """Register the API on ``app`` (after the app's own error pages)."""
    app.config.setdefault("API_TITLE", "politirad")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    "bearer": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "a personal API token (prt_…)",
                    }
                }
            },
            "security": [{"bearer": []}, {}],
        },
    )
    api = PolitiradApi(app)
    from web.app import csrf

    names = set()
    for module in MODULES:
        blueprint = importlib.import_module(f"web.api.{module}").blueprint
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=PREFIX)
        names.add(blueprint.name)

    @app.before_request
    def authenticate_api_calls():
        if request.blueprint in names:
            if any("\x00" in str(value) for value in (request.view_args or {}).values()):
                raise NotFound("no such thing")  # PostgreSQL cannot even look a NUL up
            auth.authenticate()

    @app.get(f"{PREFIX}/docs")
    def api_docs():
        """The API's documentation as a page: every operation, from the OpenAPI document."""
        return render_template("api/docs.html", spec=api.spec.to_dict())

    _document_itself(app, api)
    app.extensions["politirad.api"] = api
    return api
