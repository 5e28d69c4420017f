"""Meetings (møter): their numbers, participants, agenda, conflicts of interest and comments."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime
from engine.models.cases import Case
from engine.models.enums import Access, PartyCode, check_in
from engine.models.people import Person

MEETING_KINDS = ("ordinary", "extraordinary", "seminar")
ATTENDANCE = ("invited", "present", "absent")
PARTICIPANT_ROLES = ("member", "substitute", "guest", "secretariat")
STANDING_ITEMS = ("previous_minutes", "follow_up_list", "security_briefing")
OUTCOMES = ("decided", "noted", "deferred", "rejected")


class Meeting(Base):
    """The meeting facts of a meeting case: number ``PR n/YYYY``, kind, date and place.

    The case carries the workflow; ``date`` here and the case's ``meeting_date``
    are written together by ``engine.services.meetings`` only.
    """

    __tablename__ = "meeting"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), primary_key=True
    )
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    year: Mapped[int]
    number: Mapped[int] = mapped_column(comment="n in PR n/YYYY, per council and year")
    kind: Mapped[str] = mapped_column(String(20))
    date: Mapped[date]
    starts_at: Mapped[time | None]
    location: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[str | None] = mapped_column(Text, comment="the generated minutes (protokoll)")

    case: Mapped[Case] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Participant.id"
    )
    agenda: Mapped[list[AgendaEntry]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="AgendaEntry.position",
        foreign_keys="AgendaEntry.meeting_id",
    )

    __table_args__ = (
        UniqueConstraint("council_id", "year", "number"),
        CheckConstraint(check_in("kind", MEETING_KINDS), name="kind_known"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_meeting_council_date", "council_id", "date"),
    )

    @property
    def label(self) -> str:
        """``PR 3/2026``."""
        return f"PR {self.number}/{self.year}"


class Participant(Base):
    """Someone called to a meeting: a member, a substitute, a guest; and whether they came."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.case_id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    party: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    substitute_for_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    attendance: Mapped[str] = mapped_column(String(20), default="invited")

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    substitute_for: Mapped[Person | None] = relationship(foreign_keys=[substitute_for_id])

    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        CheckConstraint(check_in("attendance", ATTENDANCE), name="attendance_known"),
        CheckConstraint(check_in("role", PARTICIPANT_ROLES), name="role_known"),
        CheckConstraint(check_in("party", PartyCode), name="party_known"),
        CheckConstraint(
            "(role = 'substitute') = (substitute_for_id IS NOT NULL)",
            name="substitute_has_principal",
        ),
        CheckConstraint("person_id IS NOT NULL OR role = 'guest'", name="only_guests_unregistered"),
    )


class AgendaEntry(Base):
    """A numbered item on a meeting's agenda: an agenda-item case or a standing item."""

    __tablename__ = "agenda_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.case_id", ondelete="CASCADE"))
    position: Mapped[int]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    standing: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(500))
    public_title: Mapped[str] = mapped_column(String(500))
    access: Mapped[str] = mapped_column(String(20), default=Access.PUBLIC)
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_text: Mapped[str | None] = mapped_column(Text)
    moved_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.case_id"), comment="the meeting a deferred item moved to"
    )

    meeting: Mapped[Meeting] = relationship(back_populates="agenda", foreign_keys=[meeting_id])
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        UniqueConstraint("meeting_id", "case_id"),
        CheckConstraint("position > 0", name="position_positive"),
        CheckConstraint("(case_id IS NULL) <> (standing IS NULL)", name="case_or_standing"),
        CheckConstraint(
            f"standing IS NULL OR {check_in('standing', STANDING_ITEMS)}", name="standing_known"
        ),
        CheckConstraint(check_in("access", Access), name="access_known"),
        CheckConstraint(
            f"outcome IS NULL OR {check_in('outcome', OUTCOMES)}", name="outcome_known"
        ),
    )


class Disqualification(Base):
    """A member's declared conflict of interest (inhabilitet) for one agenda entry."""

    __tablename__ = "disqualification"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("agenda_entry.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    __table_args__ = (
        UniqueConstraint("entry_id", "person_id"),
        CheckConstraint("reason <> ''", name="reason_given"),
    )


class MinutesComment(Base):
    """A member's comment on the draft minutes during the review round."""

    __tablename__ = "minutes_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.case_id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    __table_args__ = (CheckConstraint("text <> ''", name="text_given"),)
