"""Follow-up of decisions: actions (oppfølgingspunkter) and referrals to other authorities."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime
from engine.models.cases import Case
from engine.models.enums import PartyCode, check_in
from engine.models.people import Person

ACTION_STATUSES = ("open", "in_progress", "done", "cancelled")
CLOSED_ACTION_STATUSES = ("done", "cancelled")
REFERRAL_TARGETS = ("city_council", "pod", "bydel", "steering_group", "other")


class Action(Base):
    """A follow-up action a decision created: one owning party, a due date, progress."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)
    owner_party: Mapped[str] = mapped_column(String(20))
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    owner_unit: Mapped[str | None] = mapped_column(String(200))
    due: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="open")
    percent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    owner: Mapped[Person | None] = relationship()
    notes: Mapped[list[ActionNote]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionNote.id"
    )

    __table_args__ = (
        CheckConstraint(check_in("status", ACTION_STATUSES), name="status_known"),
        CheckConstraint(check_in("owner_party", PartyCode), name="owner_party_known"),
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint("description <> ''", name="description_given"),
        CheckConstraint(
            "(status IN ('done', 'cancelled')) = (closed_at IS NOT NULL)",
            name="closed_iff_finished",
        ),
        Index("ix_action_status_due", "status", "due"),
        Index("ix_action_case_id", "case_id"),
        Index("ix_action_owner_due", "owner_person_id", "due"),
    )


class ActionNote(Base):
    """A progress note on an action, with the percent complete it reported."""

    __tablename__ = "action_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int | None]

    action: Mapped[Action] = relationship(back_populates="notes")

    __table_args__ = (
        CheckConstraint("percent IS NULL OR percent BETWEEN 0 AND 100", name="percent_range"),
    )


class Referral(Base):
    """A decision referred to another authority, closed when its response is registered."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(20))
    target_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    response_due: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()

    __table_args__ = (
        CheckConstraint(check_in("target", REFERRAL_TARGETS), name="target_known"),
        CheckConstraint("(response IS NULL) = (responded_at IS NULL)", name="response_has_time"),
        Index("ix_referral_case_id", "case_id"),
    )
