"""Stored duplicate candidates: the engine's pairs of possibly one person, and its full runs.

The desk, the API and the CLI read these rows instead of running the engine on every view. The
migration fills nothing: the first full run (`kintrace cases duplicates --refresh`, the desk's
button) or the demo computes them; a filing's check writes its case's pairs meanwhile.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 14:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("other_case_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_duplicate_candidates_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["other_case_id"],
            ["cases.id"],
            name=op.f("fk_duplicate_candidates_other_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_candidates")),
        sa.UniqueConstraint("case_id", "other_case_id", name="uq_duplicate_candidates_pair"),
    )
    op.create_index(
        op.f("ix_duplicate_candidates_case_id"), "duplicate_candidates", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_duplicate_candidates_other_case_id"), "duplicate_candidates", ["other_case_id"], unique=False
    )
    op.create_index("ix_duplicate_candidates_strength", "duplicate_candidates", ["probability"], unique=False)
    op.create_table(
        "duplicate_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("run_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_by_id"], ["users.id"], name=op.f("fk_duplicate_runs_run_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_runs")),
    )


def downgrade() -> None:
    op.drop_table("duplicate_runs")
    op.drop_index("ix_duplicate_candidates_strength", table_name="duplicate_candidates")
    op.drop_index(op.f("ix_duplicate_candidates_other_case_id"), table_name="duplicate_candidates")
    op.drop_index(op.f("ix_duplicate_candidates_case_id"), table_name="duplicate_candidates")
    op.drop_table("duplicate_candidates")
