"""Photos of the missing person: list, add (re-encoded without EXIF), read, remove."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Response, UploadFile, status

from kintrace.api.auth import CurrentActor
from kintrace.api.problems import Problem
from kintrace.api.schemas import PhotoOut
from kintrace.http.deps import Db, PathId
from kintrace.services import photos as photo_service
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES

router = APIRouter(tags=["photos"])


@router.get("/cases/{case_id}/photos", response_model=list[PhotoOut])
def list_photos(case_id: PathId, actor: CurrentActor, session: Db) -> list[PhotoOut]:
    """The photos of the case the caller may see (a family: the ones it gave and staff's)."""
    return [PhotoOut.model_validate(p) for p in photo_service.list_photos(session, actor, case_id)]


@router.post("/cases/{case_id}/photos", response_model=PhotoOut, status_code=status.HTTP_201_CREATED)
def add_photo(
    case_id: PathId,
    actor: CurrentActor,
    session: Db,
    file: UploadFile = File(..., description="JPEG, PNG, WebP or GIF, at most 10 MiB"),
    caption: str | None = Form(None, max_length=300),
) -> PhotoOut:
    """Add a photo; it is stored re-encoded as JPEG without EXIF (no location), at most 1600 px a side."""
    data = file.file.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Problem(
            413, "photo-too-large", f"The photo is larger than the limit of {MAX_ATTACHMENT_BYTES} bytes."
        )
    return PhotoOut.model_validate(photo_service.add_photo(session, actor, case_id, data, caption=caption))


@router.get(
    "/photos/{photo_id}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "The photo itself"}},
)
def read_photo(photo_id: PathId, actor: CurrentActor, session: Db) -> Response:
    photo, data = photo_service.photo_bytes(session, actor, photo_id)
    return Response(
        content=data,
        media_type=photo.media_type,
        headers={"Cache-Control": "private, max-age=3600", "ETag": f'"{photo.sha256}"'},
    )


@router.delete("/photos/{photo_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_photo(photo_id: PathId, actor: CurrentActor, session: Db) -> Response:
    """Remove a photo: the family that gave it, or a caseworker."""
    photo_service.delete_photo(session, actor, photo_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
