"""Accounts: a forced password change, links to set a new password, the browser of each
login session, and a throttle per address and login pair. Account messages have no council
(``outbox.council_id`` may be empty since 0011), which the column's comment now says.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX_COUNCIL = (
    "the council it is about; empty for a message about a person's own account"
    " (a changed e-mail address, a link to set a password)"
)
OUTBOX_0011 = "none for a message about a person's own details (a changed e-mail address)"


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="the password was set by someone else: every page asks for a new one first",
            )
        )
    with op.batch_alter_table("person") as batch:
        batch.alter_column("must_change_password", existing_type=sa.Boolean(), server_default=None)
    with op.batch_alter_table("login_session") as batch:
        batch.add_column(
            sa.Column(
                "user_agent",
                sa.String(length=200),
                nullable=True,
                comment="the browser that logged in, as it named itself",
            )
        )
    op.create_index(
        "ix_login_failure_login_address_at", "login_failure", ["login", "address", "at"]
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column(
            "council_id",
            existing_type=sa.Integer(),
            existing_nullable=True,
            comment=OUTBOX_COUNCIL,
        )
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "person_id",
            sa.Integer(),
            nullable=True,
            comment="whose password the link sets; empty until the request is matched",
        ),
        sa.Column(
            "asked_for",
            sa.String(length=254),
            nullable=True,
            comment="the login or e-mail typed; cleared once matched",
        ),
        sa.Column(
            "asked_for_hash",
            sa.String(length=64),
            nullable=True,
            comment="sha256 of what was typed, for the throttle",
        ),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column(
            "requested_by_id",
            sa.Integer(),
            nullable=True,
            comment="the administrator who sent it",
        ),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "closed_at",
            engine.db.UTCDateTime(timezone=True),
            nullable=True,
            comment="used, or made void by a newer link or a new password",
        ),
        sa.CheckConstraint(
            "expires_at IS NULL OR expires_at > created_at",
            name=op.f("ck_password_reset_expires_later"),
        ),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR asked_for_hash IS NOT NULL",
            name=op.f("ck_password_reset_for_someone"),
        ),
        sa.CheckConstraint(
            "token_hash IS NULL OR expires_at IS NOT NULL",
            name=op.f("ck_password_reset_token_expires"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_password_reset_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["person.id"],
            name=op.f("fk_password_reset_requested_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    op.create_index("ix_password_reset_address", "password_reset", ["address", "created_at"])
    op.create_index(
        "ix_password_reset_asked_for_hash", "password_reset", ["asked_for_hash", "created_at"]
    )
    op.create_index("ix_password_reset_person", "password_reset", ["person_id", "created_at"])


def downgrade() -> None:
    op.drop_table("password_reset")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column(
            "council_id", existing_type=sa.Integer(), existing_nullable=True, comment=OUTBOX_0011
        )
    op.drop_index("ix_login_failure_login_address_at", table_name="login_failure")
    with op.batch_alter_table("login_session") as batch:
        batch.drop_column("user_agent")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("must_change_password")
