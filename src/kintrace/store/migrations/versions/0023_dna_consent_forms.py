"""The signed consent form of a DNA reference sample, kept with the consent.

The bytes live in the attachment store (var/attachments, by SHA-256, as evidence attachments do);
the consent row names the file: its digest, name, media type, size and when it was uploaded. An
evidence attachment belongs to an evidence item the family may open, so the form is not one: it is
staff-only and stays with the consent.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 17:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ALTER TABLE on both databases (SQLite adds and drops a column itself since 3.35): a batch copy
# of dna_consents is not needed and keeps clear of the samples it points to.
_COLUMNS = (
    ("form_sha256", sa.String(length=64)),
    ("form_filename", sa.String(length=255)),
    ("form_media_type", sa.String(length=100)),
    ("form_size_bytes", sa.Integer()),
    ("form_uploaded_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("dna_consents", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for name, _type in reversed(_COLUMNS):
        op.drop_column("dna_consents", name)
