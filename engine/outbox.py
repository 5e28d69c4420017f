"""Queue notifications in the same transaction as the change that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.models import Case, OutboxMessage


def queue(
    session: Session,
    *,
    case: Case | None,
    recipient_id: int | None,
    topic: str,
    subject: str,
    now: datetime,
    body: str = "",
    payload: dict[str, Any] | None = None,
    council_id: int | None = None,
) -> OutboxMessage:
    """Add a message for delivery after commit; one about no case (a digest) names its council."""
    message = OutboxMessage(
        council_id=case.council_id if case is not None else council_id,
        case_id=case.id if case is not None else None,
        recipient_id=recipient_id,
        topic=topic,
        subject=subject,
        body=body,
        payload=payload or {},
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    return message
