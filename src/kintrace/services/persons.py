"""Between the domain's MissingPerson (validated on construction) and the persons table."""

from __future__ import annotations

from kintrace.domain.dates import PartialDate
from kintrace.domain.person import LastSeen, MissingPerson, PersonName, PhysicalDescription, Script
from kintrace.services.auditing import snapshot
from kintrace.services.name_keys import keys_of_spellings, writing_keys
from kintrace.store.models import MissingPerson as PersonRow
from kintrace.store.models import PersonAlias, PersonNameKey


def _text(value: PartialDate | None) -> str | None:
    return None if value is None else str(value)


def _date(value: str | None) -> PartialDate | None:
    return None if value is None else PartialDate.parse(value)


def search_text(person: MissingPerson) -> str:
    """Every spelling of the name, case-folded, one per line (searched with a substring match)."""
    return "\n".join(name.full.casefold() for name in person.all_names)


def person_columns(person: MissingPerson) -> dict[str, object]:
    """The persons-table columns of a domain person (aliases apart)."""
    looks, seen = person.description, person.last_seen
    return {
        "last_name": person.name.last,
        "first_name": person.name.first,
        "patronymic": person.name.patronymic,
        "script": Script(person.name.script).value,
        "sex": person.sex,
        "birth_date": _text(person.birth_date),
        "birth_place": person.birth_place,
        "citizenship": person.citizenship,
        "service_number": person.service_number,
        "rank": person.rank,
        "unit": person.unit,
        "branch": person.branch,
        "height_cm": looks.height_cm,
        "build": looks.build,
        "hair": looks.hair,
        "eyes": looks.eyes,
        "distinguishing_marks": looks.distinguishing_marks,
        "dental_notes": looks.dental_notes,
        "last_seen_date": _text(seen.date),
        "last_seen_place": seen.place,
        "last_seen_latitude": seen.latitude,
        "last_seen_longitude": seen.longitude,
        "circumstances": seen.circumstances,
        "search_text": search_text(person),
    }


def alias_columns(person: MissingPerson) -> list[dict[str, object]]:
    return [
        {
            "last_name": n.last,
            "first_name": n.first,
            "patronymic": n.patronymic,
            "script": Script(n.script).value,
        }
        for n in person.alternative_names
    ]


def person_keys(person: MissingPerson) -> set[str]:
    """The cross-script name keys of the person and every alternative spelling, and the words of the
    name as written (services/name_keys)."""
    spellings = keys_of_spellings((n.last, n.first, n.patronymic) for n in person.all_names)
    return spellings | writing_keys(search_text(person))


def fill_row(row: PersonRow, person: MissingPerson) -> None:
    """Write the person's fields, alternative spellings and name keys onto the row.

    Every write of a person's name passes here (filing, editing, aliases, import), so the stored
    name keys that name search reads never lag behind the names."""
    for key, value in person_columns(person).items():
        setattr(row, key, value)
    wanted = [(n.last, n.first, n.patronymic, Script(n.script).value) for n in person.alternative_names]
    present = [(a.last_name, a.first_name, a.patronymic, a.script) for a in row.aliases]
    if wanted != present:
        row.aliases.clear()
        for last, first, patronymic, script in wanted:
            row.aliases.append(
                PersonAlias(last_name=last, first_name=first, patronymic=patronymic, script=script)
            )
    _sync_keys(row, person_keys(person))


def _sync_keys(row: PersonRow, wanted: set[str]) -> None:
    # Only the difference is written: an unchanged name touches no key row.
    present = {item.key: item for item in row.name_keys}
    for key, item in present.items():
        if key not in wanted:
            row.name_keys.remove(item)
    row.name_keys.extend(PersonNameKey(key=key) for key in sorted(wanted - present.keys()))


def to_domain(row: PersonRow) -> MissingPerson:
    return MissingPerson(
        name=PersonName(row.last_name, row.first_name or "", row.patronymic, Script(row.script)),
        sex=row.sex,
        alternative_names=tuple(
            PersonName(a.last_name, a.first_name or "", a.patronymic, Script(a.script)) for a in row.aliases
        ),
        birth_date=_date(row.birth_date),
        birth_place=row.birth_place,
        citizenship=row.citizenship,
        service_number=row.service_number,
        rank=row.rank,
        unit=row.unit,
        branch=row.branch,
        description=PhysicalDescription(
            height_cm=row.height_cm,
            build=row.build,
            hair=row.hair,
            eyes=row.eyes,
            distinguishing_marks=row.distinguishing_marks,
            dental_notes=row.dental_notes,
        ),
        last_seen=LastSeen(
            date=_date(row.last_seen_date),
            place=row.last_seen_place,
            latitude=row.last_seen_latitude,
            longitude=row.last_seen_longitude,
            circumstances=row.circumstances,
        ),
    )


def person_snapshot(row: PersonRow) -> dict[str, object]:
    """The person's values for the audit log, alternative spellings included."""
    values = snapshot(row)
    values.pop("search_text", None)
    values["aliases"] = [
        " ".join(p for p in (a.last_name, a.first_name, a.patronymic) if p) for a in row.aliases
    ]
    return values
