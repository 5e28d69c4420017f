"""Errors as ``application/problem+json`` (RFC 9457), for every response under ``/api/``.

The engine's errors get their status from ``web.errors.status_for``, as the pages do;
HTTP errors keep theirs; anything else is a 500 with no detail, never a traceback.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.errors import EngineError, GuardFailed
from engine.errors import ValidationError as EngineValidationError
from web.errors import status_for

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/docs#problem-"
"""Problem types are explained on the documentation page, one anchor each."""
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
}


class Problem(Exception):
    """An error the API raises itself, with the problem's fields."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extra = extra


def under_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=CONTENT_TYPE, headers=headers
    )
    return response


def from_exception(error: BaseException) -> Response:
    """The problem response for any error raised while serving the API."""
    if isinstance(error, Problem):
        return problem(
            error.status, error.detail, kind=error.kind, headers=error.headers, **error.extra
        )
    if isinstance(error, EngineError):
        status = status_for(error)
        extra: dict[str, Any] = {}
        if isinstance(error, EngineValidationError) and error.errors:
            extra["errors"] = dict(error.errors)
        if isinstance(error, GuardFailed):
            extra["reasons"] = list(error.reasons)
        return problem(status, str(error), kind=type(error).__name__.lower(), **extra)
    if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
        return _http(error)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "the server failed to answer; the error has been logged")


def _http(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    extra: dict[str, Any] = {}
    messages = data.get("errors") or data.get("messages")
    if messages:
        # webargs nests by location ({"json": {...}, "query": {...}}); keep that shape.
        extra["errors"] = messages
    detail = data.get("message") or (
        "the request does not match the API's description" if messages else error.description
    )
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, detail, headers=headers, **extra)
