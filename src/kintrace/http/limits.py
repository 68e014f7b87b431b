"""Request body limits, enforced while the body streams in (a pure ASGI middleware).

A declared Content-Length over the limit is answered 413 before a byte is read; a body sent without
one (chunked) is counted as it arrives and refused the moment it passes the limit, so no request
can make the server hold more than the limit in memory. JSON and form bodies get a small limit
(KINTRACE_MAX_BODY_BYTES, 1 MiB by default); multipart uploads the attachment limit plus room for
the form's other fields.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kintrace import settings
from kintrace.http.problem_details import BodyTooLarge, problem_response
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES

DEFAULT_MAX_BODY_BYTES = settings.DEFAULT_MAX_BODY_BYTES
# The other fields of an upload form (CSRF token, notes) and the multipart boundaries.
MULTIPART_OVERHEAD_BYTES = 256 * 1024


def max_body_bytes() -> int:
    """The configured limit for JSON and form bodies (bytes)."""
    return settings.current().max_body_bytes  # at least 1024: the settings refuse less


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int | None = None) -> None:
        self.app = app
        self.max_body = max_body if max_body is not None else max_body_bytes()
        self.max_upload = MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD_BYTES

    def limit_for(self, scope: Scope) -> int:
        content_type = (_header(scope, b"content-type") or "").lower()
        return self.max_upload if content_type.startswith("multipart/form-data") else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    """413 as problem details (a browser shows the short text; the API client reads the JSON)."""
    response = problem_response(
        Request(scope),
        413,
        "body-too-large",
        f"The request body is larger than the limit of {limit} bytes.",
        headers={"Connection": "close"},
    )
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
