"""The one mapper between the person's record and the persons table: by field name, both ways."""

from __future__ import annotations

from kintrace.domain.dates import PartialDate
from kintrace.domain.records import PersonRecord
from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.services.persons import record_of
from kintrace.store.models import MissingPerson as PersonRow

RECORD = {
    "last_name": "Шевченко",
    "first_name": "Андрій",
    "patronymic": "Петрович",
    "sex": "male",
    "birth_date": "1990-05",
    "birth_place": "Полтава",
    "citizenship": "UA",
    "service_number": "АА-123456",
    "rank": "солдат",
    "unit": "в/ч А1234",
    "branch": "ЗСУ",
    "call_sign": "Сокіл",
    "height_cm": 182,
    "build": "худорлявий",
    "hair": "русяве",
    "eyes": "сірі",
    "distinguishing_marks": "шрам на лівій руці",
    "dental_notes": "коронка 36",
    "last_seen_date": "2024-02-17",
    "last_seen_place": "Авдіївка",
    "last_seen_latitude": 48.14,
    "last_seen_longitude": 37.74,
    "circumstances": "вихід з позицій",
    "aliases": [{"last_name": "Shevchenko", "first_name": "Andrii", "script": "Latn"}],
}


def test_every_field_of_the_record_is_a_column_of_the_persons_table() -> None:
    columns = set(PersonRow.__table__.columns.keys())
    assert set(PersonRecord.model_fields) - {"aliases"} <= columns


def test_a_filed_record_reads_back_the_same(session) -> None:
    record = PersonRecord.model_validate(RECORD)
    # Every field is filled (the script left at its default), so a new field is round-tripped too.
    assert set(RECORD) == set(PersonRecord.model_fields) - {"script"}
    case = cases.create_case(session, SYSTEM, record)
    session.flush()
    session.expire_all()
    stored = record_of(session.get(PersonRow, case.person.id))
    assert stored == record
    assert stored.unit == "А1234" and stored.columns()["birth_date"] == PartialDate(1990, 5)
    assert case.official_since == PartialDate.parse("2024-02-17")
