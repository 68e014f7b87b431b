"""Importing published lists: three formats, headers guessed in three languages, dates as lists write
them, errors that name the row and the column, nothing half-written, and the same file only once."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.services.helpers import actor

from kintrace.domain.dates import PartialDate, PartialDateError
from kintrace.domain.lists import ListKind
from kintrace.domain.vocabulary import Claim, Reliability, Role
from kintrace.services import list_import
from kintrace.services.access import Actor
from kintrace.services.attachments import blob_path
from kintrace.services.errors import Forbidden, ValidationFailed
from kintrace.services.list_fields import guess_mapping, parse_list_date, split_full_name
from kintrace.services.list_import import ListRowError, Publisher, fingerprint, import_list
from kintrace.services.list_readers import read_table
from kintrace.store.models import AuditEntry, ListEntry, ListEntryKey, PublishedList, Source

UK_CSV = (
    "№;Прізвище;Ім'я;По батькові;Дата народження;В/ч;Звання\n"
    "1;Мельник;Іван;Петрович;05.03.1985;А1234;солдат\n"
    "2;Бондар;Олег;;1990 р.н.;;\n"
    "3;Кравчук;Ольга;Миколаївна;03.1979;;\n"
)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PFIF = b"""<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>example.org/p1</pfif:person_record_id>
    <pfif:full_name>Melnyk Ivan Petrovych</pfif:full_name>
    <pfif:date_of_birth>1985-03-05</pfif:date_of_birth>
    <pfif:note><pfif:text>seen in Olenivka</pfif:text></pfif:note>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>example.org/p2</pfif:person_record_id>
    <pfif:given_name>Oleh</pfif:given_name>
    <pfif:family_name>Bondar</pfif:family_name>
    <pfif:date_of_birth>1990</pfif:date_of_birth>
  </pfif:person>
</pfif:pfif>
"""


@pytest.fixture(autouse=True)
def _attachments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))


@pytest.fixture
def caseworker(factories: object) -> Actor:
    return actor(factories.UserFactory(role=Role.CASEWORKER))  # type: ignore[attr-defined]


def _import(session: Session, who: Actor, data: bytes, filename: str = "list.csv", **extra: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {
        "title": "Prisoners, November",
        "publisher": Publisher("Coordination HQ", Reliability.B),
        "published_on": "20.11.2026",
        "kind": ListKind.PRISONERS,
    }
    options.update(extra)
    return import_list(session, who, data, filename, **options)  # type: ignore[arg-type]


# --- readers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_csv_is_read_with_any_delimiter_and_encoding(delimiter: str, encoding: str) -> None:
    text = f"Прізвище{delimiter}Ім'я\nМельник{delimiter}Іван\n\nБондар{delimiter}Олег\n"
    table = read_table(text.encode(encoding))
    assert table.format == "csv"
    assert table.headers == ["Прізвище", "Ім'я"]
    # The header is row 1; the empty line 3 is skipped and keeps its number.
    assert table.rows == [(2, ["Мельник", "Іван"]), (4, ["Бондар", "Олег"])]


def test_xlsx_cells_come_back_as_text_with_dates_as_iso() -> None:
    data = xlsx_bytes([["Фамилия", "Дата рождения", "Год"], ["Мельник", dt.datetime(1985, 3, 5), 1985]])
    table = read_table(data, "list.xlsx")
    assert (table.format, table.headers) == ("xlsx", ["Фамилия", "Дата рождения", "Год"])
    assert table.rows == [(2, ["Мельник", "1985-03-05", "1985"])]


def test_pfif_person_records_become_rows_without_their_notes() -> None:
    table = read_table(PFIF, "persons.xml")
    assert table.format == "pfif"
    assert table.headers == ["person_record_id", "full_name", "date_of_birth", "given_name", "family_name"]
    assert table.rows[1] == (3, ["example.org/p2", "", "1990", "Oleh", "Bondar"])


def test_xml_with_entities_is_refused_not_expanded() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE pfif [<!ENTITY a "aaaa">]><pfif>&a;</pfif>'
    with pytest.raises(ValidationFailed, match="not readable PFIF"):
        read_table(bomb, "bomb.xml")


def test_a_row_longer_than_the_header_is_named() -> None:
    with pytest.raises(ValidationFailed, match="row 3"):
        read_table(b"a,b\n1,2\n1,2,3\n")


# --- mapping, dates, names -------------------------------------------------------------------------


def test_headers_are_recognised_in_ukrainian_russian_and_english() -> None:
    assert guess_mapping(["№", "ПРІЗВИЩЕ", "Ім’я", "По батькові", "Дата народження", "В/ч", "Звання"]) == {
        "ПРІЗВИЩЕ": "last_name",
        "Ім’я": "first_name",
        "По батькові": "patronymic",
        "Дата народження": "birth_date",
        "В/ч": "unit",
        "Звання": "rank",
    }
    assert guess_mapping(["ФИО", "Дата рождения", "Воинская часть", "Звание", "Дата обмена"]) == {
        "ФИО": "full_name",
        "Дата рождения": "birth_date",
        "Воинская часть": "unit",
        "Звание": "rank",
        "Дата обмена": "event_date",
    }
    assert guess_mapping(["Surname", "First name", "Date of birth", "р.н."]) == {
        "Surname": "last_name",
        "First name": "first_name",
        "Date of birth": "birth_date",  # the first birth column wins; "р.н." stays raw
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05.03.1985", PartialDate(1985, 3, 5)),
        ("5.3.1985", PartialDate(1985, 3, 5)),
        ("1985", PartialDate(1985)),
        ("1985 р.н.", PartialDate(1985)),
        ("1985 г.р.", PartialDate(1985)),
        ("03.1985", PartialDate(1985, 3)),
        ("1985-03-05", PartialDate(1985, 3, 5)),
        ("1985-03-05 00:00:00", PartialDate(1985, 3, 5)),
        ("  ", None),
    ],
)
def test_dates_as_lists_write_them(text: str, expected: PartialDate | None) -> None:
    assert parse_list_date(text) == expected


@pytest.mark.parametrize("text", ["31.02.1985", "весна 1985", "85", "1985/13"])
def test_unreadable_dates_raise(text: str) -> None:
    with pytest.raises(PartialDateError):
        parse_list_date(text)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Шевченко Андрій Петрович", ("Шевченко", "Андрій", "Петрович")),
        ("Андрій Петрович Шевченко", ("Шевченко", "Андрій", "Петрович")),
        ("Сидоренко-Коваль Іван Петрович", ("Сидоренко-Коваль", "Іван", "Петрович")),
        ("Melnyk Ivan", ("Melnyk", "Ivan", None)),
        ("Кравчук О. П.", ("Кравчук", "О.", "П.")),
    ],
)
def test_a_whole_name_is_split_into_its_parts(text: str, parts: tuple[str | None, ...]) -> None:
    assert split_full_name(text) == parts


# --- import ----------------------------------------------------------------------------------------


def test_a_ukrainian_csv_list_is_imported_with_every_column_kept(session: Session, caseworker: Actor) -> None:
    data = UK_CSV.encode("utf-8-sig")
    result = _import(session, caseworker, data)
    assert result.created and result.entries == 3
    stored = session.get(PublishedList, result.list_id)
    assert stored is not None
    assert (stored.kind, stored.claim, stored.published_on) == (
        ListKind.PRISONERS,
        Claim.CAPTURED,
        PartialDate(2026, 11, 20),
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert blob_path(stored.sha256).read_bytes() == data
    assert stored.script == "Cyrl"  # every surname in Cyrillic letters
    assert stored.publisher.name == "Coordination HQ" and stored.publisher.reliability is Reliability.B
    entries = session.scalars(
        select(ListEntry).where(ListEntry.list_id == stored.id).order_by(ListEntry.row_number)
    )
    first, second, third = entries
    assert (first.row_number, first.last_name, first.first_name, first.patronymic) == (
        2,
        "Мельник",
        "Іван",
        "Петрович",
    )
    assert (first.birth_date, first.unit, first.rank) == (PartialDate(1985, 3, 5), "А1234", "солдат")
    assert first.raw == {
        "№": "1",
        "Прізвище": "Мельник",
        "Ім'я": "Іван",
        "По батькові": "Петрович",
        "Дата народження": "05.03.1985",
        "В/ч": "А1234",
        "Звання": "солдат",
    }
    assert (second.birth_date, second.patronymic) == (PartialDate(1990), None)
    assert third.birth_date == PartialDate.parse("1979-03")
    keys = set(session.scalars(select(ListEntryKey.key).where(ListEntryKey.entry_id == first.id)))
    assert {"i:i", "i:p"} <= keys and any(key.startswith("b:") for key in keys)
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "list.import"))
    assert audit is not None and audit.entity_id == str(stored.id)


def test_the_same_file_twice_adds_nothing(session: Session, caseworker: Actor) -> None:
    first = _import(session, caseworker, UK_CSV.encode())
    again = _import(session, caseworker, UK_CSV.encode(), title="Another title")
    assert not again.created and again.list_id == first.list_id and again.entries == 3
    assert session.scalar(select(func.count()).select_from(PublishedList)) == 1
    assert session.scalar(select(func.count()).select_from(ListEntry)) == 3


def test_a_respelled_man_has_the_same_fingerprint() -> None:
    assert fingerprint("Мельник", "Іван", None, "1985") == fingerprint("Melnyk", "Ivan", None, "1985")
    assert fingerprint("Мельник", "Іван", None, "1985") != fingerprint("Мельник", "Іван", None, "1986")


@pytest.mark.parametrize(
    ("line", "row", "column", "problem"),
    [
        ("4;Шевчук;Тарас;;весною 1980;;", 5, "Дата народження", "date"),
        ("4;;Тарас;;1980;;", 5, "Прізвище", "surname"),
        ("4;Шевчук;Тарас;;1780;;", 5, "Дата народження", "date"),
    ],
)
def test_a_bad_row_names_row_and_column_and_nothing_is_written(
    session: Session, caseworker: Actor, line: str, row: int, column: str, problem: str
) -> None:
    sources_before = session.scalar(select(func.count()).select_from(Source))
    with pytest.raises(ListRowError) as caught:
        _import(session, caseworker, (UK_CSV + line + "\n").encode())
    assert (caught.value.row, caught.value.column, caught.value.problem) == (row, column, problem)
    assert f"row {row}: {column}" in str(caught.value)
    assert session.scalar(select(func.count()).select_from(PublishedList)) == 0
    assert session.scalar(select(func.count()).select_from(ListEntry)) == 0
    assert session.scalar(select(func.count()).select_from(Source)) == sources_before


def test_an_xlsx_list_with_russian_headers_and_a_whole_name_column(
    session: Session, caseworker: Actor
) -> None:
    data = xlsx_bytes(
        [
            ["ФИО", "Дата рождения", "Воинская часть", "Дата обмена"],
            ["Мельник Иван Петрович", "1985 г.р.", "А1234", dt.datetime(2026, 10, 2)],
            ["Олег Сергеевич Бондарь", dt.datetime(1990, 1, 2), None, None],
        ]
    )
    result = _import(session, caseworker, data, "exchange.xlsx", kind=ListKind.EXCHANGED, language="ru")
    stored = session.get(PublishedList, result.list_id)
    assert stored is not None and stored.claim is Claim.RELEASED and stored.media_type.endswith("sheet")
    entries = list(
        session.scalars(select(ListEntry).where(ListEntry.list_id == stored.id).order_by(ListEntry.id))
    )
    assert [(e.last_name, e.first_name, e.patronymic, e.birth_date) for e in entries] == [
        ("Мельник", "Иван", "Петрович", PartialDate(1985)),
        ("Бондарь", "Олег", "Сергеевич", PartialDate(1990, 1, 2)),
    ]
    assert entries[0].event_date == PartialDate.parse("2026-10-02") and entries[0].unit == "А1234"


def test_a_pfif_list_with_an_explicit_mapping_and_claim(session: Session, caseworker: Actor) -> None:
    mapping = {
        "full_name": "full_name",
        "given_name": "first_name",
        "family_name": "last_name",
        "date_of_birth": "birth_date",
    }
    result = _import(
        session,
        caseworker,
        PFIF,
        "persons.xml",
        kind=ListKind.WANTED,
        claim=Claim.CAPTURED,
        column_map=mapping,
    )
    stored = session.get(PublishedList, result.list_id)
    assert stored is not None and stored.claim is Claim.CAPTURED and stored.media_type == "application/xml"
    assert stored.script == "Latn"
    names = session.execute(
        select(ListEntry.row_number, ListEntry.last_name, ListEntry.first_name).where(
            ListEntry.list_id == stored.id
        )
    ).all()
    assert sorted(names) == [(2, "Melnyk", "Ivan"), (3, "Bondar", "Oleh")]


def test_a_mapping_must_name_real_columns_and_a_surname(session: Session, caseworker: Actor) -> None:
    with pytest.raises(ValidationFailed, match="no column 'Surname'"):
        _import(session, caseworker, UK_CSV.encode(), column_map={"Surname": "last_name"})
    with pytest.raises(ValidationFailed, match="surname"):
        _import(session, caseworker, UK_CSV.encode(), column_map={"Ім'я": "first_name"})


def test_kind_claim_and_language_are_checked(session: Session, caseworker: Actor) -> None:
    with pytest.raises(ValidationFailed, match=r"^kind: 'captives' is not one of prisoners"):
        _import(session, caseworker, UK_CSV.encode(), kind="captives", claim=Claim.CAPTURED)
    with pytest.raises(ValidationFailed, match=r"^claim: 'maybe'"):
        _import(session, caseworker, UK_CSV.encode(), claim="maybe")
    with pytest.raises(ValidationFailed, match=r"^language:"):
        _import(session, caseworker, UK_CSV.encode(), language="ukrainian-language")


def test_an_existing_publisher_is_cited_by_id(session: Session, caseworker: Actor, factories: object) -> None:
    source = factories.SourceFactory(name="ICRC", reliability=Reliability.A)  # type: ignore[attr-defined]
    result = _import(session, caseworker, UK_CSV.encode(), publisher=source.id)
    stored = session.get(PublishedList, result.list_id)
    assert stored is not None and stored.publisher_id == source.id
    with pytest.raises(ValidationFailed, match="publisher"):
        _import(session, caseworker, "Прізвище\nШевчук\n".encode(), publisher=999_999)


def test_only_writers_import_and_families_read_no_lists(session: Session, factories: object) -> None:
    make = factories.UserFactory  # type: ignore[attr-defined]
    analyst, family = actor(make(role=Role.ANALYST)), actor(make(role=Role.FAMILY))
    writer = actor(make(role=Role.ADMIN))
    with pytest.raises(Forbidden):
        _import(session, analyst, UK_CSV.encode())
    result = _import(session, writer, UK_CSV.encode())
    assert [found.id for found in list_import.list_lists(session, analyst)] == [result.list_id]
    with pytest.raises(Forbidden):
        list_import.list_lists(session, family)
    with pytest.raises(Forbidden):
        list_import.list_entries(session, family, result.list_id)


def test_summary_and_pages_of_entries(session: Session, caseworker: Actor) -> None:
    result = _import(session, caseworker, UK_CSV.encode())
    summary = list_import.list_summary(session, caseworker, result.list_id)
    assert (summary.entries, summary.with_birth_date, summary.pairs_pending) == (3, 3, 0)
    page = list_import.list_entries(session, caseworker, result.list_id, page=2, per_page=2)
    assert (page.total, page.pages, [e.row_number for e in page.entries]) == (3, 2, [4])


def test_ten_thousand_rows_import_in_bulk(session: Session, caseworker: Actor) -> None:
    lines = ["Прізвище,Ім'я,Дата народження"] + [f"Прізвище{i},Іван,{1950 + i % 50}" for i in range(10_000)]
    started = dt.datetime.now()
    result = _import(session, caseworker, "\n".join(lines).encode())
    assert result.entries == 10_000
    assert session.scalar(select(func.count()).select_from(ListEntry)) == 10_000
    assert (dt.datetime.now() - started).total_seconds() < 30
