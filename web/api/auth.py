"""Who calls the API: the person behind an ``Authorization: Bearer`` token, or the public.

The session cookie is never read here, so a page's login cannot be borrowed by a script
on another site, and the API needs no CSRF token. A token acts exactly as its person
(``engine.actors.actor_for``); a read token cannot write.
"""

from __future__ import annotations

from flask import after_this_request, current_app, g, request

from engine.actors import Actor, actor_for
from engine.db import utcnow
from engine.services import tokens
from web.api.problems import Problem
from web.db import SAFE_METHODS, db

CHALLENGE = 'Bearer realm="politirad"'


def _unauthorized(detail: str, error: str = "invalid_token") -> Problem:
    return Problem(
        401,
        detail,
        kind="unauthorized",
        headers={"WWW-Authenticate": f'{CHALLENGE}, error="{error}"'},
    )


def authenticate() -> None:
    """Before every API request: find the token's person (or none), check the scope."""
    header = request.headers.get("Authorization")
    if header is None:
        if request.method not in SAFE_METHODS:
            raise _unauthorized(
                "changing anything needs a token: Authorization: Bearer <token>", "invalid_request"
            )
        g.api_actor, g.api_token = Actor.public(), None
        return
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret:
        raise _unauthorized("the Authorization header must be 'Bearer <token>'", "invalid_request")
    now = utcnow()
    verdict = tokens.authenticate(db(), secret, now=now)
    if verdict.token is None:
        raise _unauthorized(verdict.refusal or "the token is not valid")
    token = verdict.token
    if request.method not in SAFE_METHODS and token.scope != "write":
        raise Problem(
            403,
            "this token may only read; make a write token to change anything",
            kind="insufficient_scope",
            headers={"WWW-Authenticate": f'{CHALLENGE}, error="insufficient_scope"'},
        )
    if tokens.needs_touch(token, now):
        sessions = current_app.extensions["politirad.sessions"]
        token_id = token.id
        after_this_request(lambda response: _touch_after(response, sessions, token_id))
    g.api_actor, g.api_token = actor_for(token.person), token


def _touch_after(response, sessions, token_id: int):
    """Note the use once the answer has gone, in a short write transaction of its own, so
    reads stay read-only and the caller does not wait for it."""

    def touch() -> None:
        session = sessions(True)
        try:
            tokens.touch(session, token_id)
            session.commit()
        finally:
            session.close()

    response.call_on_close(touch)
    return response


def actor() -> Actor:
    """The actor of this API request."""
    return g.api_actor


def token():
    """The token of this request; 401 when there is none."""
    if g.api_token is None:
        raise _unauthorized("this needs a token: Authorization: Bearer <token>", "invalid_request")
    return g.api_token
