"""Reading a published list's file into headers and numbered rows: CSV, XLSX and PFIF 1.4 XML.

Lists arrive as they were published: CSV with a comma, a semicolon or a tab, in UTF-8 (with or
without a byte-order mark) or in Windows-1251; spreadsheets; PFIF person records. Every reader gives
the same shape: the header row and each data row with its number as in the file (the header is row 1,
so the first person is row 2, as a spreadsheet shows it; in PFIF, the n-th <person> is row n + 1).
Rows that are entirely empty are skipped but keep their numbers counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from kintrace.services.errors import ValidationFailed

CSV, XLSX, PFIF = "csv", "xlsx", "pfif"
MEDIA_TYPES = {
    CSV: "text/csv",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PFIF: "application/xml",
}
PFIF_NAMESPACE = "http://zesty.ca/pfif/1.4"
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Table:
    """A list as read: its format, the headers, and (row number, cells) per data row."""

    format: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def detect_format(data: bytes, filename: str = "") -> str:
    """XLSX by its ZIP signature, PFIF by a leading XML declaration or element, CSV otherwise."""
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or filename.lower().endswith(".xml"):
        return PFIF
    return CSV


def read_table(data: bytes, filename: str = "") -> Table:
    """Read any supported list file; ValidationFailed naming the file's problem otherwise."""
    if not data:
        raise ValidationFailed("file", "is empty")
    kind = detect_format(data, filename)
    if kind == XLSX:
        return read_xlsx(data)
    if kind == PFIF:
        return read_pfif(data)
    return read_csv(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (a byte-order mark dropped), else Windows-1251: the two encodings lists come in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="strict")


def _delimiter(header_line: str) -> str:
    # The header names the columns: whichever separator splits it most is the file's.
    return max(_DELIMITERS, key=header_line.count)


def _clean(value: Any) -> str:
    """A cell as text: dates as ISO, whole numbers without ".0", surrounding spaces dropped."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _headers(cells: list[str]) -> list[str]:
    """Header names, blank ones named by position and repeats numbered, so every column is kept."""
    headers: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = cell.strip() or f"column {index}"
        base, n = name, 2
        while name in headers:
            name, n = f"{base} ({n})", n + 1
        headers.append(name)
    return headers


def _table(kind: str, records: list[list[str]]) -> Table:
    if not records:
        raise ValidationFailed("file", "has no header row")
    header = list(records[0])
    while header and not header[-1]:
        header.pop()  # a spreadsheet's or a trailing separator's empty columns
    if not header:
        raise ValidationFailed("row 1", "must hold the column headers")
    headers = _headers(header)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(cells):
            continue
        cells = cells + [""] * (len(headers) - len(cells))
        if len(cells) > len(headers):
            extra = cells[len(headers) :]
            if any(extra):
                raise ValidationFailed(
                    f"row {number}", f"has {len(cells)} cells but the header names {len(headers)} columns"
                )
            cells = cells[: len(headers)]
        rows.append((number, cells))
    return Table(kind, headers, rows)


def read_csv(data: bytes) -> Table:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        records = [[cell.strip() for cell in record] for record in reader]
    except csv.Error as error:
        raise ValidationFailed(f"row {reader.line_num}", f"is not readable CSV: {error}") from None
    return _table(CSV, records)


def read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook (values, not formulas)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ValidationFailed("file", f"is not a readable XLSX workbook: {error}") from None
    try:
        sheet = workbook.worksheets[0]
        records = [[_clean(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(XLSX, records)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_pfif(data: bytes) -> Table:
    """PFIF 1.4 person records: each child element of <person> (but its notes) is a column.

    Parsed with defusedxml: a document with a DTD or entities is refused, not expanded."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise ValidationFailed("file", f"is not readable PFIF XML: {error}") from None
    if _local(root.tag) != "pfif":
        raise ValidationFailed("file", f"is XML but not PFIF (its root is <{_local(root.tag)}>)")
    persons = [child for child in root if _local(child.tag) == "person"]
    headers: list[str] = []
    values: list[dict[str, str]] = []
    for person in persons:
        record: dict[str, str] = {}
        for field in person:
            name = _local(field.tag)
            if name == "note" or len(field):
                continue  # notes are records of their own, not columns of the person
            if name not in headers:
                headers.append(name)
            record[name] = (field.text or "").strip()
        values.append(record)
    if not headers:
        raise ValidationFailed("file", "holds no PFIF person records")
    records = [headers] + [[record.get(name, "") for name in headers] for record in values]
    # An empty <person/> still counts as a row so that later persons keep their numbers.
    return Table(PFIF, headers, [(n, cells) for n, cells in enumerate(records[1:], start=2)])
