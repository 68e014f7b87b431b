"""Importing a published list into the registry, and the staff's reads of the lists held.

One call reads the file (services/list_readers), maps its columns onto entry fields (given, or guessed
from the headers by services/list_fields), checks every row, and writes the list, its entries and their
cross-script name keys in the caller's transaction: a bad row (an unreadable date, no surname) raises
ListRowError naming the row and the column, and nothing is written. The same file (by SHA-256) imported
again adds nothing. Entries and keys go in as bulk inserts, so a list of 100,000 rows takes seconds.

Families never read lists: every read here is for caseworkers, analysts and admins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate, PartialDateError
from kintrace.domain.lists import CLAIM_OF_LIST_KIND, ENTRY_FIELDS, ListKind, PairDecision
from kintrace.domain.vocabulary import Claim, Credibility, Reliability, SourceKind
from kintrace.linkage.names.normalise import script_of
from kintrace.services import auditing
from kintrace.services.access import Actor, require_staff, require_writer
from kintrace.services.attachments import clean_filename, store_blob
from kintrace.services.errors import NotFound, ValidationFailed
from kintrace.services.list_fields import check_birth_date, guess_mapping, parse_list_date, split_full_name
from kintrace.services.list_readers import MEDIA_TYPES, Table, read_table
from kintrace.services.name_keys import name_keys, word_keys
from kintrace.services.sources import SourceInput, create_source
from kintrace.store.models import ListEntry, ListEntryKey, ListPair, PublishedList, Source

MAX_LIST_BYTES = 64 * 1024 * 1024
CHUNK = 5000  # rows per bulk insert
_DATE_FIELDS = ("birth_date", "event_date")
_LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "patronymic": 100,
    "birth_place": 200,
    "unit": 64,
    "service_number": 64,
    "rank": 100,
    "sex": 16,
    "place": 300,
}


class ListRowError(ValidationFailed):
    """A row that cannot be imported: `problem` is "date", "surname" or "too_long" (pages translate it)."""

    def __init__(self, row: int, column: str, problem: str, value: str = "", detail: str = "") -> None:
        messages = {
            "date": f"the date {value!r} cannot be read ({detail})",
            "surname": "no surname",
            "too_long": f"is longer than {detail} characters",
        }
        super().__init__(f"row {row}: {column}", messages[problem])
        self.row, self.column, self.problem, self.value = row, column, problem, value


@dataclass(frozen=True)
class ImportResult:
    list_id: int
    entries: int
    created: bool  # False: the same file was imported before, nothing was added
    column_map: dict[str, str]


@dataclass(frozen=True)
class Publisher:
    """A publisher not yet a source: its name and Admiralty reliability."""

    name: str
    reliability: Reliability = Reliability.F
    kind: SourceKind = SourceKind.OFFICIAL_BODY


def _publisher(session: Session, actor: Actor, publisher: int | str | Publisher) -> Source:
    if isinstance(publisher, int):
        source = session.get(Source, publisher)
        if source is None:
            raise ValidationFailed("publisher", f"source {publisher} not found")
        return source
    wanted = publisher if isinstance(publisher, Publisher) else Publisher(publisher)
    name = wanted.name.strip()
    if not name:
        raise ValidationFailed("publisher", "is empty")
    existing = session.scalar(select(Source).where(Source.name == name).order_by(Source.id).limit(1))
    if existing is not None:
        return existing  # the same publisher's next list
    return create_source(
        session,
        actor,
        SourceInput(
            wanted.kind, name, wanted.reliability, Credibility.CANNOT_BE_JUDGED, "publisher of lists"
        ),
    )


def checked_mapping(headers: list[str], column_map: Mapping[str, str] | None) -> dict[str, str]:
    """The mapping to use: given (checked against the headers and fields) or guessed."""
    mapping = guess_mapping(headers) if column_map is None else {k: v for k, v in column_map.items() if v}
    for header, field in mapping.items():
        if header not in headers:
            raise ValidationFailed("column_map", f"the file has no column {header!r}")
        if field not in ENTRY_FIELDS:
            raise ValidationFailed("column_map", f"{field!r} is not one of {', '.join(ENTRY_FIELDS)}")
    fields = list(mapping.values())
    for field in set(fields):
        if fields.count(field) > 1:
            raise ValidationFailed("column_map", f"two columns are mapped to {field}")
    if "last_name" not in fields and "full_name" not in fields:
        raise ValidationFailed("column_map", "no column holds the surname (last_name or full_name)")
    return mapping


def detected_script(rows: list[dict[str, Any]]) -> str | None:
    """Cyrl or Latn when every surname on the list is written in that script; None for a mixed list."""
    scripts = {script_of(row["last_name"]) for row in rows} - {"none"}
    return {frozenset({"cyrillic"}): "Cyrl", frozenset({"latin"}): "Latn"}.get(frozenset(scripts))


def fingerprint(
    last: str | None, first: str | None, patronymic: str | None, birth: PartialDate | None
) -> str:
    """The man as listed: the name's cross-script keys and the birth date (its ISO text), so a
    respelling matches."""
    parts = [" ".join(word_keys(part)) for part in (last, first, patronymic)] + [
        "" if birth is None else str(birth)
    ]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def entry_values(
    number: int, headers: list[str], cells: list[str], mapping: Mapping[str, str]
) -> dict[str, Any]:
    """One row as the entry's column values; ListRowError naming the row and the column."""
    columns = dict(zip(headers, cells, strict=True))
    column_of = {field: header for header, field in mapping.items()}
    values: dict[str, Any] = dict.fromkeys(ENTRY_FIELDS[1:])
    for field, header in column_of.items():
        text = " ".join(columns[header].split())
        if field == "full_name":
            continue
        values[field] = text or None
    if "full_name" in column_of:
        last, first, patronymic = split_full_name(columns[column_of["full_name"]])
        values["last_name"] = values["last_name"] or last
        values["first_name"] = values["first_name"] or first
        values["patronymic"] = values["patronymic"] or patronymic
    if not values["last_name"]:
        raise ListRowError(number, column_of.get("last_name") or column_of["full_name"], "surname")
    for field in _DATE_FIELDS:
        if values[field] is None:
            continue
        try:
            date = parse_list_date(values[field])
            if date is not None and field == "birth_date":
                check_birth_date(date)
        except PartialDateError as error:
            raise ListRowError(number, column_of[field], "date", values[field], str(error)) from None
        values[field] = date
    for field, limit in _LENGTHS.items():
        if values[field] and len(values[field]) > limit:
            header = column_of.get(field) or column_of.get("full_name", field)
            raise ListRowError(number, header, "too_long", values[field], str(limit))
    values["row_number"] = number
    values["raw"] = columns
    values["fingerprint"] = fingerprint(
        values["last_name"], values["first_name"], values["patronymic"], values["birth_date"]
    )
    return values


def import_list(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    title: str,
    publisher: int | str | Publisher,
    published_on: str | None,
    kind: ListKind | str,
    claim: Claim | str | None = None,
    language: str | None = None,
    script: str | None = None,
    column_map: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a list file (CSV, XLSX or PFIF) in the caller's transaction; see the module's docstring.

    `publisher` is a Source id, or a publisher's name (an existing source of that name, or a new one
    graded with the Publisher's reliability). `progress` is told how many rows were written."""
    require_writer(actor, "import lists")
    if len(data) > MAX_LIST_BYTES:
        raise ValidationFailed("file", f"is {len(data)} bytes; the limit is {MAX_LIST_BYTES}")
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(PublishedList).where(PublishedList.sha256 == digest))
    if existing is not None:
        return ImportResult(existing.id, existing.entry_count, False, dict(existing.column_map))
    title = " ".join(title.split())
    if not title:
        raise ValidationFailed("title", "is empty")
    try:
        list_kind = ListKind(kind)
    except ValueError:
        raise ValidationFailed("kind", f"{kind!r} is not one of {', '.join(ListKind)}") from None
    try:
        list_claim = CLAIM_OF_LIST_KIND[list_kind] if claim is None else Claim(claim)
    except ValueError:
        raise ValidationFailed("claim", f"{claim!r} is not one of {', '.join(Claim)}") from None
    for name, value in (("language", language), ("script", script)):
        if value and len(value) > 16:
            raise ValidationFailed(name, "is longer than 16 characters")
    try:
        published = None if not published_on else parse_list_date(published_on)
    except PartialDateError as error:
        raise ValidationFailed("published_on", str(error)) from None
    table: Table = read_table(data, filename)
    mapping = checked_mapping(table.headers, column_map)
    rows = [entry_values(number, table.headers, cells, mapping) for number, cells in table.rows]
    if not rows:
        raise ValidationFailed("file", "holds no rows below the header")
    source = _publisher(session, actor, publisher)
    published_list = PublishedList(
        title=title[:300],
        publisher_id=source.id,
        published_on=published,
        kind=list_kind,
        claim=list_claim,
        language=language or None,
        script=script or detected_script(rows),
        filename=clean_filename(filename) or "list",
        media_type=MEDIA_TYPES[table.format],
        sha256=digest,
        size_bytes=len(data),
        column_map=mapping,
        entry_count=len(rows),
        imported_by_id=actor.user_id,
    )
    session.add(published_list)
    session.flush()
    _insert_entries(session, published_list.id, rows, progress)
    store_blob(data)
    auditing.record(session, actor, "list.import", published_list)
    return ImportResult(published_list.id, len(rows), True, mapping)


def _insert_entries(
    session: Session, list_id: int, rows: list[dict[str, Any]], progress: Callable[[int], None] | None
) -> None:
    """Entries, then their name keys, as Core executemany inserts on the session's connection: the
    ORM's bookkeeping per row, or RETURNING ids in order (row by row on SQLite), is what makes 100,000
    rows slow. The entries' ids are read back by their row numbers (unique within the list)."""
    connection = session.connection()
    for start in range(0, len(rows), CHUNK):
        connection.execute(
            insert(ListEntry), [{"list_id": list_id, **row} for row in rows[start : start + CHUNK]]
        )
    numbered = connection.execute(
        select(ListEntry.row_number, ListEntry.id).where(ListEntry.list_id == list_id)
    )
    ids = {row_number: entry_id for row_number, entry_id in numbered}
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        keys = [
            {"entry_id": ids[row["row_number"]], "key": key}
            for row in chunk
            for key in sorted(name_keys(row["last_name"], row["first_name"], row["patronymic"]))
        ]
        if keys:
            _insert_keys(connection, keys)
        if progress is not None:
            progress(len(chunk))


def _insert_keys(connection: Connection, keys: list[dict[str, Any]]) -> None:
    """Name keys, six or so per entry: on PostgreSQL through COPY (several times faster than INSERT)."""
    if connection.dialect.name != "postgresql":
        connection.execute(insert(ListEntryKey), keys)
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy("COPY list_entry_keys (entry_id, key) FROM STDIN") as copy:
        for row in keys:
            copy.write_row((row["entry_id"], row["key"]))


# --- reads (staff only) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListSummary:
    list: PublishedList
    publisher: Source
    entries: int
    with_birth_date: int
    pairs_pending: int
    pairs_accepted: int


@dataclass(frozen=True)
class EntryPage:
    entries: list[ListEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_lists(session: Session, actor: Actor) -> list[PublishedList]:
    """Every list held, the newest import first."""
    require_staff(actor, "read published lists")
    query = select(PublishedList).order_by(PublishedList.imported_at.desc(), PublishedList.id.desc())
    return list(session.scalars(query))


def get_list(session: Session, actor: Actor, list_id: int) -> PublishedList:
    require_staff(actor, "read published lists")
    found = session.get(PublishedList, list_id)
    if found is None:
        raise NotFound("list", list_id)
    return found


def list_summary(session: Session, actor: Actor, list_id: int) -> ListSummary:
    found = get_list(session, actor, list_id)
    dated = session.scalar(
        select(func.count()).where(ListEntry.list_id == list_id, ListEntry.birth_date.is_not(None))
    )
    counted = session.execute(
        select(ListPair.decision, func.count()).where(ListPair.list_id == list_id).group_by(ListPair.decision)
    )
    decisions = {decision: count for decision, count in counted}
    return ListSummary(
        list=found,
        publisher=found.publisher,
        entries=found.entry_count,
        with_birth_date=int(dated or 0),
        pairs_pending=int(decisions.get(PairDecision.PENDING, 0)),
        pairs_accepted=int(decisions.get(PairDecision.ACCEPTED, 0)),
    )


def list_entries(
    session: Session, actor: Actor, list_id: int, page: int = 1, per_page: int = 50
) -> EntryPage:
    """One page of a list's entries in the file's order."""
    get_list(session, actor, list_id)
    page, per_page = max(1, page), min(max(1, per_page), 500)
    total = session.scalar(select(func.count()).where(ListEntry.list_id == list_id)) or 0
    entries = session.scalars(
        select(ListEntry)
        .where(ListEntry.list_id == list_id)
        .order_by(ListEntry.row_number)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return EntryPage(list(entries), int(total), page, per_page)
