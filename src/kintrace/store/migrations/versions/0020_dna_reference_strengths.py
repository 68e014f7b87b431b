"""Stored reference strength of each family, and which relative to ask next.

One row per case, with a signature of the references it was computed for: the desk, the API, the
report and the family's page read it instead of simulating on every view. The migration fills
nothing: strengths are computed on demand (the desk's button, the API, `kintrace dna strength`) or
by the demo.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 16:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dna_reference_strengths",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("frequency_table", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("simulations", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("reference_samples", sa.JSON(), nullable=False),
        sa.Column("markers", sa.Integer(), nullable=False),
        sa.Column("exclusion_power", sa.Float(), nullable=True),
        sa.Column("p_true", sa.Float(), nullable=True),
        sa.Column("p_unrelated", sa.Float(), nullable=True),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("not_computed", sa.Text(), nullable=True),
        sa.Column("not_computed_code", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_dna_reference_strengths_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_dna_reference_strengths")),
    )


def downgrade() -> None:
    op.drop_table("dna_reference_strengths")
