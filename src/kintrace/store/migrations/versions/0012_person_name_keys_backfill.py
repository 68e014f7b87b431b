"""Fill the cross-script name keys (person_name_keys) of the persons already stored.

From here on every write of a person writes its keys (services/persons.fill_row); this fills them once
for the persons written before. A data step only: the schema is unchanged.

The keys are computed here with the linkage engine directly, as services/name_keys computes them at
the time of writing: a migration may not import the services layer, and a migration is a snapshot that
must not change when the application's code does.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 21:15:00

"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from kintrace.linkage.names.forms import canonical_given_name
from kintrace.linkage.names.keys import name_key, phonetic_key

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_LENGTH = 100
BATCH = 5000

persons = sa.table(
    "persons",
    sa.column("id", sa.Integer),
    sa.column("last_name", sa.String),
    sa.column("first_name", sa.String),
    sa.column("patronymic", sa.String),
)
aliases = sa.table(
    "person_aliases",
    sa.column("person_id", sa.Integer),
    sa.column("last_name", sa.String),
    sa.column("first_name", sa.String),
    sa.column("patronymic", sa.String),
)
keys_table = sa.table("person_name_keys", sa.column("person_id", sa.Integer), sa.column("key", sa.String))


def _words(text: str | None) -> list[str]:
    return [word for word in phonetic_key(text).split(" ") if word]


def _initial(text: str | None) -> str | None:
    skeleton = name_key(text)
    return skeleton[0] if skeleton else None


def _name_keys(last_name: str | None, first_name: str | None, patronymic: str | None) -> set[str]:
    keys: set[str] = set()
    surname = _words(last_name)
    canonical = canonical_given_name(first_name) if first_name else ""
    keys.update(f"w:{word}" for word in surname)
    keys.update(f"w:{word}" for word in _words(first_name))
    if canonical:
        keys.update(f"w:{word}" for word in _words(canonical))
    keys.update(f"w:{word}" for word in _words(patronymic))
    first_initial = _initial(canonical or None) or _initial(first_name)
    for initial in {first_initial, _initial(first_name)} - {None}:
        keys.add(f"i:{initial}")
        keys.update(f"b:{word}|{initial}" for word in surname)
    patronymic_initial = _initial(patronymic)
    if patronymic_initial:
        keys.add(f"i:{patronymic_initial}")
    return {key[:KEY_LENGTH] for key in keys}


def _key_rows(connection: sa.Connection) -> Iterator[list[dict[str, object]]]:
    names: dict[int, list[tuple[str | None, str | None, str | None]]] = {}
    for table in (persons, aliases):
        owner = table.c.id if table is persons else table.c.person_id
        query = sa.select(owner, table.c.last_name, table.c.first_name, table.c.patronymic)
        for person_id, last_name, first_name, patronymic in connection.execute(query):
            names.setdefault(person_id, []).append((last_name, first_name, patronymic))
    rows: list[dict[str, object]] = []
    for person_id, spellings in names.items():
        keys: set[str] = set()
        for spelling in spellings:
            keys |= _name_keys(*spelling)
        rows.extend({"person_id": person_id, "key": key} for key in sorted(keys))
        if len(rows) >= BATCH:
            yield rows
            rows = []
    if rows:
        yield rows


def upgrade() -> None:
    connection = op.get_bind()
    # Rebuilt whole: a key that an older spelling left behind would find the person by a wrong name.
    connection.execute(sa.delete(keys_table))
    for rows in _key_rows(connection):
        connection.execute(sa.insert(keys_table), rows)


def downgrade() -> None:
    # 0011's table stays; only the keys this step wrote go (0011 left it empty).
    op.get_bind().execute(sa.delete(keys_table))
