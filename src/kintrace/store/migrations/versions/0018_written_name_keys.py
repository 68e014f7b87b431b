"""Store the words of each person's name as written (``wt:`` and ``ws:`` rows of person_name_keys).

Name search ranked a name written as typed, and a surname written as typed, by matching every found
person's search_text with LIKE: at 100,000 cases a common patronymic read 18,000 persons' names per
search. From here on every write of a person stores these words as keys (services/name_keys
.writing_keys, through services/persons.person_keys); this step fills them for the persons stored
before. A data step only: the schema is unchanged.

The words are computed here as services/name_keys computes them at the time of writing (a migration
may not import the services layer, and must not change when the application's code does).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 14:20:00

"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_LENGTH = 100
BATCH = 5000

persons = sa.table("persons", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
keys_table = sa.table("person_name_keys", sa.column("person_id", sa.Integer), sa.column("key", sa.String))


def _writing_keys(search_text: str) -> set[str]:
    padded = "| " + search_text.replace("\n", " | ") + " |"
    written = {word for word in padded.split(" ")[1:-1] if word and word != "|"}
    surnames = {part.split(" ", 1)[0] for part in padded.split("| ")[1:] if " " in part}
    keys = {"wt:" + word for word in written} | {"ws:" + word for word in surnames - {"", "|"}}
    return {key for key in keys if len(key) <= KEY_LENGTH}


def _key_rows(connection: sa.Connection) -> Iterator[list[dict[str, object]]]:
    rows: list[dict[str, object]] = []
    for person_id, search_text in connection.execute(sa.select(persons.c.id, persons.c.search_text)).all():
        rows.extend({"person_id": person_id, "key": key} for key in sorted(_writing_keys(search_text or "")))
        if len(rows) >= BATCH:
            yield rows
            rows = []
    if rows:
        yield rows


def _written() -> sa.ColumnElement[bool]:
    key = keys_table.c.key
    return sa.or_(key.like("wt:%"), key.like("ws:%"))


def upgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.delete(keys_table).where(_written()))
    for rows in _key_rows(connection):
        connection.execute(sa.insert(keys_table), rows)


def downgrade() -> None:
    op.get_bind().execute(sa.delete(keys_table).where(_written()))
