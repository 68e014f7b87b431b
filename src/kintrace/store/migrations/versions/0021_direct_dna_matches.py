"""Direct DNA matches: personal effects of the missing person, and fragments of remains associated.

- ``dna_samples`` gains what a personal effect needs (the object, who handed it over); its kind is
  the new value ``personal_effect`` of a VARCHAR column (no database enum type to alter).
- ``dna_comparisons`` gains ``basis`` (kinship or personal_effect; existing rows are kinship) and the
  effect that gave a personal-effect result; one row per remains, case and basis.
- ``dna_associations``: two remains profiles scored as one person, reviewed by two analysts.

Downgrade deletes what the older schema cannot hold: personal-effect samples (with their profiles,
custody and results) and every association, then restores one row per remains and case.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 17:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place (no batch copy of dna_samples: see downgrade).
    op.add_column("dna_samples", sa.Column("effect_item", sa.String(length=200), nullable=True))
    op.add_column("dna_samples", sa.Column("handed_over_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("dna_comparisons") as batch_op:
        batch_op.add_column(
            sa.Column("basis", sa.String(length=32), nullable=False, server_default="kinship")
        )
        batch_op.add_column(sa.Column("effect_sample_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_dna_comparisons_effect_sample_id_dna_samples"),
            "dna_samples",
            ["effect_sample_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_dna_comparisons_effect_sample_id"), ["effect_sample_id"], unique=False
        )
        batch_op.drop_constraint("uq_dna_comparisons_pair", type_="unique")
        batch_op.create_unique_constraint(
            "uq_dna_comparisons_pair", ["remains_sample_id", "case_id", "basis"]
        )
    # The server default only filled the existing rows; the application always writes the basis.
    with op.batch_alter_table("dna_comparisons") as batch_op:
        batch_op.alter_column("basis", server_default=None, existing_type=sa.String(length=32))
    op.create_table(
        "dna_associations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_sample_id", sa.Integer(), nullable=False),
        sa.Column("second_sample_id", sa.Integer(), nullable=False),
        sa.Column("log10_lr", sa.Float(), nullable=True),
        sa.Column("exclusions", sa.Integer(), nullable=False),
        sa.Column("shared_markers", sa.Integer(), nullable=False),
        sa.Column("marker_lrs", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("compared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_reason", sa.Text(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_reason", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_sample_id"],
            ["dna_samples.id"],
            name=op.f("fk_dna_associations_first_sample_id_dna_samples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_sample_id"],
            ["dna_samples.id"],
            name=op.f("fk_dna_associations_second_sample_id_dna_samples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_dna_associations_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["users.id"], name=op.f("fk_dna_associations_confirmed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dna_associations")),
        sa.UniqueConstraint("first_sample_id", "second_sample_id", name="uq_dna_associations_pair"),
    )
    with op.batch_alter_table("dna_associations") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dna_associations_first_sample_id"), ["first_sample_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dna_associations_second_sample_id"), ["second_sample_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dna_associations_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dna_associations") as batch_op:
        batch_op.drop_index(batch_op.f("ix_dna_associations_state"))
        batch_op.drop_index(batch_op.f("ix_dna_associations_second_sample_id"))
        batch_op.drop_index(batch_op.f("ix_dna_associations_first_sample_id"))
    op.drop_table("dna_associations")
    bind = op.get_bind()
    effects = (
        sa.select(sa.text("id"))
        .select_from(sa.table("dna_samples"))
        .where(sa.text("kind = 'personal_effect'"))
    )
    # Explicit deletes in order: SQLite runs migrations with or without foreign keys enforced.
    bind.execute(sa.text("DELETE FROM dna_comparisons WHERE basis <> 'kinship'"))
    for table in ("dna_profiles", "dna_custody_events", "dna_consents"):
        bind.execute(sa.table(table).delete().where(sa.column("sample_id").in_(effects)))
    bind.execute(sa.text("DELETE FROM dna_samples WHERE kind = 'personal_effect'"))
    with op.batch_alter_table("dna_comparisons") as batch_op:
        batch_op.drop_constraint("uq_dna_comparisons_pair", type_="unique")
        batch_op.create_unique_constraint("uq_dna_comparisons_pair", ["remains_sample_id", "case_id"])
        batch_op.drop_index(batch_op.f("ix_dna_comparisons_effect_sample_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_dna_comparisons_effect_sample_id_dna_samples"), type_="foreignkey"
        )
        batch_op.drop_column("effect_sample_id")
        batch_op.drop_column("basis")
    # Not a batch: SQLite would copy dna_samples into a new table and drop the old one, and with foreign
    # keys enforced that drop cascades to every profile and result. Both databases drop a column in place
    # (SQLite since 3.35).
    op.drop_column("dna_samples", "handed_over_by")
    op.drop_column("dna_samples", "effect_item")
