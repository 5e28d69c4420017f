"""The audit chain: every change to a case, and to who sits in a council with what access,
as an append-only, hash-chained event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime
from engine.models.enums import ABOUT_A_PERSON, EventKind, check_in

GENESIS_HASH = "0" * 64


class CaseEvent(Base):
    """One audited change (the Noark 5 change log): who, party, when, what, old → new.

    Most events are about a case. A ``membership`` or ``person`` event is about a person
    in a council instead (a seat given or ended, clearance for restricted items granted or
    withdrawn, a person deactivated): it names the person and no case or workflow.
    """

    __tablename__ = "case_event"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="RESTRICT"))
    about_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"),
        comment="the person a membership or person event is about",
    )
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
    workflow_hash: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        CheckConstraint(check_in("kind", EventKind), name="kind_known"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint(
            f"(case_id IS NOT NULL AND workflow_hash IS NOT NULL AND about_person_id IS NULL"
            f" AND NOT {check_in('kind', ABOUT_A_PERSON)})"
            f" OR (case_id IS NULL AND workflow_hash IS NULL AND about_person_id IS NOT NULL"
            f" AND {check_in('kind', ABOUT_A_PERSON)})",
            name="about_a_case_or_a_person",
        ),
        Index("ix_case_event_case_id", "case_id", "seq"),
        Index("ix_case_event_about_person_id", "about_person_id", "seq"),
    )


class AuditHead(Base):
    """The single row that points at the newest event; locking it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
