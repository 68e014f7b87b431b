"""Reading case and list files: lenient about optional columns, strict (row and column named) about
what would corrupt a match."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kintrace.linkage.io import InputError, read_labels, read_records

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
        ("record_id,birth_date\nA,1990-05-12\nB,31.02.1990\n", 3, "birth_date", "not a date"),
        ("record_id,birth_date\nA,sometime\n", 2, "birth_date", "'sometime'"),
        ("last_name,first_name\nИванов,Иван\n", 1, "record_id", "no 'record_id' column"),
    ],
)
def test_malformed_input_names_row_and_column(
    tmp_path: Path, text: str, row: int, column: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_records(path)
    assert (caught.value.row, caught.value.column) == (row, column)
    assert words in str(caught.value)
    assert f"row {row}" in str(caught.value) and str(path) in str(caught.value)


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
