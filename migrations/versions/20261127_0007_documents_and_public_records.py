"""Documents, the public journal, access requests and calendar feeds.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _upgrade_documents()
    _upgrade_feeds()


def downgrade() -> None:
    _downgrade_feeds()
    _downgrade_documents()


# --- documents, journal entries, redactions and releases (records-docs) -------------------


def _upgrade_documents() -> None:
    op.create_table(
        "journal_counter",
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
            name=op.f("fk_journal_counter_council_id_council"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("council_id", "year", name=op.f("pk_journal_counter")),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column(
            "case_id", sa.Integer(), nullable=False, comment="the saksmappe, or a meeting's case"
        ),
        sa.Column(
            "seq",
            sa.Integer(),
            nullable=False,
            comment="M in YYYY/N-M: the document's number in its case",
        ),
        sa.Column("journal_year", sa.Integer(), nullable=False, comment="journalaar"),
        sa.Column(
            "journal_seq",
            sa.Integer(),
            nullable=False,
            comment="journalsekvensnummer, per council and year",
        ),
        sa.Column("journal_date", sa.Date(), nullable=False, comment="journaldato (Europe/Oslo)"),
        sa.Column("document_date", sa.Date(), nullable=False, comment="dokumentets dato"),
        sa.Column("entry_type", sa.String(length=20), nullable=False, comment="journalposttype"),
        sa.Column("kind", sa.String(length=20), nullable=False, comment="dokumenttype"),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column(
            "public_title",
            sa.String(length=500),
            nullable=False,
            comment="offentligTittel: the title with screened words as *****",
        ),
        sa.Column(
            "screened_words",
            sa.JSON(),
            nullable=False,
            comment="words of the title screened in public (skjerming av ord)",
        ),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column(
            "legal_basis",
            sa.String(length=200),
            nullable=True,
            comment="skjermingshjemmel, e.g. offl. § 24 tredje ledd",
        ),
        sa.Column(
            "correspondent",
            sa.String(length=200),
            nullable=True,
            comment="korrespondansepart: the sender or the recipient",
        ),
        sa.Column(
            "correspondent_screened",
            sa.Boolean(),
            nullable=False,
            comment="the sender or recipient is kept out of the public journal",
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column(
            "content_type",
            sa.String(length=100),
            nullable=False,
            comment="as sniffed from the bytes",
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column(
            "sha256", sa.String(length=64), nullable=False, comment="the file's name in the store"
        ),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "access <> 'exempt' OR legal_basis IS NOT NULL",
            name=op.f("ck_document_exempt_has_legal_basis"),
        ),
        sa.CheckConstraint(
            "access IN ('public', 'exempt', 'restricted')", name=op.f("ck_document_access_known")
        ),
        sa.CheckConstraint(
            "entry_type IN ('incoming', 'outgoing', 'internal', 'memo')",
            name=op.f("ck_document_entry_type_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('case_memo', 'notice', 'minutes', 'letter', 'memo', 'attachment', "
            "'decision')",
            name=op.f("ck_document_kind_known"),
        ),
        sa.CheckConstraint(
            "title <> '' AND public_title <> ''", name=op.f("ck_document_titles_not_empty")
        ),
        sa.CheckConstraint(
            "seq > 0 AND journal_seq > 0", name=op.f("ck_document_numbers_positive")
        ),
        sa.CheckConstraint("size >= 0", name=op.f("ck_document_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_document_case_id_case"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
            name=op.f("fk_document_council_id_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_document_created_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_document_case_id_seq")),
        sa.UniqueConstraint(
            "council_id",
            "journal_year",
            "journal_seq",
            name=op.f("uq_document_council_id_journal_year_journal_seq"),
        ),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index("ix_document_case_id", ["case_id", "seq"], unique=False)
        batch_op.create_index(
            "ix_document_council_journal_date", ["council_id", "journal_date"], unique=False
        )

    op.create_table(
        "document_counter",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
            name=op.f("fk_document_counter_case_id_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_document_counter")),
    )
    op.create_table(
        "document_redaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "note", sa.Text(), nullable=False, comment="what was removed, and on which legal basis"
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("note <> ''", name=op.f("ck_document_redaction_note_given")),
        sa.CheckConstraint("size >= 0", name=op.f("ck_document_redaction_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_document_redaction_created_by_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_redaction_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_redaction")),
    )
    op.create_table(
        "document_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False, comment="the access request's case"),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "redaction_id",
            sa.Integer(),
            nullable=True,
            comment="the redacted copy released instead of the document, if partly granted",
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="sha256 of the link"),
        sa.Column("released_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_at > released_at", name=op.f("ck_document_release_expires_after_release")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_release_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["redaction_id"],
            ["document_redaction.id"],
            name=op.f("fk_document_release_redaction_id_document_redaction"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["case.id"],
            name=op.f("fk_document_release_request_id_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_release")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_document_release_token_hash")),
    )
    with op.batch_alter_table("document_release", schema=None) as batch_op:
        batch_op.create_index("ix_document_release_request_id", ["request_id"], unique=False)


def _downgrade_documents() -> None:
    with op.batch_alter_table("document_release", schema=None) as batch_op:
        batch_op.drop_index("ix_document_release_request_id")

    op.drop_table("document_release")
    op.drop_table("document_redaction")
    op.drop_table("document_counter")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_council_journal_date")
        batch_op.drop_index("ix_document_case_id")

    op.drop_table("document")
    op.drop_table("journal_counter")


# --- calendar feeds (records-export) ------------------------------------------------------


def _upgrade_feeds() -> None:
    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_feed_token_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_token_token_hash")),
    )
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.create_index("ix_feed_token_person", ["person_id", "revoked_at"], unique=False)


def _downgrade_feeds() -> None:
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_token_person")
    op.drop_table("feed_token")
