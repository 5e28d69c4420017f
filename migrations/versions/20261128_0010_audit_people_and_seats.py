"""Audit who sits in a council with what access: events about a person join the chain.

A seat given, ended or changed, clearance for restricted items granted or withdrawn, a
person deactivated or their details changed: each is now an event in the one audit chain,
about a person (``about_person_id``) rather than a case, so it carries no case and no
workflow. Events written before this revision are untouched and hash as they did.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_KINDS = "('opened', 'transition', 'approval', 'update', 'deadline')"
PERSON_KINDS = "('membership', 'person')"
ABOUT_ONE = (
    f"(case_id IS NOT NULL AND workflow_hash IS NOT NULL AND about_person_id IS NULL"
    f" AND NOT kind IN {PERSON_KINDS})"
    f" OR (case_id IS NULL AND workflow_hash IS NULL AND about_person_id IS NOT NULL"
    f" AND kind IN {PERSON_KINDS})"
)
# Rebuilding the table on SQLite drops its triggers: migration 0004's is made again.
MOVE = "UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;"


def upgrade() -> None:
    with op.batch_alter_table("case_event") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("workflow_hash", existing_type=sa.String(length=64), nullable=True)
        batch.add_column(
            sa.Column(
                "about_person_id",
                sa.Integer(),
                nullable=True,
                comment="the person a membership or person event is about",
            )
        )
        batch.create_foreign_key(
            op.f("fk_case_event_about_person_id_person"),
            "person",
            ["about_person_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.drop_constraint(op.f("ck_case_event_kind_known"), type_="check")
        batch.create_check_constraint(
            op.f("ck_case_event_kind_known"),
            f"kind IN {CASE_KINDS[:-1]}, {PERSON_KINDS[1:]}",
        )
        batch.create_check_constraint(op.f("ck_case_event_about_a_case_or_a_person"), ABOUT_ONE)
        batch.create_index("ix_case_event_about_person_id", ["about_person_id", "seq"])
    _restore_sqlite_trigger()


def downgrade() -> None:
    about_people = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM case_event WHERE case_id IS NULL")
    )
    if about_people:
        raise RuntimeError(
            f"the audit chain holds {about_people} events about people and seats; "
            "revision 0009 cannot store them, and removing them would break the chain"
        )
    with op.batch_alter_table("case_event") as batch:
        batch.drop_index("ix_case_event_about_person_id")
        batch.drop_constraint(op.f("ck_case_event_about_a_case_or_a_person"), type_="check")
        batch.drop_constraint(op.f("ck_case_event_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_case_event_kind_known"), f"kind IN {CASE_KINDS}")
        batch.drop_constraint(op.f("fk_case_event_about_person_id_person"), type_="foreignkey")
        batch.drop_column("about_person_id")
        batch.alter_column("workflow_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
    _restore_sqlite_trigger()


def _restore_sqlite_trigger() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS case_event_moves_head AFTER INSERT ON case_event "
            f"BEGIN {MOVE} END"
        )
