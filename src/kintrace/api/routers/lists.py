"""Published lists: import a file (staff who write), read the lists and their entries (staff).

Families never read lists: their case page will say which lists their case was checked against.
An upload is capped like every multipart body (the attachment limit); larger lists go in through
`kintrace lists import`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import Field

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import Out
from kintrace.domain.lists import ListKind
from kintrace.domain.records import PartialDate
from kintrace.domain.vocabulary import Claim, Reliability
from kintrace.http.deps import Db, PathId
from kintrace.services import list_import, list_matching
from kintrace.services.access import require_writer
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES
from kintrace.services.errors import ValidationFailed

router = APIRouter(prefix="/lists", tags=["lists"])


class ListOut(Out):
    id: int
    title: str
    publisher_id: int
    publisher_name: str
    publisher_reliability: Reliability
    published_on: PartialDate | None
    kind: ListKind
    claim: Claim
    language: str | None
    script: str | None
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    column_map: dict[str, str]
    entry_count: int
    imported_at: dt.datetime


class ListDetailOut(ListOut):
    with_birth_date: int
    pairs_pending: int
    pairs_accepted: int


class ImportOut(Out):
    list_id: int
    entries: int
    created: bool = Field(description="False when the same file was imported before (nothing added).")
    column_map: dict[str, str]


class EntryOut(Out):
    id: int
    row_number: int
    raw: dict[str, Any]
    last_name: str | None
    first_name: str | None
    patronymic: str | None
    birth_date: PartialDate | None
    birth_place: str | None
    unit: str | None
    service_number: str | None
    rank: str | None
    sex: str | None
    event_date: PartialDate | None
    place: str | None
    notes: str | None
    cluster_id: int | None


class EntryPageOut(Out):
    items: list[EntryOut]
    total: int
    page: int
    per_page: int


def _list_out(found: Any) -> dict[str, Any]:
    values = {name: getattr(found, name) for name in ListOut.model_fields if hasattr(found, name)}
    values["publisher_name"] = found.publisher.name
    values["publisher_reliability"] = found.publisher.reliability
    return values


def _column_map(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ValidationFailed("column_map", "is not JSON") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationFailed("column_map", 'must be an object {"header": "field", ...}')
    return value


@router.post("", response_model=ImportOut, status_code=status.HTTP_201_CREATED)
def import_list(
    actor: CurrentActor,
    session: Db,
    response: Response,
    file: UploadFile = File(..., description="The list: CSV, XLSX or PFIF 1.4 XML"),
    title: str = Form(..., max_length=300),
    publisher: str = Form(..., max_length=300, description="A source id, or a new publisher's name"),
    kind: ListKind = Form(...),
    published_on: str | None = Form(None, max_length=32),
    claim: Claim | None = Form(None),
    language: str | None = Form(None, max_length=16),
    script: str | None = Form(None, max_length=16),
    reliability: Reliability = Form(Reliability.F, description="A new publisher's Admiralty grade"),
    column_map: str | None = Form(None, max_length=20_000, description='JSON {"header": "field"}'),
) -> ImportOut:
    """Import a list (all or nothing; a bad row is named with its column). The same file again: 200."""
    require_writer(actor, "import lists")
    data = file.file.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            "file", f"is larger than {MAX_ATTACHMENT_BYTES} bytes; use kintrace lists import"
        )
    who: int | list_import.Publisher = (
        int(publisher) if publisher.strip().isdigit() else list_import.Publisher(publisher, reliability)
    )
    result = list_import.import_list(
        session,
        actor,
        data,
        file.filename or "list",
        title=title,
        publisher=who,
        published_on=published_on,
        kind=kind,
        claim=claim,
        language=language,
        script=script,
        column_map=_column_map(column_map),
    )
    if not result.created:
        response.status_code = status.HTTP_200_OK
    else:
        # On import the list is deduplicated within itself and matched against the consenting cases.
        list_matching.match_list_after_import(session, actor, result.list_id)
    return ImportOut(
        list_id=result.list_id, entries=result.entries, created=result.created, column_map=result.column_map
    )


@router.get("", response_model=list[ListOut])
def list_lists(actor: CurrentActor, session: Db) -> list[ListOut]:
    return [ListOut.model_validate(_list_out(found)) for found in list_import.list_lists(session, actor)]


@router.get("/{list_id}", response_model=ListDetailOut)
def get_list(list_id: PathId, actor: CurrentActor, session: Db) -> ListDetailOut:
    summary = list_import.list_summary(session, actor, list_id)
    return ListDetailOut.model_validate(
        {
            **_list_out(summary.list),
            "with_birth_date": summary.with_birth_date,
            "pairs_pending": summary.pairs_pending,
            "pairs_accepted": summary.pairs_accepted,
        }
    )


@router.get("/{list_id}/entries", response_model=EntryPageOut)
def list_entries(
    list_id: PathId,
    actor: CurrentActor,
    session: Db,
    page: int = Query(1, ge=1, le=1_000_000),
    per_page: int = Query(50, ge=1, le=500),
) -> EntryPageOut:
    """A page of the list's entries in the file's order, every column of the row kept in `raw`."""
    found = list_import.list_entries(session, actor, list_id, page=page, per_page=per_page)
    return EntryPageOut(
        items=[EntryOut.model_validate(entry) for entry in found.entries],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )
