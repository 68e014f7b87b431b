"""A file posted with a form, attached to an evidence item."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from kintrace.services import evidence as evidence_service
from kintrace.services.access import Actor
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES
from kintrace.services.errors import ValidationFailed


async def attach_upload(db: Session, actor: Actor, evidence_id: int, document: UploadFile) -> None:
    """The service checks the file's type and stores it once by its SHA-256.

    The form parser has spooled the file to disk; read one byte past the limit, never the whole of
    a huge file, to know it is too big. (The body limit already refused anything far larger.)
    """
    data = await document.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("document", f"is larger than the limit of {MAX_ATTACHMENT_BYTES} bytes")
    evidence_service.add_attachment(
        db,
        actor,
        evidence_id,
        filename=document.filename or "document",
        data=data,
        media_type=document.content_type,
    )
