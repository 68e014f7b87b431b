"""Reports for authorities and lawyers, as files (staff only)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response

from kintrace.api.auth import CurrentActor
from kintrace.api.documents import Documents
from kintrace.api.downloads import as_download
from kintrace.api.routers import dna as dna_router
from kintrace.http.deps import Db, PathId
from kintrace.services import documents

router = APIRouter(tags=["reports"])


@router.get(
    "/reports/overdue",
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
    return as_download(made)


@router.get(
    "/cases/{case_id}/dossier",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The case dossier."}},
)
def case_dossier(
    case_id: PathId,
    actor: CurrentActor,
    session: Db,
    makers: Documents,
    language: Literal["uk", "ru", "en"] = "uk",
    internal: bool = Query(False, description="Include internal items (never relatives' contacts)"),
) -> Response:
    """The case dossier for an authority, an ombudsman, a court or a tracing agency: both status
    tracks with history, every fact with source, grade and dates, contradictions in words, requests
    and days blocked, appeals. Its SHA-256 is recorded in the audit log and sent in `X-Content-SHA256`."""
    made = makers.dossier(session, actor, case_id, language, internal=internal)
    return as_download(made)


@router.get(
    "/dna/candidates/{comparison_id}/report",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The identification report."}},
)
def identification_report(
    comparison_id: PathId,
    request: Request,
    actor: CurrentActor,
    session: Db,
    makers: Documents,
    language: Literal["uk", "ru", "en"] = "en",
) -> Response:
    """The identification report of one DNA comparison (staff): hypotheses, references and pedigree,
    per-marker and total LR, prior and posterior, the family's reference strength, the review, the
    method. No genotype is printed; the references read for the strength are audited. Its SHA-256 is
    recorded in the audit log and sent in `X-Content-SHA256`."""
    made = makers.identification_report(
        session, actor, dna_router.server_key(request), dna_router.server_markers(), comparison_id, language
    )
    return as_download(made)
