"""Named effects that workflow transitions run after the state has changed.

A transition's ``effects: [send_notice]`` runs here, inside ``fire`` and in the
same transaction, whoever fired it: a person or the scheduler. Each effect is a
thin wrapper that imports its service when it runs, so this registry is complete
as soon as it is imported and imports no service module itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.models import Case, Meeting


@dataclass(frozen=True)
class EffectContext:
    session: Session
    case: Case
    actor: Actor
    trigger: str
    source: str
    data: dict[str, Any]
    comment: str
    now: datetime


Effect = Callable[[EffectContext], None]
EFFECTS: dict[str, Effect] = {}


def effect(fn: Effect) -> Effect:
    EFFECTS[fn.__name__] = fn
    return fn


@effect
def draft_minutes(ctx: EffectContext) -> None:
    """Write the draft minutes from the meeting's record as soon as the draft is started.

    A meeting case without its meeting record (one opened before meetings had one)
    keeps minutes written by hand, which circulating them still requires.
    """
    from engine.services.minutes import write_minutes

    meeting = ctx.session.get(Meeting, ctx.case.id)
    if meeting is not None:
        write_minutes(ctx.session, meeting, actor=ctx.actor, now=ctx.now)


@effect
def send_notice(ctx: EffectContext) -> None:
    """Send the notice (innkalling) with the agenda to every participant, whoever convened.

    A meeting case without its meeting record has nobody called to it to notify.
    """
    from engine.services.meetings import send_notice

    meeting = ctx.session.get(Meeting, ctx.case.id)
    if meeting is not None:
        send_notice(ctx.session, meeting, now=ctx.now, actor=ctx.actor)


@effect
def store_minutes(ctx: EffectContext) -> None:
    """Register the approved minutes as a document of the meeting (møteprotokoll).

    Minutes written by hand on a meeting case without its meeting record stay in the
    case's data, where they were written.
    """
    from engine.services.documents import store_minutes

    meeting = ctx.session.get(Meeting, ctx.case.id)
    if meeting is not None and meeting.minutes:
        store_minutes(ctx.session, meeting, actor=ctx.actor, now=ctx.now)


@effect
def release_documents(ctx: EffectContext) -> None:
    """Release what an access request (innsynskrav) was granted: the document itself, or
    its redacted copy when the request was granted in part."""
    from engine.services.access_requests import release_for

    release_for(ctx.session, ctx.case, partly=ctx.trigger == "partly_grant", now=ctx.now)
