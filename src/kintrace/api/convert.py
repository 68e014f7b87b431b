"""From API bodies to the services' inputs, with rule errors renamed to the fields the client sent.

The domain names a bad field by its own record ("last", "latitude"); the client sent
"person.last_name" and "person.last_seen_latitude". Problem details must name what the client sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from kintrace.api.schemas import PersonIn, RelativeIn, RelativeOut
from kintrace.domain.dates import PartialDate, PartialDateError
from kintrace.domain.errors import DomainError
from kintrace.domain.person import LastSeen, MissingPerson, PersonName, PhysicalDescription, Script
from kintrace.domain.vocabulary import Sex
from kintrace.services.access import Actor
from kintrace.services.cases import RelativeInput, contact_details
from kintrace.services.errors import ValidationFailed
from kintrace.store.models import MissingPerson as PersonRow
from kintrace.store.models import Relative

# Domain field name -> API field name of PersonIn.
_PERSON_FIELDS = {
    "last": "last_name",
    "first": "first_name",
    "latitude": "last_seen_latitude",
    "longitude": "last_seen_longitude",
    "place": "last_seen_place",
    "date": "last_seen_date",
    "last_seen.date": "last_seen_date",
    "circumstances": "circumstances",
    "alternative_names": "aliases",
}


@contextmanager
def fields_renamed(prefix: str, names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise a DomainError as ValidationFailed naming `prefix.<API field>`."""
    try:
        yield
    except DomainError as error:
        field = names.get(error.field or "", error.field) if error.field else None
        full = f"{prefix}.{field}" if prefix and field else (field or prefix or None)
        raise ValidationFailed(full, error.message) from error
    except PartialDateError as error:
        raise ValidationFailed(prefix or None, str(error)) from error


def _date(text: str | None) -> PartialDate | None:
    return None if text is None else PartialDate.parse(text)


def _script(value: str | None, prefix: str) -> Script:
    try:
        return Script(value or Script.CYRILLIC)
    except ValueError:
        known = ", ".join(s.value for s in Script)
        field = f"{prefix}.script" if prefix else "script"
        raise ValidationFailed(field, f"{value!r} is not a known script (use {known})") from None


def person_from_fields(values: Mapping[str, Any], prefix: str = "person") -> MissingPerson:
    """Build the domain's MissingPerson from PersonIn's flat fields (validated by the domain)."""
    script = _script(values.get("script"), prefix)
    with fields_renamed(prefix, _PERSON_FIELDS):
        name = PersonName(
            values["last_name"], values.get("first_name") or "", values.get("patronymic"), script
        )
    aliases = []
    for index, alias in enumerate(values.get("aliases") or []):
        alias_prefix = f"{prefix}.aliases[{index}]" if prefix else f"aliases[{index}]"
        with fields_renamed(alias_prefix, _PERSON_FIELDS):
            aliases.append(
                PersonName(
                    alias["last_name"],
                    alias.get("first_name") or "",
                    alias.get("patronymic"),
                    alias["script"],
                )
            )
    with fields_renamed(prefix, _PERSON_FIELDS):
        return MissingPerson(
            name=name,
            sex=Sex(values.get("sex") or Sex.UNKNOWN),
            alternative_names=tuple(aliases),
            birth_date=_date(values.get("birth_date")),
            birth_place=values.get("birth_place"),
            citizenship=values.get("citizenship"),
            service_number=values.get("service_number"),
            rank=values.get("rank"),
            unit=values.get("unit"),
            branch=values.get("branch"),
            description=PhysicalDescription(
                height_cm=values.get("height_cm"),
                build=values.get("build"),
                hair=values.get("hair"),
                eyes=values.get("eyes"),
                distinguishing_marks=values.get("distinguishing_marks"),
                dental_notes=values.get("dental_notes"),
            ),
            last_seen=LastSeen(
                date=_date(values.get("last_seen_date")),
                place=values.get("last_seen_place"),
                latitude=values.get("last_seen_latitude"),
                longitude=values.get("last_seen_longitude"),
                circumstances=values.get("circumstances"),
            ),
        )


def person_from_body(body: PersonIn, prefix: str = "person") -> MissingPerson:
    return person_from_fields(body.model_dump(), prefix)


def person_fields_of(row: PersonRow) -> dict[str, Any]:
    """The stored person as PersonIn's flat fields (the base a partial update is laid over)."""
    names = set(PersonIn.model_fields) - {"aliases"}
    values = {name: getattr(row, name) for name in names}
    values["aliases"] = [
        {"last_name": a.last_name, "first_name": a.first_name, "patronymic": a.patronymic, "script": a.script}
        for a in row.aliases
    ]
    return values


def relative_input(body: RelativeIn) -> RelativeInput:
    return RelativeInput(
        full_name=body.full_name,
        relationship=body.relationship,
        relationship_note=body.relationship_note,
        is_reporter=body.is_reporter,
        phone=body.phone,
        email=body.email,
        address=body.address,
        notes=body.notes,
        user_id=body.user_id,
    )


def relative_out(actor: Actor, row: Relative) -> RelativeOut:
    """A relative as this actor may see them: contact details by the services' one contact rule."""
    return RelativeOut.model_validate(row).model_copy(update=contact_details(actor, row))
