"""What the scheduler keeps: cadence findings, steering groups, sent reminders, job runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class Finding(Base):
    """A breach of a cadence rule for one period (e.g. ``2026-Q2``), open until resolved."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case.id"), comment="the case the rule opened, if any"
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("council_id", "rule", "period"),
        CheckConstraint("(resolved_at IS NULL) = (resolution IS NULL)", name="resolution_has_time"),
    )


class SteeringGroup(Base):
    """A SaLTo steering group that reports to the council on a schedule."""

    __tablename__ = "steering_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    interval_months: Mapped[int] = mapped_column(default=12)
    next_due: Mapped[date]

    __table_args__ = (
        UniqueConstraint("council_id", "name"),
        CheckConstraint("interval_months BETWEEN 1 AND 60", name="interval_range"),
    )


class SentReminder(Base):
    """A reminder that went out, so each is sent once (``key`` names what it was about)."""

    __tablename__ = "sent_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(Base):
    """The last run of each scheduler job, for ``politirad scheduler status``."""

    __tablename__ = "job_run"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime, comment="the clock the job ran with")
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int]
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
