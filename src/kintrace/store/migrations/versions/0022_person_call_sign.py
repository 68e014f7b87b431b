"""The missing person's call sign (позивний): the name a soldier was known by in his unit.

Comrades, commanders' reports and lists of prisoners often name a man by his call sign alone, so
families and caseworkers record it beside his name. Optional, up to 100 characters.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 17:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite drops a column itself since 3.35): a batch copy of
# persons would drop the table its aliases and name keys point to.


def upgrade() -> None:
    op.add_column("persons", sa.Column("call_sign", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("persons", "call_sign")
