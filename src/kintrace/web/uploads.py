"""A file posted with a form, attached to an evidence item."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from kintrace.services import evidence as evidence_service
from kintrace.services.access import Actor


async def attach_upload(db: Session, actor: Actor, evidence_id: int, document: UploadFile) -> None:
    """The service checks the file's type and size and stores it once by its SHA-256."""
    evidence_service.add_attachment(
        db,
        actor,
        evidence_id,
        filename=document.filename or "document",
        data=await document.read(),
        media_type=document.content_type,
    )
