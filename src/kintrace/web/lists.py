"""Published lists on the desk: /desk/lists (the lists and an upload form), the preview of an upload
with its guessed column mapping, the import, and /desk/lists/{id} (summary and entries, paged).

The uploaded file is kept in the attachment store (by SHA-256) between the preview and the import,
so the caseworker does not upload it twice; the import reads it back and checks its digest. Errors
name the row and the column in the reader's language.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kintrace.domain.lists import CLAIM_OF_LIST_KIND, ENTRY_FIELDS, ListKind
from kintrace.domain.vocabulary import Claim, Reliability
from kintrace.http import sessions
from kintrace.http.deps import Db
from kintrace.services import list_import, list_matching
from kintrace.services.access import require_writer
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES, clean_filename, read_blob, store_blob
from kintrace.services.errors import ValidationFailed
from kintrace.services.list_fields import guess_mapping
from kintrace.services.list_import import ListRowError
from kintrace.services.list_readers import read_table
from kintrace.web import forms
from kintrace.web.i18n import N_
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PREVIEW_ROWS = 10
PER_PAGE = 50
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

KIND: dict[ListKind, str] = {
    ListKind.PRISONERS: N_("Prisoners held"),
    ListKind.EXCHANGED: N_("Exchanged or released"),
    ListKind.DEAD: N_("The dead"),
    ListKind.REMAINS_REPATRIATED: N_("Remains repatriated"),
    ListKind.WOUNDED: N_("Wounded or in hospital"),
    ListKind.WANTED: N_("Wanted (sought by others)"),
    ListKind.OTHER: N_("Other"),
}
FIELD: dict[str, str] = {
    "full_name": N_("Whole name (split on import)"),
    "last_name": N_("Last name"),
    "first_name": N_("First name"),
    "patronymic": N_("Patronymic"),
    "birth_date": N_("Date of birth"),
    "birth_place": N_("Place of birth"),
    "unit": N_("Military unit"),
    "service_number": N_("Service number"),
    "rank": N_("Rank"),
    "sex": N_("Sex"),
    "event_date": N_("Date of the event (captured, exchanged, died)"),
    "place": N_("Place"),
    "notes": N_("Notes"),
}
assert set(FIELD) == set(ENTRY_FIELDS)
# A form field's name in the error summary.
FORM_FIELD: dict[str, str] = {
    "file": N_("File"),
    "title": N_("Title"),
    "publisher": N_("Publisher"),
    "published_on": N_("Published on"),
    "kind": N_("Kind of list"),
    "claim": N_("What each entry says"),
    "column_map": N_("Columns"),
}
ROW_PROBLEM: dict[str, str] = {
    "date": N_("Row %(row)s, column “%(column)s”: the date “%(value)s” cannot be read."),
    "surname": N_("Row %(row)s, column “%(column)s”: no surname."),
    "too_long": N_("Row %(row)s, column “%(column)s”: the text is too long."),
}
# Service messages a page shows as they are (the templates pass them through `_`).
MESSAGES = (
    N_("no column holds the surname (last_name or full_name)"),
    N_("is empty"),
    N_("holds no rows below the header"),
    N_("please choose one"),
    N_("please fill this in"),
)


def _upload_token(request: Request, sha256: str) -> str:
    """Binds a previewed file to the session that uploaded it: the import reads back only a file this
    session uploaded, not any blob of the attachment store whose digest someone knows."""
    secret = (sessions.csrf_token_for(request) or "").encode()
    return hmac.new(secret, sha256.encode(), hashlib.sha256).hexdigest()


def _writer(who: Visitor) -> None:
    require_writer(who.actor, "import lists")


def _metadata(form: FormData) -> dict[str, Any]:
    """The list's fields as the forms carry them (the upload form, then the preview's hidden fields)."""
    return {
        "title": forms.text(form, "title", max_length=300) or "",
        "publisher": forms.text(form, "publisher", max_length=300) or "",
        "reliability": forms.text(form, "reliability", max_length=1) or "F",
        "published_on": forms.text(form, "published_on", max_length=32) or "",
        "kind": forms.text(form, "kind", max_length=32) or "",
        "claim": forms.text(form, "claim", max_length=32) or "",
        "language": forms.text(form, "language", max_length=16) or "",
    }


def _check(meta: dict[str, Any]) -> None:
    if not meta["title"]:
        raise ValidationFailed("title", "please fill this in")
    if not meta["publisher"]:
        raise ValidationFailed("publisher", "please fill this in")
    if meta["kind"] not in {kind.value for kind in ListKind}:
        raise ValidationFailed("kind", "please choose one")


def _index_context(db: Session, who: Visitor, form: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "lists": list_import.list_lists(db, who.actor),
        "kinds": KIND,
        "claims": list(Claim),
        "reliabilities": list(Reliability),
        "form": form or {"reliability": "F"},
        "error": None,
        "row_error": None,
        "form_field": FORM_FIELD,
        "max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
    }


def _row_error(error: ValidationFailed) -> dict[str, Any] | None:
    if isinstance(error, ListRowError):
        return {
            "text": ROW_PROBLEM[error.problem],
            "row": error.row,
            "column": error.column,
            "value": error.value,
        }
    return None


@router.get("/desk/lists")
def lists_page(request: Request, db: Db, who: Staff) -> Response:
    return render(request, "desk/lists.html", _index_context(db, who), user=who.user)


def _preview_context(
    data: bytes, filename: str, sha256: str, meta: dict[str, Any], chosen: dict[int, str] | None
) -> dict[str, Any]:
    table = read_table(data, filename)
    guessed = guess_mapping(table.headers)
    mapping = (
        {index: guessed.get(header, "") for index, header in enumerate(table.headers)}
        if chosen is None
        else chosen
    )
    return {
        "headers": table.headers,
        "rows": table.rows[:PREVIEW_ROWS],
        "total": len(table.rows),
        "mapping": mapping,
        "fields": FIELD,
        "sha256": sha256,
        "upload_token": "",
        "filename": filename,
        "meta": meta,
        "kinds": KIND,
        "error": None,
        "row_error": None,
        "form_field": FORM_FIELD,
    }


@router.post("/desk/lists/preview")
async def preview(request: Request, db: Db, who: Staff) -> Response:
    """Read the upload, keep it, and show its first rows with the guessed mapping to confirm."""
    _writer(who)
    form = await request.form()
    meta = _metadata(form)
    upload = forms.upload(form, "file")
    try:
        _check(meta)
        if upload is None:
            raise ValidationFailed("file", "please choose one")
        data = await upload.read(MAX_ATTACHMENT_BYTES + 1)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValidationFailed("file", f"is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        filename = clean_filename(upload.filename or "") or "list"
        context = _preview_context(data, filename, "", meta, None)
    except ValidationFailed as error:
        context = _index_context(db, who, form=meta)
        context["error"], context["row_error"] = error, _row_error(error)
        return render(request, "desk/lists.html", context, user=who.user, status_code=422)
    context["sha256"] = store_blob(data)
    context["upload_token"] = _upload_token(request, context["sha256"])
    return render(request, "desk/list_preview.html", context, user=who.user)


def _chosen(form: FormData, width: int) -> dict[int, str]:
    chosen: dict[int, str] = {}
    for index in range(width):
        field = forms.text(form, f"map_{index}", max_length=32) or ""
        if field and field not in FIELD:
            raise ValidationFailed("column_map", f"{field!r} is not a field")
        chosen[index] = field
    return chosen


@router.post("/desk/lists/import")
async def confirm_import(request: Request, db: Db, who: Staff) -> Response:
    """Import the previewed file with the mapping chosen; on a bad row, the preview again with the error."""
    _writer(who)
    form = await request.form()
    meta = _metadata(form)
    sha256 = forms.text(form, "sha256", max_length=64) or ""
    filename = forms.text(form, "filename", max_length=255) or "list"
    presented = forms.text(form, "upload_token", max_length=64) or ""
    if not _SHA256.match(sha256) or not hmac.compare_digest(presented, _upload_token(request, sha256)):
        raise ValidationFailed("file", "please choose one")
    try:
        data = read_blob(sha256)
    except (OSError, ValueError):
        raise ValidationFailed("file", "please choose one") from None
    table = read_table(data, filename)
    chosen = _chosen(form, len(table.headers))
    column_map = {table.headers[index]: field for index, field in chosen.items() if field}
    try:
        _check(meta)
        result = list_import.import_list(
            db,
            who.actor,
            data,
            filename,
            title=meta["title"],
            publisher=list_import.Publisher(meta["publisher"], Reliability(meta["reliability"])),
            published_on=meta["published_on"] or None,
            kind=meta["kind"],
            claim=meta["claim"] or None,
            language=meta["language"] or None,
            column_map=column_map,
        )
    except (ValidationFailed, ValueError) as error:
        db.rollback()
        failed = error if isinstance(error, ValidationFailed) else ValidationFailed(None, str(error))
        context = _preview_context(data, filename, sha256, meta, chosen)
        context["upload_token"] = presented
        context["error"], context["row_error"] = failed, _row_error(failed)
        return render(request, "desk/list_preview.html", context, user=who.user, status_code=422)
    if result.created:
        # On import the list is deduplicated within itself and matched against the consenting cases.
        list_matching.match_list_after_import(db, who.actor, result.list_id)
    again = "" if result.created else "?again=1"
    return RedirectResponse(f"/desk/lists/{result.list_id}{again}", status_code=303)


@router.get("/desk/lists/{list_id}")
def list_page(request: Request, list_id: int, db: Db, who: Staff, page: int = 1, again: int = 0) -> Response:
    summary = list_import.list_summary(db, who.actor, list_id)
    entries = list_import.list_entries(
        db, who.actor, list_id, page=max(1, min(page, 1_000_000)), per_page=PER_PAGE
    )
    context = {
        "summary": summary,
        "found": summary.list,
        "entries": entries,
        "kinds": KIND,
        "fields": FIELD,
        "again": bool(again),
        "default_claim": CLAIM_OF_LIST_KIND[summary.list.kind],
    }
    return render(request, "desk/list.html", context, user=who.user)
