"""Server-side login sessions, the failed attempts that throttle the login form, and the
links that let a person set a new password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, utcnow
from engine.models.people import Person


class LoginSession(Base):
    """One browser's login. The cookie carries a random token; only its hash is stored, and
    ending the row ends the login everywhere the cookie was copied to."""

    __tablename__ = "login_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(
        String(200), comment="the browser that logged in, as it named itself"
    )

    person: Mapped[Person] = relationship()

    __table_args__ = (Index("ix_login_session_person", "person_id", "ended_at"),)


class LoginFailure(Base):
    """A failed login attempt, counted per address and login pair, per address and per login."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_login_failure_login_at", "login", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
        Index("ix_login_failure_login_address_at", "login", "address", "at"),
    )


class PasswordReset(Base):
    """A request for a link to set a new password ("Glemt passord?"), or one an administrator
    sent.

    A request from the login page records only what was typed (``asked_for``) and is matched
    to people later, by the scheduler, so that the page does the same work whoever was named.
    The link's token is made when the e-mail goes out; the row keeps only its SHA-256.
    """

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"),
        comment="whose password the link sets; empty until the request is matched",
    )
    asked_for: Mapped[str | None] = mapped_column(
        String(254), comment="the login or e-mail typed; cleared once matched"
    )
    asked_for_hash: Mapped[str | None] = mapped_column(
        String(64), comment="sha256 of what was typed, for the throttle"
    )
    address: Mapped[str | None] = mapped_column(String(64))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), comment="the administrator who sent it"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="used, or made void by a newer link or a new password"
    )

    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])

    __table_args__ = (
        CheckConstraint("person_id IS NOT NULL OR asked_for_hash IS NOT NULL", name="for_someone"),
        CheckConstraint("expires_at IS NULL OR expires_at > created_at", name="expires_later"),
        CheckConstraint("token_hash IS NULL OR expires_at IS NOT NULL", name="token_expires"),
        Index("ix_password_reset_person", "person_id", "created_at"),
        Index("ix_password_reset_asked_for_hash", "asked_for_hash", "created_at"),
        Index("ix_password_reset_address", "address", "created_at"),
    )
