"""Report downloads from the desk (/desk/reports/...): the same documents as the API's."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kintrace.http.deps import Db
from kintrace.services import documents
from kintrace.services.errors import NotFound
from kintrace.web import dossier
from kintrace.web.i18n import LANGUAGES
from kintrace.web.pages import language_of
from kintrace.web.routing import PageRoute
from kintrace.web.session import Staff

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/desk/reports/overdue.{fmt}")
def overdue_report(request: Request, fmt: str, db: Db, who: Staff, language: str | None = None) -> Response:
    if fmt not in documents.MEDIA_TYPES:
        raise NotFound("report", f"overdue.{fmt}")
    chosen = language if language in LANGUAGES else language_of(request)
    made = documents.overdue(db, who.actor, fmt=fmt, language=chosen)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


@router.get("/desk/cases/{case_id}/dossier.pdf")
def case_dossier(
    request: Request, case_id: int, db: Db, who: Staff, language: str | None = None, internal: bool = False
) -> Response:
    chosen = language if language in LANGUAGES else language_of(request)
    made = dossier.dossier_document(db, who.actor, case_id, chosen, internal=internal)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


@router.get("/desk/overdue.csv")
def overdue_list(request: Request, db: Db, who: Staff, authority: str | None = None) -> Response:
    """The overdue list (one authority's, or all), with names, as CSV."""
    made = documents.overdue_list(db, who.actor, authority=authority or None)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )
