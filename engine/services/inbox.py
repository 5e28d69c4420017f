"""A person's in-app inbox (innboks): reading marks messages as read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.clock import resolve
from engine.errors import PermissionDenied
from engine.models import InboxMessage


def mark_read(
    session: Session, *, actor: Actor, message_id: int | None = None, now: datetime | None = None
) -> int:
    """Mark one of the actor's unread messages, or all of them, as read; returns how many.

    Another person's message is left alone as if it did not exist.
    """
    if actor.person_id is None:
        raise PermissionDenied("only a person has an inbox")
    statement = (
        update(InboxMessage)
        .where(InboxMessage.person_id == actor.person_id, InboxMessage.read_at.is_(None))
        .values(read_at=resolve(now))
    )
    if message_id is not None:
        statement = statement.where(InboxMessage.id == message_id)
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount
