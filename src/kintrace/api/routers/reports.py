"""Reports for authorities and lawyers, as files (staff only)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from kintrace.api.auth import CurrentActor
from kintrace.api.deps import Db
from kintrace.services import documents

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/overdue",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/csv": {}}, "description": "The report."}},
)
def overdue_report(
    actor: CurrentActor,
    session: Db,
    format: Literal["pdf", "csv"] = "pdf",
    language: Literal["uk", "ru", "en"] = "uk",
    authority: str | None = Query(None, max_length=300),
) -> Response:
    """Unanswered status-change requests per authority: waiting, past the deadline, median and 90th
    percentile of days pending, the oldest ones, and each month-end of the last year. The document's
    SHA-256 is recorded in the audit log and returned in `X-Content-SHA256`."""
    made = documents.overdue(session, actor, fmt=format, language=language, authority=authority)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{made.filename}"',
            "X-Content-SHA256": made.sha256,
        },
    )
