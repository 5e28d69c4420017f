"""Deadlines of a state entry, and the approvals a two-party transition collects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime
from engine.models.enums import DeadlineStatus, PartyCode, check_in


class Deadline(Base):
    """A deadline set when a case entered a state; handled once when it passes."""

    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    state_entry: Mapped[int] = mapped_column(comment="audit seq of the state entry it belongs to")
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=DeadlineStatus.PENDING)
    effect: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str | None] = mapped_column(String(60))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("case_id", "name", "state_entry"),
        CheckConstraint(check_in("status", DeadlineStatus), name="status_known"),
        CheckConstraint("effect IN ('reminder', 'escalation', 'transition')", name="effect_known"),
        CheckConstraint("effect <> 'transition' OR trigger IS NOT NULL", name="transition_trigger"),
        CheckConstraint(
            "(status = 'pending') = (handled_at IS NULL)", name="handled_iff_not_pending"
        ),
        # Most rows are old and done; the due ones are found by (status, due).
        Index("ix_deadline_status_due", "status", "due"),
        Index("ix_deadline_case_status_due", "case_id", "status", "due"),
    )


class Approval(Base):
    """One party's assent to a transition, valid for the state entry it was given in."""

    __tablename__ = "approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(60))
    state_entry: Mapped[int]
    party: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("case_id", "trigger", "state_entry", "party"),
        CheckConstraint(check_in("party", PartyCode), name="party_known"),
    )
