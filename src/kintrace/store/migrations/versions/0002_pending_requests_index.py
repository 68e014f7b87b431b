"""Index pending status-change requests by submission date (the days-pending filter and the overdue list).

Measured at 100,000 cases by benchmarks/bench_registry.py: the days-pending filter reads its pending
requests from this index alone (it covers the case id), and the overdue list walks it in the order
it shows instead of sorting every pending request.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:45:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_requests_outcome_submitted", ["outcome", "submitted_on", "case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("status_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_status_requests_outcome_submitted")
