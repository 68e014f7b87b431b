"""Drop the pending-requests index of 0002: measured at 100,000 cases, it does not pay for itself.

benchmarks/bench_registry.py times the API at revision 0002 and at head in alternating rounds. With
the case list's filters written as IN (subquery), every list page meets its goal without the index;
the index saved a few milliseconds on the overdue page and the days-pending filter but slowed the
overdue count (rows fetched in submission order rather than table order), and on SQLite, which has
no planner statistics, it lures a correlated EXISTS over status_requests into scanning every
pending request for each case (over a minute at 100,000 cases).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 20:05:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_status_requests_outcome_submitted")


def downgrade() -> None:
    with op.batch_alter_table("status_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_requests_outcome_submitted", ["outcome", "submitted_on", "case_id"], unique=False
        )
