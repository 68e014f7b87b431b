"""Reading case and list files: `record_id,last_name,first_name,patronymic,birth_date,unit`.

Lists arrive as spreadsheets exported by hand, so the reader is strict about what would silently
corrupt a match (a missing or repeated record_id, no name column at all, no rows, bytes that are not
UTF-8) and lenient about the rest (other columns are ignored, optional columns may be absent or empty).
A birth date that cannot be read on one row (`1856-86-18`, `31.02.1990`, a year before 1850) does not
stop a million-row run: the row's date is unknown, the cell is kept as written, and such cells are
counted per column (`unreadable`); `strict=True` stops at the first instead. Every error names the
file, the row (as a spreadsheet shows it: the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kintrace.linkage.extras import RECOGNISED
from kintrace.linkage.fields import parse_partial_date

ID_COLUMN = "record_id"
# The registry's own case export (`kintrace cases export --format csv`) keys its rows by `reference`;
# a file without `record_id` is read with that column as the id, so the export links without editing.
ID_ALIASES = ("reference",)
NAME_COLUMNS = ("last_name", "first_name", "patronymic")
OPTIONAL_COLUMNS = (*NAME_COLUMNS, "birth_date", "unit")
COLUMNS = (ID_COLUMN, *OPTIONAL_COLUMNS)

# frame.attrs key: column -> [(row, text as written), ...] of the cells that could not be read.
UNREADABLE = "unreadable"


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


def _with_id_alias(names: list[str]) -> list[str]:
    """The header with the first id alias renamed to record_id when record_id itself is absent."""
    if ID_COLUMN in names:
        return names
    for alias in ID_ALIASES:
        if alias in names:
            return [ID_COLUMN if name == alias else name for name in names]
    return names


def _check_name_columns(path: str, names: list[str], header: list[str]) -> None:
    # Without any name column nothing can match: a file whose columns are called "surname" and "name"
    # would otherwise run and report no links.
    if not any(name in names for name in NAME_COLUMNS):
        raise InputError(
            path,
            1,
            None,
            f"none of the name columns {', '.join(NAME_COLUMNS)} is in the header {header}; "
            f"rename the columns (expected {','.join(COLUMNS)})",
        )


def _date_or_unknown(
    path: str, row: int, raw: str, strict: bool, unreadable: list[tuple[int, str]]
) -> tuple[int | None, int | None, int | None]:
    if not raw:
        return (None, None, None)
    try:
        parsed = parse_partial_date(raw)
    except ValueError as exc:
        if strict:
            raise InputError(path, row, "birth_date", f"not a date: {raw!r} ({exc})") from None
        unreadable.append((row, raw))
        return (None, None, None)
    return parsed if parsed is not None else (None, None, None)


def unreadable_summary(frame: pd.DataFrame, source: str) -> str | None:
    """One line per column with unreadable cells, naming the first rows; None when there are none."""
    found: dict[str, list[tuple[int, str]]] = frame.attrs.get(UNREADABLE, {})
    lines = []
    for column, cells in found.items():
        if not cells:
            continue
        shown = ", ".join(f"row {row} {text!r}" for row, text in cells[:3])
        more = f" and {len(cells) - 3} more" if len(cells) > 3 else ""
        lines.append(
            f"{source}: {len(cells)} {column} cell(s) could not be read ({shown}{more}); "
            "treated as unknown and kept as written (--strict to stop instead)"
        )
    return "\n".join(lines) or None


def _wanted(names: Sequence[str], extra_columns: Sequence[str]) -> tuple[str, ...]:
    """The identifying columns beyond the six to read: the recognised ones present, and those asked for."""
    recognised = [c for c in RECOGNISED if c in names]
    return tuple(dict.fromkeys([*recognised, *(c for c in extra_columns if c in names)]))


def read_records(path: str | Path, strict: bool = False, extra_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read a case or list file into a frame with the six columns (strings, "" when absent) plus
    `birth_year`, `birth_month`, `birth_day` (nullable Int64) parsed from `birth_date`.

    A birth date that cannot be read leaves the row's date unknown and is listed in
    `frame.attrs["unreadable"]["birth_date"]` as (row, text); with `strict` it raises instead. The
    recognised identifying columns (`extras.RECOGNISED`: service_number, place_of_birth, ...) and
    `extra_columns` are read too, where the file has them."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), None, None, "file not found")
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(str(path), 1, None, "empty file: expected a header row with record_id") from None
    names = _with_id_alias([h.strip().lower() for h in header])
    if ID_COLUMN not in names:
        raise InputError(str(path), 1, ID_COLUMN, f"no {ID_COLUMN!r} column in the header {header}")
    _check_name_columns(str(path), names, header)
    wanted = (*COLUMNS, *_wanted(names, extra_columns))
    index = {name: names.index(name) for name in wanted if name in names}
    unreadable: list[tuple[int, str]] = []

    columns: dict[str, list[str]] = {name: [] for name in wanted}
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
        year, month, day = _date_or_unknown(str(path), row, record.get("birth_date", ""), strict, unreadable)
        years.append(year)
        months.append(month)
        days.append(day)
        for name in wanted:
            columns[name].append(record.get(name, ""))

    if not seen:
        raise InputError(str(path), None, None, "no records: the file has a header and no rows")
    frame = pd.DataFrame(columns, dtype=object)
    frame["birth_year"] = pd.array(years, dtype="Int64")
    frame["birth_month"] = pd.array(months, dtype="Int64")
    frame["birth_day"] = pd.array(days, dtype="Int64")
    frame.attrs[UNREADABLE] = {"birth_date": unreadable}
    return frame


def records_from_frame(
    frame: pd.DataFrame, source: str = "<frame>", strict: bool = False, extra_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """The same validation as `read_records` for a frame built in memory (benchmarks, the app)."""
    aliased = _with_id_alias([str(c) for c in frame.columns])
    if aliased != [str(c) for c in frame.columns]:
        frame = frame.set_axis(aliased, axis=1)
    if ID_COLUMN not in frame.columns:
        raise InputError(source, None, ID_COLUMN, "no record_id column")
    _check_name_columns(source, [str(c) for c in frame.columns], [str(c) for c in frame.columns])
    if frame.empty:
        raise InputError(source, None, None, "no records")
    wanted = (*COLUMNS, *_wanted([str(c) for c in frame.columns], extra_columns))
    out = pd.DataFrame({name: _text_column(frame, name) for name in wanted}, dtype=object)
    ids = out[ID_COLUMN]
    empty = ids == ""
    if empty.any():
        raise InputError(source, int(empty.to_numpy().argmax()) + 2, ID_COLUMN, "missing record_id")
    duplicated = ids.duplicated()
    if duplicated.any():
        at = int(duplicated.to_numpy().argmax())
        raise InputError(source, at + 2, ID_COLUMN, f"duplicate record_id {ids.iloc[at]!r}")
    parsed: dict[str, tuple[int | None, int | None, int | None]] = {}
    unreadable: set[str] = set()
    # Each distinct text once, named by its first row (a million rows hold a few thousand dates).
    dates = out["birth_date"]
    for first in np.flatnonzero(~dates.duplicated().to_numpy()).tolist():
        raw = str(dates.iat[first])
        found: list[tuple[int, str]] = []
        parsed[raw] = _date_or_unknown(source, first + 2, raw, strict, found)
        if found:
            unreadable.add(raw)
    bad_rows = np.flatnonzero(dates.isin(unreadable).to_numpy()) if unreadable else np.array([], dtype=int)
    bad = [(int(r) + 2, str(dates.iat[r])) for r in bad_rows]
    parts = dates.map(parsed)
    for i, name in enumerate(("birth_year", "birth_month", "birth_day")):
        out[name] = pd.array([p[i] for p in parts], dtype="Int64")
    out.attrs[UNREADABLE] = {"birth_date": bad}
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
