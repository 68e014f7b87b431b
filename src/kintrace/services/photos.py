"""Photos of the missing person: what a family hands to searchers, exchange negotiators and morgues.

Every upload is decoded and re-encoded as JPEG (at most 1,600 pixels a side) with Pillow: the stored
file carries no EXIF, so a phone photo does not tell where and when it was taken, and a file that
is not a picture (or a decompression bomb) is refused. Access follows the one visibility policy: a
family sees the photos of its own cases that it gave or that staff added; staff see all.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.services import auditing
from kintrace.services.access import Actor, require_writer, visible_case
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES, read_blob, store_blob
from kintrace.services.errors import Forbidden, NotFound, ValidationFailed
from kintrace.services.redaction import photo_shown
from kintrace.store.models import PersonPhoto, User

MAX_SIDE = 1600
MAX_PIXELS = 50_000_000  # a 50-megapixel camera; more is a decompression bomb
MAX_PHOTOS = 20  # per case
JPEG_QUALITY = 85
# Fixed texts so the web pages can translate them (kintrace.web.labels lists them).
NOT_A_PICTURE = "is not a picture kintrace can read (JPEG, PNG, WebP or GIF)"
TOO_LARGE = "is larger than 10 MiB"
TOO_MANY = "this case already has 20 photos; remove one first"


def _reencode(data: bytes) -> tuple[bytes, int, int]:
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("photo", TOO_LARGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationFailed("photo", NOT_A_PICTURE)
                picture = ImageOps.exif_transpose(image)  # keep the way the phone held it
                picture = picture.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Warning):
        raise ValidationFailed("photo", NOT_A_PICTURE) from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= : none is written
    return out.getvalue(), picture.width, picture.height


def add_photo(
    session: Session, actor: Actor, case_id: int, data: bytes, *, caption: str | None = None
) -> PersonPhoto:
    """Store a photo of the case's missing person (a family on its own case, or staff)."""
    case = visible_case(session, actor, case_id)
    if not actor.is_family:
        require_writer(actor, "add photos")
    count = len(session.scalars(select(PersonPhoto.id).where(PersonPhoto.case_id == case.id)).all())
    if count >= MAX_PHOTOS:
        raise ValidationFailed("photo", TOO_MANY)
    jpeg, width, height = _reencode(data)
    text = " ".join((caption or "").split())[:300] or None
    photo = PersonPhoto(
        case_id=case.id,
        sha256=store_blob(jpeg),
        media_type="image/jpeg",
        width=width,
        height=height,
        caption=text,
        created_by_id=actor.user_id,
    )
    session.add(photo)
    auditing.record(session, actor, "photo.create", photo)
    return photo


def list_photos(session: Session, actor: Actor, case_id: int) -> list[PersonPhoto]:
    visible_case(session, actor, case_id)
    return photos_of(session, actor, case_id)


def photos_of(session: Session, actor: Actor, case_id: int) -> list[PersonPhoto]:
    """The photos of a case the caller may see that the actor may see, with who added each read in
    the same query (the one policy: redaction.photo_shown)."""
    rows = session.execute(
        select(PersonPhoto, User.role)
        .outerjoin(User, User.id == PersonPhoto.created_by_id)
        .where(PersonPhoto.case_id == case_id)
        .order_by(PersonPhoto.id)
    ).all()
    return [photo for photo, role in rows if photo_shown(actor, photo, role)]


def get_photo(session: Session, actor: Actor, photo_id: int) -> PersonPhoto:
    """The photo if the actor may see it; NotFound otherwise (an unseen id reads like a missing one)."""
    photo = session.get(PersonPhoto, photo_id)
    if photo is None:
        raise NotFound("photo", photo_id)
    try:
        visible_case(session, actor, photo.case_id)
    except NotFound:
        raise NotFound("photo", photo_id) from None
    creator = None if photo.created_by_id is None else session.get(User, photo.created_by_id)
    if not photo_shown(actor, photo, None if creator is None else creator.role):
        raise NotFound("photo", photo_id)
    return photo


def photo_bytes(session: Session, actor: Actor, photo_id: int) -> tuple[PersonPhoto, bytes]:
    photo = get_photo(session, actor, photo_id)
    return photo, read_blob(photo.sha256)


def delete_photo(session: Session, actor: Actor, photo_id: int) -> int:
    """Remove a photo (the family that gave it, or a caseworker); returns its case id."""
    photo = get_photo(session, actor, photo_id)
    if actor.is_family and photo.created_by_id != actor.user_id:
        raise Forbidden("only the family that gave a photo, or a caseworker, may remove it")
    if not actor.is_family:
        require_writer(actor, "remove photos")
    case_id = photo.case_id
    auditing.record(session, actor, "photo.delete", photo, before=auditing.snapshot(photo), deleted=True)
    session.delete(photo)
    session.flush()
    return case_id
