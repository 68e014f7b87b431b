"""Evidence items and their attachments. A family sees only family-visible items."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Response, UploadFile, status

from kintrace.api.auth import CurrentActor
from kintrace.api.problems import FieldError, Problem
from kintrace.api.schemas import AttachmentOut, EvidenceIn, EvidenceOut, EvidenceUpdate
from kintrace.http.deps import Db, PathId
from kintrace.services import evidence as evidence_service
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES, content_disposition
from kintrace.store.models import EvidenceItem

router = APIRouter(tags=["evidence"])


def _input(values: dict[str, Any]) -> evidence_service.EvidenceInput:
    """Schema values (the fields themselves: partial dates already read as PartialDate) as the
    service's input."""
    return evidence_service.EvidenceInput(
        claim=values["claim"],
        source_id=values["source_id"],
        place=values.get("place"),
        text=values.get("text") or "",
        visibility=values["visibility"],
        official_status=values.get("official_status"),
        event_date=values.get("event_date"),
        reported_date=values.get("reported_date"),
        birth_date=values.get("birth_date"),
    )


def _current_values(item: EvidenceItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in EvidenceIn.model_fields}


@router.get("/cases/{case_id}/evidence", response_model=list[EvidenceOut])
def list_evidence(case_id: PathId, actor: CurrentActor, session: Db) -> list[EvidenceOut]:
    """The case's evidence (with that of cases merged into it), in the order it was recorded."""
    return [EvidenceOut.model_validate(i) for i in evidence_service.list_evidence(session, actor, case_id)]


@router.post("/cases/{case_id}/evidence", response_model=EvidenceOut, status_code=status.HTTP_201_CREATED)
def add_evidence(case_id: PathId, body: EvidenceIn, actor: CurrentActor, session: Db) -> EvidenceOut:
    """Add an item; the evidence-based status is derived again."""
    item = evidence_service.add_evidence(session, actor, case_id, _input(dict(body)))
    return EvidenceOut.model_validate(item)


@router.get("/evidence/{evidence_id}", response_model=EvidenceOut)
def get_evidence(evidence_id: PathId, actor: CurrentActor, session: Db) -> EvidenceOut:
    return EvidenceOut.model_validate(evidence_service.get_evidence(session, actor, evidence_id))


@router.patch("/evidence/{evidence_id}", response_model=EvidenceOut)
def update_evidence(
    evidence_id: PathId, body: EvidenceUpdate, actor: CurrentActor, session: Db
) -> EvidenceOut:
    """Change the fields sent; the evidence-based status is derived again."""
    item = evidence_service.get_evidence(session, actor, evidence_id)
    values = _current_values(item)
    values.update((name, getattr(body, name)) for name in body.model_fields_set)
    for required in ("claim", "source_id", "visibility"):
        if values.get(required) is None:
            raise Problem(
                422,
                "validation-failed",
                f"{required} cannot be cleared",
                [FieldError(required, "cannot be null")],
            )
    item = evidence_service.update_evidence(session, actor, evidence_id, _input(values))
    return EvidenceOut.model_validate(item)


@router.post("/evidence/{evidence_id}/publish", response_model=EvidenceOut)
def publish_evidence(evidence_id: PathId, actor: CurrentActor, session: Db) -> EvidenceOut:
    """Show a family's report to the case's other families too (caseworkers; until then only its
    authors and staff read it)."""
    return EvidenceOut.model_validate(evidence_service.publish_evidence(session, actor, evidence_id))


@router.delete("/evidence/{evidence_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_evidence(evidence_id: PathId, actor: CurrentActor, session: Db) -> Response:
    evidence_service.delete_evidence(session, actor, evidence_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/evidence/{evidence_id}/attachments", response_model=AttachmentOut, status_code=status.HTTP_201_CREATED
)
def upload_attachment(
    evidence_id: PathId, actor: CurrentActor, session: Db, file: UploadFile = File(...)
) -> AttachmentOut:
    """Attach a file (images, PDF, plain text; at most 10 MiB). Its type is read from its content."""
    # Read one byte past the limit: enough to know it is too big without holding a huge upload.
    data = file.file.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Problem(
            413, "attachment-too-large", f"The file is larger than the limit of {MAX_ATTACHMENT_BYTES} bytes."
        )
    declared = file.content_type
    if declared in (None, "", "application/octet-stream"):
        declared = None  # browsers send this for any type they do not know; the content decides
    attachment = evidence_service.add_attachment(
        session, actor, evidence_id, filename=file.filename or "", data=data, media_type=declared
    )
    return AttachmentOut.model_validate(attachment)


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file itself"}},
)
def download_attachment(attachment_id: PathId, actor: CurrentActor, session: Db) -> Response:
    attachment, data = evidence_service.get_attachment(session, actor, attachment_id)
    return Response(
        content=data,
        media_type=attachment.media_type,
        headers={
            # Always a download, never rendered in our origin; filename* keeps Cyrillic names intact, and
            # names stored before control characters were cleaned (a line feed) cannot break the header.
            "Content-Disposition": content_disposition(attachment.filename),
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "ETag": f'"{attachment.sha256}"',
        },
    )
