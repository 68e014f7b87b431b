"""The one mapper between the person's record (domain/records.py) and the persons table.

The record's fields are the table's columns by name, so a new field of the person needs nothing here.
"""

from __future__ import annotations

from kintrace.domain.person import MissingPerson
from kintrace.domain.records import PersonRecord, as_record
from kintrace.services.auditing import snapshot
from kintrace.services.name_keys import keys_of_spellings, writing_keys
from kintrace.store.models import MissingPerson as PersonRow
from kintrace.store.models import PersonAlias, PersonNameKey


def search_text(person: MissingPerson) -> str:
    """Every spelling of the name, case-folded, one per line (searched with a substring match)."""
    return "\n".join(name.full.casefold() for name in person.all_names)


def person_columns(person: PersonRecord | MissingPerson) -> dict[str, object]:
    """The persons-table columns of a person (aliases apart): the record's fields by name."""
    record = as_record(person)
    return {**record.columns(), "search_text": search_text(record.person())}


def alias_columns(person: PersonRecord | MissingPerson) -> list[dict[str, object]]:
    return [alias.model_dump() for alias in as_record(person).aliases]


def person_keys(person: PersonRecord | MissingPerson) -> set[str]:
    """The cross-script name keys of the person and every alternative spelling, and the words of the
    name as written (services/name_keys)."""
    if isinstance(person, PersonRecord):
        person = person.person()
    spellings = keys_of_spellings((n.last, n.first, n.patronymic) for n in person.all_names)
    return spellings | writing_keys(search_text(person))


def fill_row(row: PersonRow, person: PersonRecord | MissingPerson) -> None:
    """Write the person's fields, alternative spellings and name keys onto the row.

    Every write of a person's name passes here (filing, editing, aliases, import), so the stored
    name keys that name search reads never lag behind the names."""
    record = as_record(person)
    for key, value in person_columns(record).items():
        setattr(row, key, value)
    wanted = [(a.last_name, a.first_name, a.patronymic, a.script) for a in record.aliases]
    present = [(a.last_name, a.first_name, a.patronymic, a.script) for a in row.aliases]
    if wanted != present:
        row.aliases.clear()
        for last, first, patronymic, script in wanted:
            row.aliases.append(
                PersonAlias(last_name=last, first_name=first, patronymic=patronymic, script=script)
            )
    _sync_keys(row, person_keys(record))


def _sync_keys(row: PersonRow, wanted: set[str]) -> None:
    # Only the difference is written: an unchanged name touches no key row.
    present = {item.key: item for item in row.name_keys}
    for key, item in present.items():
        if key not in wanted:
            row.name_keys.remove(item)
    row.name_keys.extend(PersonNameKey(key=key) for key in sorted(wanted - present.keys()))


def record_of(row: PersonRow) -> PersonRecord:
    """The stored person as its record (the ORM row's columns by field name)."""
    return PersonRecord.model_validate(row)


def to_domain(row: PersonRow) -> MissingPerson:
    return record_of(row).person()


def person_snapshot(row: PersonRow) -> dict[str, object]:
    """The person's values for the audit log, alternative spellings included."""
    values = snapshot(row)
    values.pop("search_text", None)
    values["aliases"] = [
        " ".join(p for p in (a.last_name, a.first_name, a.patronymic) if p) for a in row.aliases
    ]
    return values
