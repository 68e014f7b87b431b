"""The record model: one list of the person's fields, the domain's rules called from it, errors by field."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from kintrace.domain import dates
from kintrace.domain.person import LastSeen, MissingPerson, PersonName, PhysicalDescription
from kintrace.domain.records import PersonRecord, field_values, problems, view
from kintrace.domain.vocabulary import Sex

PERSON = {"last_name": "Коваленко", "first_name": "Петро", "patronymic": "Іванович"}


def _problems(values: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as error:
        PersonRecord.model_validate(values)
    return problems(error.value)


def test_partial_dates_are_read_from_their_text_and_written_back_as_it() -> None:
    record = PersonRecord.model_validate({**PERSON, "birth_date": "1990-5", "last_seen_date": "2023"})
    assert record.birth_date == dates.PartialDate(1990, 5)
    # The ORM row takes the PartialDate (store/types writes it as its text); a dump writes the text.
    columns = record.columns()
    assert columns["birth_date"] == dates.PartialDate(1990, 5) and columns[
        "last_seen_date"
    ] == dates.PartialDate(2023)
    assert record.model_dump(mode="json")["birth_date"] == "1990-05"
    assert record.model_dump()["birth_date"] == "1990-05"
    assert _problems({**PERSON, "birth_date": "1994-13"}) == [("birth_date", "month 13 is out of range")]
    assert _problems({**PERSON, "last_seen_date": 2023})[0][0] == "last_seen_date"


def test_field_values_keep_the_dates_read_and_validate_to_the_same_record() -> None:
    record = PersonRecord.model_validate(
        {**PERSON, "birth_date": "1990-05", "aliases": [{"last_name": "Коваль", "first_name": "Петро"}]}
    )
    values = field_values(record)
    assert values["birth_date"] is record.birth_date  # the value read, not its text to read again
    assert values["aliases"] == [
        {"last_name": "Коваль", "first_name": "Петро", "patronymic": None, "script": "Cyrl"}
    ]
    assert PersonRecord.model_validate(values) == record
    assert field_values(record, {"birth_date"}) == {"birth_date": dates.PartialDate(1990, 5)}


def test_the_domains_rules_name_the_records_field() -> None:
    assert _problems({**PERSON, "last_name": "Koвaленко"})[0][0] == "last_name"
    assert _problems({**PERSON, "last_seen_latitude": 48.1}) == [
        ("last_seen_longitude", "coordinates need both latitude and longitude")
    ]
    assert _problems({**PERSON, "birth_date": "1990", "last_seen_date": "1980"})[0][0] == "last_seen_date"
    assert _problems({**PERSON, "unit": "штаб"})[0][0] == "unit"
    assert _problems({**PERSON, "citizenship": "Ukraine"})[0][0] == "citizenship"
    assert _problems({**PERSON, "height_cm": 45})[0][0] == "height_cm"  # the domain's 50-250
    alias = {"last_name": "Kovalenko", "first_name": "Пётр", "script": "Latn"}
    assert _problems({**PERSON, "aliases": [alias]})[0][0] == "aliases[0].first_name"
    assert _problems({**PERSON, "aliases": [PERSON]}) == [("aliases", "repeats the main name")]
    assert _problems({**PERSON, "nmae": "x"})[0][0] == "nmae"


def test_the_record_keeps_the_canonical_values_the_rules_give() -> None:
    record = PersonRecord.model_validate({**PERSON, "first_name": "Оле\u0301г", "unit": "в/ч a1234"})
    assert record.first_name == "Олег" and record.unit == "А1234"


def test_a_domain_person_and_its_record_say_the_same() -> None:
    person = MissingPerson(
        name=PersonName("Коваленко", "Петро", "Іванович"),
        sex=Sex.MALE,
        alternative_names=(PersonName("Kovalenko", "Petro", None, "Latn"),),  # type: ignore[arg-type]
        birth_date=dates.PartialDate(1990, 5),
        unit="12345",
        description=PhysicalDescription(height_cm=182, dental_notes="коронка 36"),
        last_seen=LastSeen(date=dates.PartialDate(2023), place="Бахмут", latitude=48.6, longitude=38.0),
    )
    record = PersonRecord.of(person)
    assert record.person() == person
    assert record.last_seen_place == "Бахмут" and record.aliases[0].script == "Latn"


def test_views_carry_the_records_fields_and_limits_without_its_rules() -> None:
    partial = view("Partial", PersonRecord, optional=True)
    assert set(partial.model_fields) == set(PersonRecord.model_fields)
    assert partial.model_validate({"last_seen_latitude": 48.1}).model_dump(exclude_unset=True) == {
        "last_seen_latitude": 48.1
    }  # a rule over several fields waits for the whole record
    with pytest.raises(ValidationError):
        partial.model_validate({"height_cm": 400})  # a field's own limit holds
    extended = view("Extended", PersonRecord, base=BaseModel, exclude=("aliases",), id=(int, ...))
    assert set(extended.model_fields) == (set(PersonRecord.model_fields) - {"aliases"}) | {"id"}
    assert extended.model_fields["last_name"].is_required()
    assert not extended.model_fields["patronymic"].is_required()
