from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from tests.services.helpers import actor

from kintrace.domain.vocabulary import PersonStatus, Role
from kintrace.services import cases, transfer
from kintrace.services.access import SYSTEM
from kintrace.services.errors import Forbidden, ValidationFailed
from kintrace.store.models import AuditEntry, Case

HEADER = (
    "reference,last_name,first_name,patronymic,sex,birth_date,unit,last_seen_date,last_seen_place,"
    "alternative_names,official_status\n"
)
CSV = (
    HEADER
    + """UA-1,Шевченко,Андрій,Петрович,male,1990-05,в/ч А1234,2024-02-17,Авдіївка,Shevchenko|Andrii,missing
UA-2,Коваленко,Ігор,,male,1985,,2023-11,Бахмут,,reported_captured
UA-3,Бондаренко,Олена,Іванівна,female,1979-12-01,,,,Бондаренко|Елена|Ивановна; Bondarenko|Olena,missing
"""
)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_same_file_twice_adds_nothing(session):
    first = transfer.import_text(session, SYSTEM, CSV, "csv")
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    cases_after, audit_after = _count(session, Case), _count(session, AuditEntry)
    second = transfer.import_text(session, SYSTEM, CSV, "csv")
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert (_count(session, Case), _count(session, AuditEntry)) == (cases_after, audit_after)
    imported = cases.get_case_by_reference(session, SYSTEM, "UA-1")
    assert imported.person.unit == "А1234" and [a.first_name for a in imported.person.aliases] == ["Andrii"]
    assert (
        cases.get_case_by_reference(session, SYSTEM, "UA-2").official_status is PersonStatus.REPORTED_CAPTURED
    )


def test_changed_record_updates_the_person(session):
    transfer.import_text(session, SYSTEM, CSV, "csv")
    result = transfer.import_text(session, SYSTEM, CSV.replace("Бахмут", "Соледар"), "csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert cases.get_case_by_reference(session, SYSTEM, "UA-2").person.last_seen_place == "Соледар"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("1985,,2023-11", "1985-13,,2023-11", "row 3: birth_date"),
        ("male,1985", "martian,1985", "row 3: sex"),
        ("1985,,2023-11", "1985,,1980-01", "row 3: last_seen_date"),  # last seen before birth
        (",Коваленко,", ",,", "row 3: last_name"),
        ("reported_captured", "vanished", "row 3: official_status"),
    ],
)
def test_bad_row_stops_the_import_naming_row_and_field(session, old, new, field):
    before = _count(session, Case)
    with pytest.raises(ValidationFailed) as error:
        transfer.import_text(session, SYSTEM, CSV.replace(old, new, 1), "csv")
    assert error.value.field == field
    assert _count(session, Case) == before


def test_repeated_reference_and_unknown_column_are_refused(session):
    with pytest.raises(ValidationFailed) as repeated:
        transfer.parse_all(CSV + CSV.splitlines()[1] + "\n", "csv")
    assert repeated.value.field == "row 5: reference"
    with pytest.raises(ValidationFailed) as unknown:
        transfer.parse_all(CSV.replace("unit", "unitt", 1), "csv")
    assert unknown.value.field == "row 1: unitt"


def test_json_round_trip_and_csv_round_trip(session):
    transfer.import_text(session, SYSTEM, CSV, "csv")
    as_json = transfer.export_text(session, SYSTEM, "json")
    records = [r for r in json.loads(as_json)["cases"] if r["reference"].startswith("UA-")]
    assert [r["reference"] for r in records] == ["UA-1", "UA-2", "UA-3"]
    assert records[2]["person"]["alternative_names"][0] == {
        "last": "Бондаренко",
        "first": "Елена",
        "patronymic": "Ивановна",
        "script": "Cyrl",
    }
    assert transfer.import_text(session, SYSTEM, as_json, "json").unchanged == _count(session, Case)
    as_csv = transfer.export_text(session, SYSTEM, "csv")
    assert transfer.import_text(session, SYSTEM, as_csv, "csv").unchanged == _count(session, Case)


def test_the_call_sign_is_imported_and_exported_in_both_formats(session):
    with_sign = CSV.replace("official_status\n", "official_status,call_sign\n", 1)
    with_sign = with_sign.replace("Shevchenko|Andrii,missing", "Shevchenko|Andrii,missing,Сокіл")
    with_sign = with_sign.replace(",reported_captured\n", ",reported_captured,\n").replace(
        "Bondarenko|Olena,missing\n", "Bondarenko|Olena,missing,\n"
    )
    transfer.import_text(session, SYSTEM, with_sign, "csv")
    assert cases.get_case_by_reference(session, SYSTEM, "UA-1").person.call_sign == "Сокіл"
    as_json = json.loads(transfer.export_text(session, SYSTEM, "json"))
    person = next(c["person"] for c in as_json["cases"] if c["reference"] == "UA-1")
    assert person["call_sign"] == "Сокіл"
    as_csv = transfer.export_text(session, SYSTEM, "csv")
    assert "call_sign" in as_csv.splitlines()[0] and ",Сокіл," in as_csv
    person["call_sign"] = "Грім"
    assert transfer.import_text(session, SYSTEM, json.dumps(as_json), "json").updated == 1
    assert cases.get_case_by_reference(session, SYSTEM, "UA-1").person.call_sign == "Грім"
    person["call_sign"] = "Г" * 101
    with pytest.raises(ValidationFailed) as error:
        transfer.import_text(session, SYSTEM, json.dumps(as_json), "json")
    assert error.value.field.endswith(".person.call_sign") and error.value.field.startswith("case UA-1: ")


def test_bad_json_record_is_named(session):
    with pytest.raises(ValidationFailed) as error:
        transfer.import_text(
            session,
            SYSTEM,
            json.dumps(
                [{"reference": "X", "last_name": "Лис", "first_name": "Ян", "last_seen_latitude": "north"}]
            ),
            "json",
        )
    assert error.value.field == "record 1: last_seen_latitude"


def test_family_cannot_import_and_exports_only_its_own_cases(session, factories):
    family = actor(factories.UserFactory(role=Role.FAMILY))
    with pytest.raises(Forbidden):
        transfer.import_text(session, family, CSV, "csv")
    transfer.import_text(session, SYSTEM, CSV, "csv")
    assert transfer.export_text(session, family, "csv").splitlines() == [",".join(transfer.FIELDS)]


def test_flat_json_records_are_still_read(session):
    flat = [{"reference": "UA-9", "last_name": "Лис", "first_name": "Ян", "official_status": "reported_dead"}]
    result = transfer.import_text(session, SYSTEM, json.dumps(flat), "json")
    assert result.created == 1
    assert cases.get_case_by_reference(session, SYSTEM, "UA-9").official_status is PersonStatus.REPORTED_DEAD
