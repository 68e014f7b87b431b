"""A document handed out by the API (a report, a dossier, a letter) as a download."""

from __future__ import annotations

from fastapi import Response

from kintrace.services.documents import Document


def as_download(made: Document) -> Response:
    """Always an attachment; the SHA-256 recorded in the audit log goes in `X-Content-SHA256`."""
    return Response(
        made.content,
        media_type=made.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{made.filename}"',
            "X-Content-SHA256": made.sha256,
        },
    )
