"""Indexes the dashboard needs: a person's follow-up actions in due order, and a
council's first case.

Without them "my open actions, soonest first" walked every case of the council and
sorted the actions found, and the day a council's record begins (its first case) read
every case of the council.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_action_owner_due", "action", ["owner_person_id", "due"])
    op.create_index("ix_case_council_created", "case", ["council_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_case_council_created", table_name="case")
    op.drop_index("ix_action_owner_due", table_name="action")
