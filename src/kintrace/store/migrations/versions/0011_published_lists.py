"""Published lists in the registry: lists, their entries and blocking keys, candidate pairs, the search
log, the family's consent to list matching, and cross-script name keys of missing persons.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 20:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("list_matching_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("list_matching_basis", sa.String(length=300), nullable=True))
        batch_op.add_column(_when("list_matching_consent_at"))
        batch_op.add_column(sa.Column("list_matching_consent_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_list_matching_consent_by_id_users"),
            "users",
            ["list_matching_consent_by_id"],
            ["id"],
        )

    op.create_table(
        "person_name_keys",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_name_keys_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "key", name=op.f("pk_person_name_keys")),
    )
    op.create_index("ix_person_name_keys_key", "person_name_keys", ["key", "person_id"], unique=False)

    op.create_table(
        "published_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("published_on", sa.String(length=10), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("script", sa.String(length=16), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("column_map", sa.JSON(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        _when("imported_at", nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        _when("matched_at"),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_published_lists_imported_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["publisher_id"], ["sources.id"], name=op.f("fk_published_lists_publisher_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_lists")),
        sa.UniqueConstraint("sha256", name=op.f("uq_published_lists_sha256")),
    )
    op.create_index(op.f("ix_published_lists_kind"), "published_lists", ["kind"], unique=False)
    op.create_index(
        op.f("ix_published_lists_publisher_id"), "published_lists", ["publisher_id"], unique=False
    )

    op.create_table(
        "list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("patronymic", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("birth_place", sa.String(length=200), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("service_number", sa.String(length=64), nullable=True),
        sa.Column("rank", sa.String(length=100), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("event_date", sa.String(length=10), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["published_lists.id"],
            name=op.f("fk_list_entries_list_id_published_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_entries")),
        sa.UniqueConstraint("list_id", "row_number", name="uq_list_entries_list_row"),
    )
    op.create_index(op.f("ix_list_entries_cluster_id"), "list_entries", ["cluster_id"], unique=False)
    op.create_index(op.f("ix_list_entries_fingerprint"), "list_entries", ["fingerprint"], unique=False)
    op.create_index(op.f("ix_list_entries_list_id"), "list_entries", ["list_id"], unique=False)

    op.create_table(
        "list_entry_keys",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["list_entries.id"],
            name=op.f("fk_list_entry_keys_entry_id_list_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "key", name=op.f("pk_list_entry_keys")),
    )
    op.create_index("ix_list_entry_keys_key", "list_entry_keys", ["key", "entry_id"], unique=False)

    op.create_table(
        "list_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("name_only", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        _when("decided_at"),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_list_pairs_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_list_pairs_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["list_entries.id"],
            name=op.f("fk_list_pairs_entry_id_list_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
            name=op.f("fk_list_pairs_evidence_id_evidence"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["published_lists.id"],
            name=op.f("fk_list_pairs_list_id_published_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_pairs")),
        sa.UniqueConstraint("entry_id", "case_id", name="uq_list_pairs_entry_case"),
    )
    op.create_index(op.f("ix_list_pairs_case_id"), "list_pairs", ["case_id"], unique=False)
    op.create_index(op.f("ix_list_pairs_entry_id"), "list_pairs", ["entry_id"], unique=False)
    op.create_index(op.f("ix_list_pairs_list_id"), "list_pairs", ["list_id"], unique=False)
    op.create_index("ix_list_pairs_queue", "list_pairs", ["decision", "match_weight"], unique=False)

    op.create_table(
        "list_checks",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        _when("checked_at", nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_list_checks_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["published_lists.id"],
            name=op.f("fk_list_checks_list_id_published_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "list_id", name=op.f("pk_list_checks")),
    )
    op.create_index(op.f("ix_list_checks_list_id"), "list_checks", ["list_id"], unique=False)


def downgrade() -> None:
    op.drop_table("list_checks")
    op.drop_table("list_pairs")
    op.drop_table("list_entry_keys")
    op.drop_table("list_entries")
    op.drop_table("published_lists")
    op.drop_table("person_name_keys")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_list_matching_consent_by_id_users"), type_="foreignkey")
        batch_op.drop_column("list_matching_consent_by_id")
        batch_op.drop_column("list_matching_consent_at")
        batch_op.drop_column("list_matching_basis")
        batch_op.drop_column("list_matching_consent")
