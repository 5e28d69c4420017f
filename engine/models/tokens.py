"""Personal API tokens: a person's key for other systems, stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime
from engine.models.people import Person

TOKEN_SCOPES = ("read", "write")


class ApiToken(Base):
    """A bearer token that acts as its person; the secret is shown once and never stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), comment="what the person calls it")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 of the secret")
    hint: Mapped[str] = mapped_column(String(12), comment="the secret's first characters")
    scope: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    __table_args__ = (
        CheckConstraint("scope IN ('read', 'write')", name="scope_known"),
        CheckConstraint("name <> ''", name="name_given"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index("ix_api_token_person", "person_id", "revoked_at"),
    )

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
