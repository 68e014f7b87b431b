"""The missing-person record refuses bad values where they enter, naming the field."""

from __future__ import annotations

import pytest

from kintrace.domain.dates import PartialDate
from kintrace.domain.errors import DomainError, InvalidValue
from kintrace.domain.person import (
    LastSeen,
    MissingPerson,
    PersonName,
    PhysicalDescription,
    Script,
    detect_script,
    parse_unit,
)
from kintrace.domain.vocabulary import Sex

NAME = PersonName("Шевченко", "Андрій", "Миколайович")


def field_of(error: pytest.ExceptionInfo[DomainError]) -> str | None:
    return error.value.field


def test_a_full_record_in_cyrillic_with_a_latin_alternative_spelling() -> None:
    person = MissingPerson(
        name=NAME,
        sex=Sex.MALE,
        alternative_names=(PersonName("Shevchenko", "Andrii", "Mykolaiovych", Script.LATIN),),
        birth_date=PartialDate(1994, 7),
        birth_place="Полтава",
        citizenship="UA",
        service_number="Ф-1234567",
        rank="старший солдат",
        unit="в/ч А1234",
        branch="Сухопутні війська",
        description=PhysicalDescription(height_cm=182, hair="русяве", dental_notes="коронка 36"),
        last_seen=LastSeen(PartialDate(2023, 5, 10), "Бахмут", 48.5953, 38.0003, "під час обстрілу"),
    )
    assert person.unit == "А1234"  # stored as the number
    assert [str(n) for n in person.all_names] == [
        "Шевченко Андрій Миколайович",
        "Shevchenko Andrii Mykolaiovych",
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("в/ч 12345", "12345"),
        ("В/Ч 12345", "12345"),
        ("вч 12345", "12345"),
        ("в.ч. 12345", "12345"),
        ("войсковая часть № 12345", "12345"),
        ("військова частина А0536", "А0536"),
        ("в/ч A0536", "А0536"),  # a Latin A folded to the Cyrillic letter
        ("12345", "12345"),
        ("  ", None),
        (None, None),
    ],
)
def test_unit_numbers_as_people_write_them(text: str | None, number: str | None) -> None:
    assert parse_unit(text) == number


@pytest.mark.parametrize("text", ["в/ч 1234", "в/ч 123456", "3-я рота", "в/ч Ж1234"])
def test_text_that_is_not_a_unit_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_unit(text)
    assert field_of(error) == "unit"
    assert text in str(error.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"last": ""}, "last"),
        ({"first": "  "}, "first"),
        ({"patronymic": ""}, "patronymic"),
        ({"last": "Шевченко2"}, "last"),
        ({"last": " Шевченко"}, "last"),
        ({"first": "Andrii"}, "first"),  # Latin letters in a name declared Cyrillic
        ({"first": "Aндрій"}, "first"),  # one Latin "A" hidden in a Cyrillic name
        ({"script": "Grek"}, "script"),
    ],
)
def test_a_bad_name_part_names_its_field(kwargs: dict[str, str], field: str) -> None:
    values = {"last": "Шевченко", "first": "Андрій", "patronymic": "Миколайович", "script": "Cyrl"} | kwargs
    with pytest.raises(InvalidValue) as error:
        PersonName(**values)  # type: ignore[arg-type]
    assert field_of(error) == field


def test_names_keep_apostrophes_and_hyphens() -> None:
    assert PersonName("Мамин-Сибиряк", "Мар'яна").full == "Мамин-Сибиряк Мар'яна"
    assert PersonName("Д’яченко", "Марʼян").script is Script.CYRILLIC


def test_the_script_is_read_from_the_letters() -> None:
    assert PersonName.of("Ivanov", "Ivan").script is Script.LATIN
    assert detect_script("Іванов") is Script.CYRILLIC
    assert detect_script("Ivanов") is None
    with pytest.raises(InvalidValue) as error:
        PersonName.of("Ivanов", "Ivan")
    assert field_of(error) == "script"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sex": "m"}, "sex"),
        ({"citizenship": "Ukraine"}, "citizenship"),
        ({"citizenship": "ua"}, "citizenship"),
        ({"service_number": "!!"}, "service_number"),
        ({"unit": "рота"}, "unit"),
        ({"rank": " "}, "rank"),
        ({"alternative_names": (NAME,)}, "alternative_names"),
        ({"birth_date": PartialDate(2000), "last_seen": LastSeen(PartialDate(1999, 5))}, "last_seen.date"),
    ],
)
def test_a_bad_person_field_is_named(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        MissingPerson(name=NAME, **kwargs)  # type: ignore[arg-type]
    assert field_of(error) == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"latitude": 48.6}, "longitude"),
        ({"longitude": 38.0}, "latitude"),
        ({"latitude": 91.0, "longitude": 38.0}, "latitude"),
        ({"latitude": 48.0, "longitude": -181.0}, "longitude"),
        ({"place": ""}, "place"),
    ],
)
def test_a_bad_last_seen_field_is_named(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        LastSeen(**kwargs)  # type: ignore[arg-type]
    assert field_of(error) == field


def test_a_human_height() -> None:
    with pytest.raises(InvalidValue) as error:
        PhysicalDescription(height_cm=18)
    assert field_of(error) == "height_cm"
    assert PhysicalDescription().is_empty and not PhysicalDescription(eyes="карі").is_empty


def test_an_error_can_be_qualified_by_its_enclosing_record() -> None:
    with pytest.raises(InvalidValue) as error:
        LastSeen(latitude=100.0, longitude=0.0)
    qualified = error.value.within("last_seen")
    assert isinstance(qualified, InvalidValue)
    assert qualified.field == "last_seen.latitude"
    assert str(qualified).startswith("last_seen.latitude: latitude 100.0")
