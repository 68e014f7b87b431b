"""Reading HTML forms into the services' inputs; a bad value names the form field it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypeVar

from starlette.datastructures import FormData, UploadFile

from kintrace.domain.dates import PartialDate, PartialDateError
from kintrace.domain.errors import DomainError, InvalidValue
from kintrace.domain.person import LastSeen, MissingPerson, PersonName, PhysicalDescription, detect_script
from kintrace.domain.text import normalised
from kintrace.domain.vocabulary import Sex
from kintrace.services.errors import ValidationFailed
from kintrace.store.models import MissingPerson as PersonRow

E = TypeVar("E")
# Form numbers are ids, counts and days: none needs more than the database's 32-bit integers.
MAX_INTEGER = 2**31 - 1


# The longest text any form field takes (the evidence text; names and short fields are held shorter
# by the domain): a page must not be made to store megabytes that every later page carries.
MAX_FIELD_CHARS = 20_000


def text(form: FormData | Mapping[str, Any], name: str, *, max_length: int = MAX_FIELD_CHARS) -> str | None:
    """The field's text, stripped and in NFC; None when absent or blank. Too long, or holding a NUL
    character, it is refused naming the field."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > max_length:
        raise ValidationFailed(name, f"is longer than {max_length} characters")
    try:
        value = normalised(value, name)
    except InvalidValue as error:
        raise ValidationFailed(name, error.message) from None
    return value or None


def required(form: FormData | Mapping[str, Any], name: str) -> str:
    value = text(form, name)
    if value is None:
        raise ValidationFailed(name, "please fill this in")
    return value


def choice(form: FormData | Mapping[str, Any], name: str, enum: type[E], default: E | None = None) -> E:
    value = text(form, name)
    if value is None:
        if default is not None:
            return default
        raise ValidationFailed(name, "please choose one")
    try:
        return enum(value)  # type: ignore[call-arg]
    except ValueError:
        raise ValidationFailed(name, f"{value!r} is not one of the choices") from None


def integer(form: FormData | Mapping[str, Any], name: str) -> int | None:
    value = text(form, name)
    if value is None:
        return None
    if len(value) > 12:
        raise ValidationFailed(name, "is too large")
    try:
        number = int(value)
    except ValueError:
        raise ValidationFailed(name, f"{value!r} is not a whole number") from None
    if abs(number) > MAX_INTEGER:
        raise ValidationFailed(name, "is too large")
    return number


def partial_date(form: FormData | Mapping[str, Any], prefix: str) -> PartialDate | None:
    """A date from three boxes `<prefix>_year`, `_month`, `_day`: only the year is needed."""
    year, month, day = (text(form, f"{prefix}_{part}") for part in ("year", "month", "day"))
    if year is None:
        if month is not None or day is not None:
            raise ValidationFailed(f"{prefix}_year", "give the year when you give a month or day")
        return None
    if day is not None and month is None:
        raise ValidationFailed(f"{prefix}_month", "give the month when you give a day")
    try:
        iso = f"{int(year):04d}"
        if month is not None:
            iso += f"-{int(month):02d}"
        if day is not None:
            iso += f"-{int(day):02d}"
        return PartialDate.parse(iso)
    except (ValueError, PartialDateError) as error:
        raise ValidationFailed(f"{prefix}_year", f"not a date: {error}") from None


def iso_date(form: FormData | Mapping[str, Any], name: str, default: dt.date | None = None) -> dt.date:
    value = text(form, name)
    if value is None:
        if default is not None:
            return default
        raise ValidationFailed(name, "please give a date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


_PERSON_FIELD = {"last": "last_name", "first": "first_name", "patronymic": "patronymic"}


def missing_person(form: FormData | Mapping[str, Any]) -> MissingPerson:
    """The missing person from the filing form (name, sex, birth date, when and where last seen)."""
    last, first = required(form, "last_name"), required(form, "first_name")
    patronymic = text(form, "patronymic")
    script = detect_script(f"{last}{first}{patronymic or ''}")
    if script is None:
        raise ValidationFailed("last_name", "write all parts of the name in one alphabet (Cyrillic or Latin)")
    try:
        name = PersonName(last, first, patronymic, script)
    except DomainError as error:
        raise ValidationFailed(_PERSON_FIELD.get(error.field or "", error.field), error.message) from None
    try:
        return MissingPerson(
            name=name,
            sex=choice(form, "sex", Sex, Sex.UNKNOWN),
            birth_date=partial_date(form, "birth"),
            birth_place=text(form, "birth_place"),
            rank=text(form, "rank"),
            unit=text(form, "unit"),
            description=PhysicalDescription(
                height_cm=integer(form, "height_cm"),
                build=text(form, "build"),
                hair=text(form, "hair"),
                eyes=text(form, "eyes"),
                distinguishing_marks=text(form, "distinguishing_marks"),
                dental_notes=text(form, "dental_notes"),
            ),
            last_seen=LastSeen(
                date=partial_date(form, "seen"),
                place=text(form, "seen_place"),
                circumstances=text(form, "circumstances"),
            ),
        )
    except DomainError as error:
        field = {"last_seen.date": "seen_year", "date": "seen_year", "place": "seen_place"}.get(
            error.field or "", error.field
        )
        raise ValidationFailed(field, error.message) from None


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


def _date_boxes(prefix: str, value: str | None) -> dict[str, str]:
    if value is None:
        return {}
    parts = value.split("-")
    return {
        f"{prefix}_{name}": str(int(part))
        for name, part in zip(("year", "month", "day"), parts, strict=False)
    }


def person_values(row: PersonRow) -> dict[str, str]:
    """The person's stored fields as the editing form's values."""
    values = {
        "last_name": row.last_name,
        "first_name": row.first_name or "",
        "patronymic": row.patronymic or "",
        "sex": row.sex.value,
        "birth_place": row.birth_place or "",
        "rank": row.rank or "",
        "unit": row.unit or "",
        "service_number": row.service_number or "",
        "seen_place": row.last_seen_place or "",
        "circumstances": row.circumstances or "",
    }
    values.update(_date_boxes("birth", row.birth_date))
    values.update(_date_boxes("seen", row.last_seen_date))
    return values


def edited_person(form: FormData, current: MissingPerson) -> MissingPerson:
    """The current person with the form's fields replaced; fields the form does not show are kept."""
    fresh = missing_person(form)
    try:
        return replace(
            current,
            name=fresh.name,
            sex=fresh.sex,
            birth_date=fresh.birth_date,
            birth_place=fresh.birth_place,
            rank=fresh.rank,
            unit=fresh.unit,
            service_number=text(form, "service_number")
            if "service_number" in form
            else current.service_number,
            last_seen=replace(
                current.last_seen,
                date=fresh.last_seen.date,
                place=fresh.last_seen.place,
                circumstances=fresh.last_seen.circumstances,
            ),
        )
    except DomainError as error:
        raise ValidationFailed(error.field, error.message) from None
