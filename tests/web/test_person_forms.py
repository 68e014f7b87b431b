"""The person's forms read into the record model field by field: a field of the record is a form field."""

from __future__ import annotations

import pytest

from kintrace.domain.records import PersonRecord
from kintrace.services.errors import ValidationFailed
from kintrace.web import forms

FORM = {
    "last_name": "Шевченко",
    "first_name": "Андрій",
    "patronymic": "Петрович",
    "sex": "male",
    "birth_year": "1990",
    "birth_month": "5",
    "birth_place": "Полтава",
    "citizenship": "UA",
    "service_number": "АА-123456",
    "rank": "солдат",
    "unit": "в/ч А1234",
    "branch": "ЗСУ",
    "call_sign": "Сокіл",
    "height_cm": "182",
    "build": "худорлявий",
    "hair": "русяве",
    "eyes": "сірі",
    "distinguishing_marks": "шрам",
    "dental_notes": "коронка 36",
    "seen_year": "2024",
    "seen_month": "2",
    "seen_day": "17",
    "seen_place": "Авдіївка",
    "last_seen_latitude": "48.14",
    "last_seen_longitude": "37.74",
    "circumstances": "вихід з позицій",
}


def test_every_field_of_the_record_is_read_from_the_form() -> None:
    record = forms.missing_person(FORM)
    filled = {name for name, value in record if value not in (None, [])} | {"aliases"}
    assert filled == set(PersonRecord.model_fields)
    assert record.birth_date is not None and str(record.birth_date) == "1990-05"
    assert str(record.last_seen_date) == "2024-02-17" and record.unit == "А1234" and record.height_cm == 182


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_name": " "}, "last_name"),
        ({"birth_month": "13"}, "birth_year"),
        ({"seen_year": "1980"}, "seen_year"),  # last seen before birth
        ({"last_seen_longitude": ""}, "last_seen_longitude"),
        ({"height_cm": "tall"}, "height_cm"),
        ({"call_sign": "С" * 101}, "call_sign"),
        ({"first_name": "Andrii"}, "last_name"),  # two alphabets in one name
    ],
)
def test_a_bad_value_names_the_form_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        forms.missing_person({**FORM, **changes})
    assert error.value.field == field


def test_an_edit_keeps_what_the_form_does_not_show() -> None:
    current = forms.missing_person(FORM)
    edited = forms.edited_person({"last_name": "Шевченко", "first_name": "Андрій", "call_sign": ""}, current)
    assert (
        edited.call_sign is None and edited.patronymic == "Петрович" and edited.dental_notes == "коронка 36"
    )
    assert edited.birth_date == current.birth_date and edited.last_seen_place == "Авдіївка"
