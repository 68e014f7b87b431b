"""Documents handed out (reports, dossiers, letters): made, recorded in the audit log, then sent.

The one place that turns a made document into a download, for the API, the desk and the CLI alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kintrace.services import auditing, overdue_report, requests
from kintrace.services.access import Actor, require_staff
from kintrace.services.cases import MAX_PAGE_SIZE
from kintrace.services.errors import ValidationFailed

MEDIA_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str
    sha256: str


def overdue(
    session: Session,
    actor: Actor,
    *,
    fmt: str,
    language: str = "uk",
    authority: str | None = None,
    today: dt.date | None = None,
) -> Document:
    """The overdue report per authority as a PDF or CSV, its SHA-256 recorded in the audit log."""
    if fmt not in MEDIA_TYPES:
        raise ValidationFailed("format", f"{fmt!r} is not one of {', '.join(MEDIA_TYPES)}")
    if language not in overdue_report.LANGUAGES:
        known = ", ".join(overdue_report.LANGUAGES)
        raise ValidationFailed("language", f"{language!r} is not one of {known}")
    report = overdue_report.overdue_report(session, actor, today=today, authority=authority)
    content = overdue_report.to_pdf(report, language) if fmt == "pdf" else overdue_report.to_csv(report)
    digest = record(session, actor, f"overdue_report.{fmt}", authority or "all", content)
    return Document(content, MEDIA_TYPES[fmt], f"overdue-report-{report.as_of.isoformat()}.{fmt}", digest)


def record(session: Session, actor: Actor, kind: str, subject: str, content: bytes) -> str:
    """Write the document's SHA-256 into the audit log, so a copy handed out can be checked; return it."""
    digest = hashlib.sha256(content).hexdigest()
    auditing.record_document(session, actor, kind=kind, subject=subject, sha256=digest, size=len(content))
    return digest


def overdue_list(
    session: Session, actor: Actor, *, authority: str | None = None, today: dt.date | None = None
) -> Document:
    """Every overdue request (of one authority, or all) with the case and the person's name, as CSV."""
    require_staff(actor, "export the overdue list")
    today = today or dt.date.today()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "case",
            "last_name",
            "first_name",
            "patronymic",
            "authority",
            "requested_status",
            "submitted_on",
            "deadline",
            "days_pending",
            "days_overdue",
        ]
    )
    page, total = 1, None
    while total is None or (page - 1) * MAX_PAGE_SIZE < total:
        result = requests.overdue_requests(
            session, actor, authority=authority, today=today, page=page, per_page=MAX_PAGE_SIZE
        )
        total = result.total
        for v in result.items:
            person = v.request.case.person
            writer.writerow(
                [
                    v.request.case.reference,
                    person.last_name,
                    person.first_name or "",
                    person.patronymic or "",
                    v.request.authority,
                    v.request.requested_status.value,
                    v.request.submitted_on.isoformat(),
                    v.request.deadline.isoformat() if v.request.deadline else "",
                    v.days_pending,
                    v.days_overdue,
                ]
            )
        page += 1
    content = out.getvalue().encode("utf-8")
    digest = record(session, actor, "overdue_list.csv", authority or "all", content)
    return Document(content, MEDIA_TYPES["csv"], f"overdue-{today.isoformat()}.csv", digest)
