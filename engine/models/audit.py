"""The audit chain: every change to a case as an append-only, hash-chained event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime
from engine.models.enums import EventKind, check_in

GENESIS_HASH = "0" * 64


class CaseEvent(Base):
    """One audited change (the Noark 5 change log): who, party, when, what, old → new."""

    __tablename__ = "case_event"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"))
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    actor: Mapped[str] = mapped_column(String(80), comment="login, or 'system'")
    party: Mapped[str | None] = mapped_column(String(20))
    trigger: Mapped[str | None] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(60))
    to_state: Mapped[str | None] = mapped_column(String(60))
    changes: Mapped[str] = mapped_column(Text, comment="canonical JSON {field: [old, new]}")
    comment: Mapped[str] = mapped_column(Text, default="")
    workflow_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(check_in("kind", EventKind), name="kind_known"),
        CheckConstraint("seq > 0", name="seq_positive"),
        Index("ix_case_event_case_id", "case_id", "seq"),
    )


class AuditHead(Base):
    """The single row that points at the newest event; locking it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
