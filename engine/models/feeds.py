"""Personal calendar feeds: a secret, revocable URL per person; only the token's hash is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime, utcnow
from engine.models.people import Person


class FeedToken(Base):
    """The secret in a personal feed URL (``/feeds/<token>.ics``), stored as its SHA-256.

    A feed is a bearer secret that calendar programs fetch without logging in, so it
    can be revoked; revoking keeps the row (who had a feed and when it ended).
    """

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    __table_args__ = (Index("ix_feed_token_person", "person_id", "revoked_at"),)
