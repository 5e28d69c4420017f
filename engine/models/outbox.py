"""Messages written in the same transaction as the change that caused them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime
from engine.models.enums import OutboxStatus, check_in


class OutboxMessage(Base):
    """A notification waiting to be delivered after commit (inbox, e-mail)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int | None] = mapped_column(
        ForeignKey("council.id", ondelete="CASCADE"),
        comment="the council it is about; empty for a message about a person's own account"
        " (a changed e-mail address, a link to set a password)",
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(check_in("status", OutboxStatus), name="status_known"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )
