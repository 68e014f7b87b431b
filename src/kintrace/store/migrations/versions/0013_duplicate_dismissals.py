"""Duplicate dismissals: pairs of cases a person judged "not the same person", never proposed again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 21:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("other_case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_duplicate_dismissals_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"], ["users.id"], name=op.f("fk_duplicate_dismissals_dismissed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["other_case_id"],
            ["cases.id"],
            name=op.f("fk_duplicate_dismissals_other_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_dismissals")),
        sa.UniqueConstraint("case_id", "other_case_id", name="uq_duplicate_dismissals_pair"),
    )
    with op.batch_alter_table("duplicate_dismissals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duplicate_dismissals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duplicate_dismissals_other_case_id"), ["other_case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("duplicate_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_dismissals_other_case_id"))
        batch_op.drop_index(batch_op.f("ix_duplicate_dismissals_case_id"))
    op.drop_table("duplicate_dismissals")
