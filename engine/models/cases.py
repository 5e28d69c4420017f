"""Cases (saker) of every kind, their numbering, tags and pinned workflow definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, utcnow
from engine.models.enums import Access, check_in
from engine.models.people import Council, Person
from engine.models.reference import Bydel, PriorityArea


class WorkflowSnapshot(Base):
    """The exact workflow definition a case started under, keyed by its content hash."""

    __tablename__ = "workflow_snapshot"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    definition: Mapped[str] = mapped_column(
        Text, comment="the definition file as JSON, in file order"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


case_bydel = Table(
    "case_bydel",
    Base.metadata,
    Column("case_id", ForeignKey("case.id", ondelete="CASCADE"), primary_key=True),
    Column("bydel_id", ForeignKey("bydel.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_case_bydel_bydel", "bydel_id", "case_id"),
)

case_priority_area = Table(
    "case_priority_area",
    Base.metadata,
    Column("case_id", ForeignKey("case.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "priority_area_id", ForeignKey("priority_area.id", ondelete="CASCADE"), primary_key=True
    ),
    Index("ix_case_priority_area_area", "priority_area_id", "case_id"),
)


class CaseCounter(Base):
    """The last case number given per council and year (saksaar/sakssekvensnummer)."""

    __tablename__ = "case_counter"

    council_id: Mapped[int] = mapped_column(
        ForeignKey("council.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Case(Base):
    """A case (sak) following one workflow; every change is audited and versioned."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60), comment="the workflow's name")
    year: Mapped[int]
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    public_title: Mapped[str] = mapped_column(String(500))
    access: Mapped[str] = mapped_column(String(20), default=Access.PUBLIC)
    legal_basis: Mapped[str | None] = mapped_column(
        String(200), comment="skjermingshjemmel, e.g. offl. § 24 tredje ledd"
    )
    state: Mapped[str] = mapped_column(String(60))
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state_entry: Mapped[int] = mapped_column(
        comment="sequence number of the audit event that entered the current state"
    )
    workflow_hash: Mapped[str] = mapped_column(String(64), ForeignKey("workflow_snapshot.hash"))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    referral_target: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    council: Mapped[Council] = relationship()
    workflow: Mapped[WorkflowSnapshot] = relationship(lazy="raise_on_sql")
    created_by: Mapped[Person | None] = relationship()
    meeting: Mapped[Case | None] = relationship(
        remote_side=[id], foreign_keys=[meeting_id], lazy="raise_on_sql"
    )
    parent: Mapped[Case | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="raise_on_sql"
    )
    bydeler: Mapped[list[Bydel]] = relationship(secondary=case_bydel)
    priority_areas: Mapped[list[PriorityArea]] = relationship(secondary=case_priority_area)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("council_id", "year", "seq"),
        CheckConstraint(check_in("access", Access), name="access_known"),
        CheckConstraint(
            "access <> 'exempt' OR legal_basis IS NOT NULL", name="exempt_has_legal_basis"
        ),
        CheckConstraint("title <> '' AND public_title <> ''", name="titles_not_empty"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("version > 0", name="version_positive"),
        Index("ix_case_council_kind_state", "council_id", "kind", "state"),
        Index("ix_case_council_created", "council_id", "created_at"),
    )

    @property
    def machine_state(self) -> str:
        """The state as the workflow machine reads and writes it (see ``engine.runtime``).

        During a transition the machine's new state lands here, outside the mapped
        columns, so the guarded UPDATE in ``fire`` stays the only write of the row.
        """
        return self.__dict__.get("_machine_state", self.state)

    @machine_state.setter
    def machine_state(self, value: str) -> None:
        self.__dict__["_machine_state"] = value

    @property
    def number(self) -> str:
        """The case number, ``YYYY/N``."""
        return f"{self.year}/{self.seq}"
