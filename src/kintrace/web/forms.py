"""Reading HTML forms into the services' inputs; a bad value names the form field it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, get_args

from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from kintrace.domain.dates import PartialDate, PartialDateError
from kintrace.domain.errors import InvalidValue
from kintrace.domain.person import detect_script
from kintrace.domain.records import PersonRecord, field_values, problems
from kintrace.domain.text import normalised
from kintrace.services.errors import ValidationFailed
from kintrace.services.persons import record_of
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


# Form names the pages gave before the record model; any other field's form name is its own.
_FORM_NAME = {"last_seen_place": "seen_place"}
# A partial date is typed in three boxes, <prefix>_year, _month and _day.
_DATE_PREFIX = {"birth_date": "birth", "last_seen_date": "seen"}


def _holds_partial_date(annotation: object) -> bool:
    if annotation is PartialDate:
        return True
    return any(_holds_partial_date(arg) for arg in get_args(annotation))


def _form_fields() -> Iterator[tuple[str, str, bool]]:
    """(record field, form name, is a partial date) of every field of the person a form can carry."""
    for name, info in PersonRecord.model_fields.items():
        if name == "aliases":  # alternative spellings are edited through the API and imports
            continue
        if _holds_partial_date(info.annotation):
            yield name, _DATE_PREFIX.get(name, name), True
        else:
            yield name, _FORM_NAME.get(name, name), False


def _form_values(form: FormData | Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields the form carries (a blank one as None); fields it does not show are absent."""
    values: dict[str, Any] = {}
    for name, key, is_date in _form_fields():
        if is_date:
            if any(f"{key}_{part}" in form for part in ("year", "month", "day")):
                values[name] = partial_date(form, key)
        elif key in form:
            values[name] = text(form, key)
    return values


def _form_name(field: str) -> str:
    """The form field a problem of the record's `field` is shown at (a date at its year box)."""
    name = field.split(".")[0].split("[")[0]
    for record_field, key, is_date in _form_fields():
        if record_field == name:
            return f"{key}_year" if is_date else key
    return name


def _person_record(values: dict[str, Any]) -> PersonRecord:
    """The record of the form's values; a missing or bad value names the form field it came from."""
    for name, info in PersonRecord.model_fields.items():
        if info.is_required() and values.get(name) is None:
            raise ValidationFailed(_form_name(name), "please fill this in")
    if values.get("sex") is None:
        values.pop("sex", None)
    script = detect_script(f"{values['last_name']}{values['first_name']}{values.get('patronymic') or ''}")
    if script is None:
        raise ValidationFailed("last_name", "write all parts of the name in one alphabet (Cyrillic or Latin)")
    values["script"] = script.value
    try:
        return PersonRecord.model_validate(values)
    except ValidationError as error:
        field, message = problems(error)[0]
        raise ValidationFailed(_form_name(field), message) from None


def missing_person(form: FormData | Mapping[str, Any]) -> PersonRecord:
    """The missing person from the filing form: every field of the record the form carries."""
    return _person_record(_form_values(form))


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
    stored = record_of(row).model_dump(mode="json")
    values: dict[str, str] = {}
    for name, key, is_date in _form_fields():
        if is_date:
            values.update(_date_boxes(key, stored[name]))
        else:
            values[key] = "" if stored[name] is None else str(stored[name])
    return values


def edited_person(form: FormData | Mapping[str, Any], current: PersonRecord) -> PersonRecord:
    """The current person with the fields the form carries replaced; fields it does not show are kept."""
    values = field_values(current)
    values.update(_form_values(form))
    return _person_record(values)
