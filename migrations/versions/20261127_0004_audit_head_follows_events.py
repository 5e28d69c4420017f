"""Move the audit chain's head in the database whenever an event is inserted.

The head then cannot be forgotten by any writer, and appending an event costs one
statement instead of two.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVE = "UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION case_event_moves_head() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {MOVE} RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER case_event_moves_head AFTER INSERT ON case_event "
            "FOR EACH ROW EXECUTE FUNCTION case_event_moves_head()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER case_event_moves_head AFTER INSERT ON case_event BEGIN {MOVE} END"
        )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER case_event_moves_head"
        + (" ON case_event" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION case_event_moves_head()")
