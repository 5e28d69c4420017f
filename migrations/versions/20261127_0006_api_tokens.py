"""Personal API tokens.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "name", sa.String(length=100), nullable=False, comment="what the person calls it"
        ),
        sa.Column(
            "token_hash", sa.String(length=64), nullable=False, comment="sha256 of the secret"
        ),
        sa.Column(
            "hint", sa.String(length=12), nullable=False, comment="the secret's first characters"
        ),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_api_token_expires_after_creation")
        ),
        sa.CheckConstraint("name <> ''", name=op.f("ck_api_token_name_given")),
        sa.CheckConstraint("scope IN ('read', 'write')", name=op.f("ck_api_token_scope_known")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_api_token_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index("ix_api_token_person", "api_token", ["person_id", "revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_api_token_person", table_name="api_token")
    op.drop_table("api_token")
