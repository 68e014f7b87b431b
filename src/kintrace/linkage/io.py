"""Reading case and list files: `record_id,last_name,first_name,patronymic,birth_date,unit`.

Lists arrive as spreadsheets exported by hand, so the reader is strict about what would silently
corrupt a match (a missing or repeated record_id, a birth date that is not a date, bytes that are not
UTF-8) and lenient about the rest (other columns are ignored, optional columns may be absent or empty).
Every error names the file, the row (as a spreadsheet shows it: the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from kintrace.linkage.fields import parse_partial_date

ID_COLUMN = "record_id"
OPTIONAL_COLUMNS = ("last_name", "first_name", "patronymic", "birth_date", "unit")
COLUMNS = (ID_COLUMN, *OPTIONAL_COLUMNS)


class InputError(ValueError):
    """A malformed input file; the message names the file, row and column."""

    def __init__(self, path: str, row: int | None, column: str | None, problem: str) -> None:
        where = f"{path}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.row = row
        self.column = column
        self.problem = problem


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise InputError(
            str(path), row, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from exc


def read_records(path: str | Path) -> pd.DataFrame:
    """Read a case or list file into a frame with the six columns (strings, "" when absent) plus
    `birth_year`, `birth_month`, `birth_day` (nullable Int64) parsed from `birth_date`."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), None, None, "file not found")
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(str(path), 1, None, "empty file: expected a header row with record_id") from None
    names = [h.strip().lower() for h in header]
    if ID_COLUMN not in names:
        raise InputError(str(path), 1, ID_COLUMN, f"no {ID_COLUMN!r} column in the header {header}")
    index = {name: names.index(name) for name in COLUMNS if name in names}

    columns: dict[str, list[str]] = {name: [] for name in COLUMNS}
    years: list[int | None] = []
    months: list[int | None] = []
    days: list[int | None] = []
    seen: dict[str, int] = {}
    for values in reader:
        row = reader.line_num
        if not any(v.strip() for v in values):
            continue
        record = {name: (values[i].strip() if i < len(values) else "") for name, i in index.items()}
        record_id = record.get(ID_COLUMN, "")
        if not record_id:
            raise InputError(str(path), row, ID_COLUMN, "missing record_id")
        if record_id in seen:
            raise InputError(
                str(path),
                row,
                ID_COLUMN,
                f"duplicate record_id {record_id!r} (first seen on row {seen[record_id]})",
            )
        seen[record_id] = row
        raw_date = record.get("birth_date", "")
        parsed = None
        if raw_date:
            try:
                parsed = parse_partial_date(raw_date)
            except ValueError as exc:
                raise InputError(str(path), row, "birth_date", f"not a date: {raw_date!r} ({exc})") from None
        year, month, day = parsed if parsed is not None else (None, None, None)
        years.append(year)
        months.append(month)
        days.append(day)
        for name in COLUMNS:
            columns[name].append(record.get(name, ""))

    frame = pd.DataFrame(columns, dtype=object)
    frame["birth_year"] = pd.array(years, dtype="Int64")
    frame["birth_month"] = pd.array(months, dtype="Int64")
    frame["birth_day"] = pd.array(days, dtype="Int64")
    return frame


def records_from_frame(frame: pd.DataFrame, source: str = "<frame>") -> pd.DataFrame:
    """The same validation as `read_records` for a frame built in memory (benchmarks, the app)."""
    if ID_COLUMN not in frame.columns:
        raise InputError(source, None, ID_COLUMN, "no record_id column")
    out = pd.DataFrame({name: _text_column(frame, name) for name in COLUMNS}, dtype=object)
    ids = out[ID_COLUMN]
    empty = ids == ""
    if empty.any():
        raise InputError(source, int(empty.to_numpy().argmax()) + 2, ID_COLUMN, "missing record_id")
    duplicated = ids.duplicated()
    if duplicated.any():
        at = int(duplicated.to_numpy().argmax())
        raise InputError(source, at + 2, ID_COLUMN, f"duplicate record_id {ids.iloc[at]!r}")
    parsed = {}
    for raw in out["birth_date"].unique():
        if raw:
            try:
                parsed[raw] = parse_partial_date(raw)
            except ValueError as exc:
                at = int((out["birth_date"] == raw).to_numpy().argmax())
                raise InputError(source, at + 2, "birth_date", f"not a date: {raw!r} ({exc})") from None
    parts = out["birth_date"].map(lambda raw: parsed.get(raw) or (None, None, None))
    for i, name in enumerate(("birth_year", "birth_month", "birth_day")):
        out[name] = pd.array([p[i] for p in parts], dtype="Int64")
    return out


def _text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str).str.strip()


LABEL_COLUMNS = ("case_id", "record_id", "is_match")
_TRUE = {"1", "true", "yes", "y", "match"}
_FALSE = {"0", "false", "no", "n", "non-match", "nonmatch"}


def read_labels(path: str | Path) -> pd.DataFrame:
    """Pairs reviewers decided: `case_id,record_id,is_match` (1/0, true/false, yes/no)."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), None, None, "file not found")
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    for column in LABEL_COLUMNS:
        if column not in header:
            raise InputError(str(path), 1, column, f"no {column!r} column in the header")
    at = {c: header.index(c) for c in LABEL_COLUMNS}
    rows: list[tuple[str, str, bool]] = []
    for values in reader:
        row = reader.line_num
        if not any(v.strip() for v in values):
            continue
        got = {c: (values[i].strip() if i < len(values) else "") for c, i in at.items()}
        for column in ("case_id", "record_id"):
            if not got[column]:
                raise InputError(str(path), row, column, f"missing {column}")
        verdict = got["is_match"].lower()
        if verdict not in _TRUE | _FALSE:
            raise InputError(
                str(path), row, "is_match", f"expected 1/0, true/false or yes/no, not {got['is_match']!r}"
            )
        rows.append((got["case_id"], got["record_id"], verdict in _TRUE))
    return pd.DataFrame(rows, columns=list(LABEL_COLUMNS))
