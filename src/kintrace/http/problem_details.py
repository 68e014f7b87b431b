"""RFC 9457 problem details: the one shape of an error answered as JSON (the API's, and the 413 of the
body limit, which runs before any route is chosen).

`{"type", "title", "status", "detail", "instance", "errors": [{"field", "message"}]}` served as
application/problem+json, so a client (or a family member's browser form) can put each message
next to the field it is about. The API's exception handlers live in `kintrace.api.problems`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:kintrace:problem:"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class BodyTooLarge(StarletteHTTPException):
    """Raised while a body is read past its limit (kintrace.http.limits); an HTTPException, so that FastAPI's
    body parsing passes it through unchanged instead of calling it a parse error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")
        self.limit = limit


def problem_response(
    request: Request,
    status: int,
    slug: str | None,
    detail: str | None,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{slug}" if slug else "about:blank",
        "title": _title(status, slug),
        "status": status,
        "detail": detail or HTTPStatus(status).phrase,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


# One fixed title per problem type (RFC 9457: the title does not change from occurrence to occurrence).
TITLES = {
    "validation-failed": "The request has invalid fields",
    "rule-violated": "The change breaks a rule of the registry",
    "not-authenticated": "Authentication required",
    "invalid-credentials": "Wrong e-mail or password",
    "too-many-login-attempts": "Too many failed logins",
    "cross-site-login": "Login from another site refused",
    "csrf-token-missing-or-wrong": "CSRF token missing or wrong",
    "forbidden": "Not allowed",
    "not-found": "Not found",
    "conflict": "Conflicts with the current state",
    "attachment-too-large": "Attachment too large",
    "body-too-large": "Request body too large",
    "database-busy": "Database busy",
    "bad-request": "Bad request",
    "internal-error": "Internal error",
}


def _title(status: int, slug: str | None) -> str:
    if slug:
        return TITLES.get(slug) or slug.replace("-", " ").capitalize()
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
