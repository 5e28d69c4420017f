"""Indexes the pages need: a case's pending deadlines in due order, and cases by tag.

Without them SQLite answered "the pending deadlines of this case" from the
(status, due) index, scanning every pending deadline of the installation, and built a
temporary index for every bydel or priority-area filter.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_deadline_case_status", table_name="deadline")
    op.create_index("ix_deadline_case_status_due", "deadline", ["case_id", "status", "due"])
    op.create_index("ix_case_bydel_bydel", "case_bydel", ["bydel_id", "case_id"])
    op.create_index(
        "ix_case_priority_area_area", "case_priority_area", ["priority_area_id", "case_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_case_priority_area_area", table_name="case_priority_area")
    op.drop_index("ix_case_bydel_bydel", table_name="case_bydel")
    op.drop_index("ix_deadline_case_status_due", table_name="deadline")
    op.create_index("ix_deadline_case_status", "deadline", ["case_id", "status"])
