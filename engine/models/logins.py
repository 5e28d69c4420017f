"""Server-side login sessions and the failed attempts that throttle the login form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
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

    person: Mapped[Person] = relationship()

    __table_args__ = (Index("ix_login_session_person", "person_id", "ended_at"),)


class LoginFailure(Base):
    """A failed login attempt, counted per account and per address."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_login_failure_login_at", "login", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )
