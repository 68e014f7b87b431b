"""Collective appeals: the letter, the families' cases in it (with consent), the authority's answers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:05:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("demand", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("answer_days", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=100), nullable=True),
        sa.Column("reference_number", sa.String(length=100), nullable=True),
        sa.Column("letter_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_appeals_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_state"), ["state"], unique=False)
    op.create_table(
        "appeal_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_status", sa.String(length=32), nullable=True),
        sa.Column("signatory", sa.String(length=200), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=False),
        sa.Column("joined_by_id", sa.Integer(), nullable=True),
        sa.Column("joined_by_family", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_cases_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_appeal_cases_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["joined_by_id"], ["users.id"], name=op.f("fk_appeal_cases_joined_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_cases")),
        sa.UniqueConstraint("appeal_id", "case_id", name="uq_appeal_cases_case"),
    )
    with op.batch_alter_table("appeal_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_cases_appeal_id"), ["appeal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeal_cases_case_id"), ["case_id"], unique=False)
    op.create_table(
        "appeal_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference_number", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_answers_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_appeal_answers_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_answers")),
    )
    with op.batch_alter_table("appeal_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_answers_appeal_id"), ["appeal_id"], unique=False)


def downgrade() -> None:
    op.drop_table("appeal_answers")
    op.drop_table("appeal_cases")
    op.drop_table("appeals")
