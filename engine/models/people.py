"""Councils, parties, people and their memberships."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, utcnow
from engine.models.enums import GrantKind, GrantState, PartyCode, Role, check_in


class Council(Base):
    """A politiråd: one municipality and its police district."""

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))
    police_district: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, comment="overrides of the default cadence rules (engine/cadence.yaml)"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("slug <> ''", name="slug_not_empty"),)


class Party(Base):
    """One side of the council: the municipality, the police, or external guests."""

    __tablename__ = "party"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_nb: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    __table_args__ = (CheckConstraint(check_in("code", PartyCode), name="code_known"),)


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    installation_admin: Mapped[bool] = mapped_column(
        default=False,
        server_default=false(),
        comment="may change any person's name, e-mail and activation; set only from the "
        "command line",
    )
    must_change_password: Mapped[bool] = mapped_column(
        default=False,
        comment="the password was set by someone else: every page asks for a new one first",
    )

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", foreign_keys="Membership.person_id"
    )

    __table_args__ = (
        CheckConstraint("login <> ''", name="login_not_empty"),
        CheckConstraint("locale IN ('nb', 'en')", name="locale_known"),
    )


class Membership(Base):
    """A person's seat in a council: party, role, who appointed them, from/to, clearance."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(String(20), ForeignKey("party.code"))
    role: Mapped[str] = mapped_column(String(20))
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    cleared: Mapped[bool] = mapped_column(
        default=False, comment="cleared for restricted items (police security service)"
    )

    person: Mapped[Person] = relationship(back_populates="memberships", foreign_keys=[person_id])
    council: Mapped[Council] = relationship()
    appointed_by: Mapped[Person | None] = relationship(foreign_keys=[appointed_by_id])

    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role_known"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
        Index("ix_membership_person_council", "person_id", "council_id"),
    )

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


PENDING_ONLY = text("state = 'pending'")


class SeatGrant(Base):
    """Clearance or a seat that one person asked for and a second person must approve before
    it takes effect (four eyes): who asked, when, and what became of it.

    The database refuses a grant asked for oneself, and one approved or refused by the person
    who asked for it or by the person it is about; a person has at most one grant of each kind
    waiting in a council.
    """

    __tablename__ = "seat_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), comment="the person the grant is about"
    )
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=GrantState.PENDING)
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL"),
        comment="clearance: the seat to clear; a seat: the seat given on approval",
    )
    party: Mapped[str | None] = mapped_column(String(20), ForeignKey("party.code"))
    role: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    cleared: Mapped[bool] = mapped_column(
        default=False, comment="a seat given cleared for restricted items"
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id"), comment="who approved, refused or withdrew it (none: the system)"
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    council: Mapped[Council] = relationship()
    membership: Mapped[Membership | None] = relationship()
    appointed_by: Mapped[Person | None] = relationship(foreign_keys=[appointed_by_id])
    requested_by: Mapped[Person] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        CheckConstraint(check_in("kind", GrantKind), name="kind_known"),
        CheckConstraint(check_in("state", GrantState), name="state_known"),
        CheckConstraint("role IS NULL OR " + check_in("role", Role), name="role_known"),
        CheckConstraint("requested_by_id <> person_id", name="not_for_oneself"),
        CheckConstraint(
            "state NOT IN ('approved', 'refused') OR (decided_by_id IS NOT NULL"
            " AND decided_by_id <> requested_by_id AND decided_by_id <> person_id)",
            name="decided_by_another",
        ),
        CheckConstraint(
            "(state = 'pending' AND decided_at IS NULL AND decided_by_id IS NULL)"
            " OR (state <> 'pending' AND decided_at IS NOT NULL)",
            name="decided_once",
        ),
        CheckConstraint(
            "(kind = 'clearance' AND party IS NULL AND role IS NULL AND valid_from IS NULL"
            " AND (membership_id IS NOT NULL OR state <> 'pending'))"
            " OR (kind = 'seat' AND party IS NOT NULL AND role IS NOT NULL"
            " AND valid_from IS NOT NULL AND (membership_id IS NULL OR state = 'approved'))",
            name="what_is_granted",
        ),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
        Index(
            "uq_seat_grant_one_pending",
            "council_id",
            "person_id",
            "kind",
            unique=True,
            sqlite_where=PENDING_ONLY,
            postgresql_where=PENDING_ONLY,
        ),
    )
