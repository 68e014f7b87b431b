"""Reading case and list files: lenient about optional columns, strict (row and column named) about
what would corrupt a match."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kintrace.linkage.io import InputError, read_labels, read_records, records_from_frame, unreadable_summary

DATA = Path(__file__).parents[1] / "data" / "linkage"


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_the_hand_made_cases() -> None:
    cases = read_records(DATA / "cases.csv")
    assert list(cases["record_id"]) == [f"C{i}" for i in range(1, 8)]
    c1 = cases.iloc[0]
    assert (c1["last_name"], c1["unit"]) == ("Щербаков", "в/ч 12345")
    assert (c1["birth_year"], c1["birth_month"], c1["birth_day"]) == (1990, 5, 12)
    c4 = cases.iloc[3]  # a year alone
    assert c4["birth_year"] == 1992 and c4["birth_month"] is pd.NA and c4["birth_day"] is pd.NA
    assert "reported_by" not in cases.columns  # other columns are ignored


def test_optional_columns_may_be_missing_or_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "Record_ID,last_name\nA,Иванов\nB,\n")
    frame = read_records(path)
    assert list(frame["record_id"]) == ["A", "B"]
    assert list(frame["first_name"]) == ["", ""]
    assert frame["birth_year"].isna().all()


def test_byte_order_mark_and_blank_lines_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffrecord_id,last_name\n\nA,Петров\n", encoding="utf-8")
    assert list(read_records(path)["record_id"]) == ["A"]


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        ("record_id,last_name\nA,Иванов\n,Петров\n", 3, "record_id", "missing record_id"),
        ("record_id,last_name\nA,Иванов\nB,Петров\nA,Сидоров\n", 4, "record_id", "first seen on row 2"),
        (
            "record_id,last_name,birth_date\nA,Ли,1990-05-12\nB,Ким,31.02.1990\n",
            3,
            "birth_date",
            "not a date",
        ),
        ("record_id,last_name,birth_date\nA,Ли,sometime\n", 2, "birth_date", "'sometime'"),
        ("last_name,first_name\nИванов,Иван\n", 1, "record_id", "no 'record_id' column"),
    ],
)
def test_malformed_input_names_row_and_column(
    tmp_path: Path, text: str, row: int, column: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_records(path, strict=True)
    assert (caught.value.row, caught.value.column) == (row, column)
    assert words in str(caught.value)
    assert f"row {row}" in str(caught.value) and str(path) in str(caught.value)


def test_unreadable_dates_are_unknown_kept_as_written_and_counted(tmp_path: Path) -> None:
    text = "record_id,last_name,birth_date\nA,Иванов,1990-05-12\nB,Петров,1856-86-18\nC,Сидоров,31.02.1990\n"
    text += "D,Орлов,1849\nE,Волков,1850\n"
    frame = read_records(write(tmp_path, text))
    assert list(frame["record_id"]) == ["A", "B", "C", "D", "E"]
    assert list(frame["birth_date"]) == ["1990-05-12", "1856-86-18", "31.02.1990", "1849", "1850"]
    assert frame["birth_year"].isna().tolist() == [False, True, True, True, False]
    assert frame.attrs["unreadable"] == {"birth_date": [(3, "1856-86-18"), (4, "31.02.1990"), (5, "1849")]}
    summary = unreadable_summary(frame, "list.csv")
    assert summary is not None and "3 birth_date cell(s)" in summary and "row 3 '1856-86-18'" in summary
    assert unreadable_summary(read_records(DATA / "cases.csv"), "cases.csv") is None
    # The same for a frame built in memory.
    in_memory = records_from_frame(
        pd.DataFrame(
            {
                "record_id": ["A", "B", "C"],
                "last_name": ["X", "Y", "Z"],
                "birth_date": ["1990", "1700", "1700"],
            }
        )
    )
    assert in_memory.attrs["unreadable"] == {"birth_date": [(3, "1700"), (4, "1700")]}
    with pytest.raises(InputError, match="row 3"):
        records_from_frame(
            pd.DataFrame({"record_id": ["A", "B"], "last_name": ["X", "Y"], "birth_date": ["1990", "1700"]}),
            strict=True,
        )


def test_misnamed_name_columns_are_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_records(write(tmp_path, "record_id,surname,name,birth_date\nA,Иванов,Иван,1990\n"))
    message = str(caught.value)
    assert "last_name, first_name, patronymic" in message and "surname" in message and "\n" not in message
    with pytest.raises(InputError, match="none of the name columns"):
        records_from_frame(pd.DataFrame({"record_id": ["A"], "surname": ["Иванов"]}))


def test_header_only_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_records(write(tmp_path, "record_id,last_name,first_name\n"))
    assert "no records" in str(caught.value) and "\n" not in str(caught.value)


def test_bad_encoding_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "record_id,last_name\nA,Petrov\nB,Иванов\n", encoding="cp1251")
    with pytest.raises(InputError) as caught:
        read_records(path)
    assert caught.value.row == 3
    assert "UTF-8" in str(caught.value)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty file"):
        read_records(write(tmp_path, ""))
    with pytest.raises(InputError, match="file not found"):
        read_records(tmp_path / "nope.csv")


def test_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "case_id,record_id,is_match\nC1,L01,1\nC3,L03,no\nC2,L02,TRUE\n")
    labels = read_labels(path)
    assert list(labels["is_match"]) == [True, False, True]
    with pytest.raises(InputError) as caught:
        read_labels(write(tmp_path, "case_id,record_id,is_match\nC1,L01,maybe\n", "bad.csv"))
    assert (caught.value.row, caught.value.column) == (2, "is_match")


def test_the_registry_exports_reference_is_read_as_the_record_id(tmp_path: Path) -> None:
    path = write(tmp_path, "reference,last_name,first_name\nUA-1,Иванов,Иван\nUA-2,Петров,Пётр\n")
    assert list(read_records(path)["record_id"]) == ["UA-1", "UA-2"]
    frame = pd.DataFrame({"reference": ["UA-1"], "last_name": ["Иванов"]})
    assert list(records_from_frame(frame)["record_id"]) == ["UA-1"]
    # A file with both keeps its record_id; `reference` is then an ordinary column.
    both = write(tmp_path, "record_id,reference,last_name\nR1,UA-1,Иванов\n", "both.csv")
    assert list(read_records(both)["record_id"]) == ["R1"]
