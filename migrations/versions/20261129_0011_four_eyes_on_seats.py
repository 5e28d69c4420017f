"""Four eyes on clearance and seats; installation administrators; messages about no council.

``seat_grant`` holds clearance or a seat that one person asked for and another must approve
before it takes effect. Its CHECK constraints refuse a grant asked for oneself and one
approved or refused by the person who asked or by the person it is about; a partial unique
index keeps at most one grant of each kind waiting for a person in a council.

``person.installation_admin`` marks the people who may change anyone's name, e-mail address
and activation (set only from the command line). ``outbox.council_id`` may be empty: the
notice of a changed e-mail address, sent to the old address, is about no council.

The grants' requests and decisions are ``membership`` events of the audit chain, so
``case_event`` is left as it is.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "('leader', 'deputy', 'member', 'secretariat', 'reporter', 'guest')"
PENDING_ONLY = sa.text("state = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column(
                "installation_admin",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="may change any person's name, e-mail and activation; set only from "
                "the command line",
            )
        )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column(
            "council_id",
            existing_type=sa.Integer(),
            nullable=True,
            comment="none for a message about a person's own details (a changed e-mail address)",
        )
    op.create_table(
        "seat_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column(
            "person_id", sa.Integer(), nullable=False, comment="the person the grant is about"
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column(
            "membership_id",
            sa.Integer(),
            nullable=True,
            comment="clearance: the seat to clear; a seat: the seat given on approval",
        ),
        sa.Column("party", sa.String(length=20), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("appointed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "cleared",
            sa.Boolean(),
            nullable=False,
            comment="a seat given cleared for restricted items",
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "decided_by_id",
            sa.Integer(),
            nullable=True,
            comment="who approved, refused or withdrew it (none: the system)",
        ),
        sa.Column("decided_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('clearance', 'seat')", name=op.f("ck_seat_grant_kind_known")),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'refused', 'withdrawn')",
            name=op.f("ck_seat_grant_state_known"),
        ),
        sa.CheckConstraint(
            f"role IS NULL OR role IN {ROLES}", name=op.f("ck_seat_grant_role_known")
        ),
        sa.CheckConstraint(
            "requested_by_id <> person_id", name=op.f("ck_seat_grant_not_for_oneself")
        ),
        sa.CheckConstraint(
            "state NOT IN ('approved', 'refused') OR (decided_by_id IS NOT NULL"
            " AND decided_by_id <> requested_by_id AND decided_by_id <> person_id)",
            name=op.f("ck_seat_grant_decided_by_another"),
        ),
        sa.CheckConstraint(
            "(state = 'pending' AND decided_at IS NULL AND decided_by_id IS NULL)"
            " OR (state <> 'pending' AND decided_at IS NOT NULL)",
            name=op.f("ck_seat_grant_decided_once"),
        ),
        sa.CheckConstraint(
            "(kind = 'clearance' AND party IS NULL AND role IS NULL AND valid_from IS NULL"
            " AND (membership_id IS NOT NULL OR state <> 'pending'))"
            " OR (kind = 'seat' AND party IS NOT NULL AND role IS NOT NULL"
            " AND valid_from IS NOT NULL AND (membership_id IS NULL OR state = 'approved'))",
            name=op.f("ck_seat_grant_what_is_granted"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_seat_grant_valid_period")
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["council.id"],
            name=op.f("fk_seat_grant_council_id_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_seat_grant_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["membership.id"],
            name=op.f("fk_seat_grant_membership_id_membership"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["party"], ["party.code"], name=op.f("fk_seat_grant_party_party")),
        sa.ForeignKeyConstraint(
            ["appointed_by_id"], ["person.id"], name=op.f("fk_seat_grant_appointed_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["person.id"], name=op.f("fk_seat_grant_requested_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["person.id"], name=op.f("fk_seat_grant_decided_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_grant")),
    )
    op.create_index(
        "uq_seat_grant_one_pending",
        "seat_grant",
        ["council_id", "person_id", "kind"],
        unique=True,
        sqlite_where=PENDING_ONLY,
        postgresql_where=PENDING_ONLY,
    )


def downgrade() -> None:
    about_no_council = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM outbox WHERE council_id IS NULL")
    )
    if about_no_council:
        raise RuntimeError(
            f"the outbox holds {about_no_council} messages about no council; "
            "revision 0010 cannot store them"
        )
    op.drop_index("uq_seat_grant_one_pending", table_name="seat_grant")
    op.drop_table("seat_grant")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("council_id", existing_type=sa.Integer(), nullable=False, comment=None)
    with op.batch_alter_table("person") as batch:
        batch.drop_column("installation_admin")
