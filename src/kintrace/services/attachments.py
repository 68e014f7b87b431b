"""Attachment bytes: content-addressed by SHA-256 under var/attachments, size-limited, type-checked.

The media type is read from the file's first bytes, not trusted from the upload, and must be
one the registry can show safely (images, PDF, plain text).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from kintrace import settings
from kintrace.services.errors import ValidationFailed

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DEFAULT_ROOT = settings.DEFAULT_ATTACHMENTS_DIR

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
ALLOWED_TYPES = frozenset({media for _, media in _SIGNATURES} | {"text/plain", "image/webp"})


def attachments_root() -> Path:
    """Where the files live: KINTRACE_ATTACHMENTS_DIR, else var/attachments."""
    return settings.current().attachments_dir


def sniff_media_type(data: bytes) -> str | None:
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if all(char.isprintable() or char in "\r\n\t" for char in text):
        return "text/plain"
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_FILENAME = 255


def clean_filename(filename: str) -> str:
    """The file's own name (no folders), without control characters such as a line feed, at most
    255 characters: it goes into a Content-Disposition header on download."""
    name = _CONTROL.sub(" ", Path(filename.replace("\\", "/")).name)
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    if len(name) > MAX_FILENAME:
        _stem, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 16 else ""
        name = name[: MAX_FILENAME - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name


def content_disposition(filename: str) -> str:
    """An RFC 6266 attachment header: an ASCII fallback and the real name as UTF-8 `filename*`."""
    name = clean_filename(filename) or "attachment"
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\%' else "_" for char in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def check_upload(data: bytes, declared_type: str | None = None) -> str:
    """The media type of an acceptable upload; ValidationFailed naming the field otherwise."""
    if not data:
        raise ValidationFailed("file", "is empty")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed("file", f"is {len(data)} bytes; the limit is {MAX_ATTACHMENT_BYTES}")
    media_type = sniff_media_type(data)
    if media_type is None:
        raise ValidationFailed("file", f"type not accepted; allowed: {', '.join(sorted(ALLOWED_TYPES))}")
    if declared_type and declared_type.split(";")[0].strip() != media_type:
        raise ValidationFailed("media_type", f"declared {declared_type!r} but the content is {media_type}")
    return media_type


def blob_path(sha256: str, root: Path | None = None) -> Path:
    return (root or attachments_root()) / sha256[:2] / sha256


def store_blob(data: bytes, root: Path | None = None) -> str:
    """Write the bytes once under their SHA-256 (the same file uploaded twice is stored once)."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest, root)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)
    return digest


def read_blob(sha256: str, root: Path | None = None) -> bytes:
    data = blob_path(sha256, root).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"attachment {sha256} is corrupt on disk")
    return data
