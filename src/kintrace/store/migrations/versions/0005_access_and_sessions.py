"""Owners of sources and relatives' records, published family reports, revocable sessions, token expiry.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 18:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Who created an existing source or relative's record is known from the audit log's create row.
_BACKFILL = """
UPDATE {table} SET created_by_id = (
    SELECT a.actor_id FROM audit_log a
    WHERE a.entity = '{table}' AND a.action = '{action}'
      AND a.entity_id = CAST({table}.id AS VARCHAR(64))
      AND a.actor_id IN (SELECT u.id FROM users u)
    ORDER BY a.id LIMIT 1
)
"""


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("key_sha256", name=op.f("uq_login_sessions_key_sha256")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    for table in ("sources", "relatives"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_created_by_id"), ["created_by_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_created_by_id_users"), "users", ["created_by_id"], ["id"]
            )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_published_by_id_users"), "users", ["published_by_id"], ["id"]
        )
    op.execute(_BACKFILL.format(table="sources", action="source.create"))
    op.execute(_BACKFILL.format(table="relatives", action="relative.create"))


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_evidence_published_by_id_users"), type_="foreignkey")
        batch_op.drop_column("published_by_id")
        batch_op.drop_column("published_at")
    for table in ("relatives", "sources"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_created_by_id_users"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_created_by_id"))
            batch_op.drop_column("created_by_id")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))
    op.drop_table("login_sessions")
