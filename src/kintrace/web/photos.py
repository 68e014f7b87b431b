"""Photos of the missing person on the family's and the desk's case pages, and the photo itself."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from kintrace.http.deps import Db, PathId
from kintrace.services import photos as photo_service
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES
from kintrace.services.errors import ValidationFailed
from kintrace.web import desk, forms, portal
from kintrace.web.routing import PageRoute
from kintrace.web.session import AnyVisitor, Family, Staff

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _upload(request: Request) -> tuple[bytes, str | None, object]:
    form = await request.form()
    upload = form.get("photo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("photo", "choose a photo to send")
    # Read one byte past the limit, never the whole of a huge file, to know it is too big.
    data = await upload.read(MAX_ATTACHMENT_BYTES + 1)
    return data, forms.text(form, "caption"), form


@router.post("/my/cases/{case_id}/photos")
async def add_family_photo(request: Request, case_id: PathId, db: Db, who: Family) -> Response:
    form: object = {}
    try:
        data, caption, form = await _upload(request)
        photo_service.add_photo(db, who.actor, case_id, data, caption=caption)
    except ValidationFailed as error:
        return portal._failed(request, db, who, case_id, error, form)
    return RedirectResponse(f"/my/cases/{case_id}?added=1#photos", status_code=303)


@router.post("/desk/cases/{case_id}/photos")
async def add_desk_photo(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form: object = {}
    try:
        data, caption, form = await _upload(request)
        photo_service.add_photo(db, who.actor, case_id, data, caption=caption)
    except ValidationFailed as error:
        return desk._failed(request, db, who, case_id, error, form)
    return RedirectResponse(f"/desk/cases/{case_id}?done=photo#photos", status_code=303)


@router.get("/photos/{photo_id}")
def photo(photo_id: PathId, db: Db, who: AnyVisitor) -> Response:
    row, data = photo_service.photo_bytes(db, who.actor, photo_id)
    # Private to the signed-in reader: never kept by a shared proxy.
    return Response(data, media_type=row.media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.post("/photos/{photo_id}/delete")
async def delete_photo(photo_id: PathId, db: Db, who: AnyVisitor) -> Response:
    case_id = photo_service.delete_photo(db, who.actor, photo_id)
    where = f"/my/cases/{case_id}" if who.actor.is_family else f"/desk/cases/{case_id}"
    return RedirectResponse(f"{where}#photos", status_code=303)
