"""Documents and their journal entries (journalposter), redacted copies and releases.

A registered document is one journal entry (Noark 5 journalpost with its
dokumentbeskrivelse): it belongs to a case (a saksmappe, or the case of a meeting)
and has its number ``YYYY/N-M`` (the case number and the document's sequence in the
case), a running journal number per council and year (journalaar /
journalsekvensnummer), its own access level and legal basis, a public title with the
screened words shown as ``*****``, and one file kept outside the database by its
SHA-256 (``engine.storage``). A redacted copy (the public variant, «offentlig variant»)
is a separate file of the same document; a release hands exactly one of them to the
requester of an access request (innsynskrav) behind a link of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime
from engine.models.cases import Case
from engine.models.enums import Access, check_in
from engine.models.people import Person

SCREENED = "*****"


class EntryType(StrEnum):
    """Journalposttype: incoming (I), outgoing (U), internal note (N), memo (X)."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    INTERNAL = "internal"
    MEMO = "memo"


class DocumentKind(StrEnum):
    """What the document is (dokumenttype), which also says how it reached the case."""

    CASE_MEMO = "case_memo"  # saksframlegg
    NOTICE = "notice"  # møteinnkalling
    MINUTES = "minutes"  # møteprotokoll
    LETTER = "letter"  # brev
    MEMO = "memo"  # notat
    ATTACHMENT = "attachment"  # vedlegg
    DECISION = "decision"  # vedtak / svar på innsynskrav


class JournalCounter(Base):
    """The last journal sequence number given per council and year (journalsekvensnummer)."""

    __tablename__ = "journal_counter"

    council_id: Mapped[int] = mapped_column(
        ForeignKey("council.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class DocumentCounter(Base):
    """The last document number given in a case (the M of ``YYYY/N-M``)."""

    __tablename__ = "document_counter"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), primary_key=True
    )
    last: Mapped[int] = mapped_column(default=0)


class Document(Base):
    """A registered document: the journal entry and its main file."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="RESTRICT"), comment="the saksmappe, or a meeting's case"
    )
    seq: Mapped[int] = mapped_column(comment="M in YYYY/N-M: the document's number in its case")
    journal_year: Mapped[int] = mapped_column(comment="journalaar")
    journal_seq: Mapped[int] = mapped_column(comment="journalsekvensnummer, per council and year")
    journal_date: Mapped[date] = mapped_column(comment="journaldato (Europe/Oslo)")
    document_date: Mapped[date] = mapped_column(comment="dokumentets dato")
    entry_type: Mapped[str] = mapped_column(String(20), comment="journalposttype")
    kind: Mapped[str] = mapped_column(String(20), comment="dokumenttype")
    title: Mapped[str] = mapped_column(String(500))
    public_title: Mapped[str] = mapped_column(
        String(500), comment="offentligTittel: the title with screened words as *****"
    )
    screened_words: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="words of the title screened in public (skjerming av ord)"
    )
    access: Mapped[str] = mapped_column(String(20), default=Access.PUBLIC)
    legal_basis: Mapped[str | None] = mapped_column(
        String(200), comment="skjermingshjemmel, e.g. offl. § 24 tredje ledd"
    )
    correspondent: Mapped[str | None] = mapped_column(
        String(200), comment="korrespondansepart: the sender or the recipient"
    )
    correspondent_screened: Mapped[bool] = mapped_column(
        default=False, comment="the sender or recipient is kept out of the public journal"
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100), comment="as sniffed from the bytes")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), comment="the file's name in the store")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    case: Mapped[Case] = relationship()
    created_by: Mapped[Person | None] = relationship()
    redactions: Mapped[list[Redaction]] = relationship(
        back_populates="document", order_by="Redaction.id"
    )

    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        UniqueConstraint("council_id", "journal_year", "journal_seq"),
        CheckConstraint(check_in("access", Access), name="access_known"),
        CheckConstraint(check_in("entry_type", EntryType), name="entry_type_known"),
        CheckConstraint(check_in("kind", DocumentKind), name="kind_known"),
        CheckConstraint(
            "access <> 'exempt' OR legal_basis IS NOT NULL", name="exempt_has_legal_basis"
        ),
        CheckConstraint("title <> '' AND public_title <> ''", name="titles_not_empty"),
        CheckConstraint("seq > 0 AND journal_seq > 0", name="numbers_positive"),
        CheckConstraint("size >= 0", name="size_not_negative"),
        Index("ix_document_council_journal_date", "council_id", "journal_date"),
        Index("ix_document_case_id", "case_id", "seq"),
    )

    @property
    def number(self) -> str:
        """The journal number ``YYYY/N-M``: the case number and the document's number in it."""
        return f"{self.case.number}-{self.seq}"

    @property
    def journal_number(self) -> str:
        """The running journal number ``YYYY/S`` (journalaar/journalsekvensnummer)."""
        return f"{self.journal_year}/{self.journal_seq}"


class Redaction(Base):
    """A redacted copy of a document (offentlig variant): the part that may be released."""

    __tablename__ = "document_redaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, comment="what was removed, and on which legal basis")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    document: Mapped[Document] = relationship(back_populates="redactions")

    __table_args__ = (
        CheckConstraint("note <> ''", name="note_given"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )


class Release(Base):
    """Exactly one document (or its redacted copy) released to the requester of an access
    request; the link works for this release only, until it expires."""

    __tablename__ = "document_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), comment="the access request's case"
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    redaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_redaction.id", ondelete="CASCADE"),
        comment="the redacted copy released instead of the document, if partly granted",
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 of the link")
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    document: Mapped[Document] = relationship()
    redaction: Mapped[Redaction | None] = relationship()

    __table_args__ = (
        CheckConstraint("expires_at > released_at", name="expires_after_release"),
        Index("ix_document_release_request_id", "request_id"),
    )
