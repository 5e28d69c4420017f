"""Seed the party vocabulary and the audit chain's head.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

party = sa.table("party", sa.column("code", sa.String), sa.column("name_nb"), sa.column("name_en"))
audit_head = sa.table(
    "audit_head", sa.column("id", sa.Integer), sa.column("seq"), sa.column("hash")
)


def upgrade() -> None:
    op.bulk_insert(
        party,
        [
            {"code": "municipality", "name_nb": "Kommunen", "name_en": "Municipality"},
            {"code": "police", "name_nb": "Politiet", "name_en": "Police"},
            {"code": "external", "name_nb": "Eksterne", "name_en": "External"},
        ],
    )
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    op.execute(audit_head.delete())
    op.execute(party.delete())
