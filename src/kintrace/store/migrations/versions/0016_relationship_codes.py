"""Relatives' relationships as codes (mother, brother, ... other) with the family's own words beside.

Until now a relationship was free text ("мама", "жена", "Mother"). Each distinct text is read with the
domain's reader, as the application reads an old import file: a known word becomes its code, anything
else becomes ``other`` with the text kept in the new ``relationship_note``, so no word is lost.
Downgrade writes the note back into the text ("other": the note alone, else "code (note)").

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kintrace.domain.relationships import relationship_from_text

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

relatives = sa.table(
    "relatives",
    sa.column("relationship", sa.String),
    sa.column("relationship_note", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("relatives") as batch_op:
        batch_op.add_column(sa.Column("relationship_note", sa.String(length=200), nullable=True))
    connection = op.get_bind()
    texts = connection.scalars(sa.select(relatives.c.relationship).distinct()).all()
    for text in texts:
        code, note = relationship_from_text(text)
        if code.value == text and note is None:
            continue
        connection.execute(
            relatives.update()
            .where(relatives.c.relationship == text)
            .values(relationship=code.value, relationship_note=note)
        )


def downgrade() -> None:
    code, note = relatives.c.relationship, relatives.c.relationship_note
    text = sa.case((code == "other", note), else_=code + " (" + note + ")")
    op.get_bind().execute(
        relatives.update().where(note.is_not(None)).values(relationship=sa.func.substr(text, 1, 64))
    )
    with op.batch_alter_table("relatives") as batch_op:
        batch_op.drop_column("relationship_note")
