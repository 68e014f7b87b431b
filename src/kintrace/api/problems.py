"""RFC 9457 problem details: every error the API returns has one shape.

`{"type", "title", "status", "detail", "instance", "errors": [{"field", "message"}]}` served as
application/problem+json, so a client (or a family member's browser form) can put each message
next to the field it is about.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kintrace.domain.dates import PartialDateError
from kintrace.domain.errors import DomainError
from kintrace.http.problem_details import (
    PROBLEM_MEDIA_TYPE,
    BodyTooLarge,
    FieldError,
    problem_response,
)
from kintrace.services import errors as service_errors

log = logging.getLogger(__name__)


@dataclass
class Problem(Exception):
    """An error the API layer raises itself (401 without credentials, 403 CSRF, 413 too large...)."""

    status: int
    slug: str
    detail: str
    errors: Sequence[FieldError] = field(default_factory=tuple)
    headers: dict[str, str] | None = None

    def __post_init__(self) -> None:
        super().__init__(self.detail)


def _field_of(location: Sequence[int | str]) -> str:
    """("body", "person", "last_name") -> "person.last_name"; ("query", "page") -> "page"."""
    parts = list(location)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid value"))
        # Pydantic prefixes messages from our own validators with "Value error, "; the field says enough.
        message = message.removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            # The location is a character offset into the body, not a field.
            reason = (error.get("ctx") or {}).get("error")
            offset = error.get("loc", ("body", "?"))[-1]
            errors.append(FieldError("body", f"not valid JSON at character {offset}: {reason or message}"))
            continue
        where = _field_of(error.get("loc", ()))
        if error.get("type") == "rule_broken":
            # A rule of the domain that needs several fields (domain/records.py) names its field itself.
            context = error.get("ctx") or {}
            inner = str(context.get("field") or "")
            where = f"{where}.{inner}" if inner and where != "body" else (inner or where)
            message = str(context.get("message") or message)
        errors.append(FieldError(where, message))
    names = ", ".join(dict.fromkeys(e.field for e in errors))
    return problem_response(
        request, 422, "validation-failed", f"The request has invalid fields: {names}", errors
    )


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(request, exc.status, exc.slug, exc.detail, exc.errors, exc.headers)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(request, exc.status_code, None, detail, headers=headers)


async def _body_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(request, 413, "body-too-large", str(exc.detail), headers={"Connection": "close"})


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 404, "not-found", str(exc))


async def _forbidden(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 403, "forbidden", str(exc))


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 409, "conflict", str(exc))


async def _service_validation(request: Request, exc: Exception) -> JSONResponse:
    field_name = getattr(exc, "field", None)
    message = getattr(exc, "message", None) or str(exc)
    errors = [FieldError(field_name, message)] if field_name else []
    return problem_response(request, 422, "validation-failed", str(exc), errors)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    errors = [FieldError(exc.field, exc.message)] if exc.field else []
    return problem_response(request, 422, "rule-violated", str(exc), errors)


async def _bad_date(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 422, "validation-failed", str(exc))


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 400, "bad-request", str(exc))


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # Two requests raced for the same unique value (a reference, a username, the audit chain's next id).
    log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        request,
        409,
        "conflict",
        "The change clashes with one saved at the same moment; reload and try again.",
    )


async def _operational(request: Request, exc: Exception) -> JSONResponse:
    # SQLite: a writer waited out the busy timeout (a long import or a backup holds the write lock).
    # Nothing was written; the client may simply try again.
    if "database is locked" in str(getattr(exc, "orig", exc)):
        log.warning("database busy on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            503,
            "database-busy",
            "The database is busy with a long write (an import or a backup); nothing was saved. Try again.",
            headers={"Retry-After": "10"},
        )
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Log the details for the operator; the client learns only that it failed.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "internal-error", "The server failed to handle this request.")


# The errors any operation may answer, documented on every operation so clients (and Schemathesis)
# know the problem+json shape: bad input, credentials, permissions, missing rows, races, size, throttle.
DOCUMENTED_ERRORS = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed, or CSRF token missing",
    404: "Not found (or not visible to you)",
    409: "Conflicts with the current state",
    413: "Request body or upload too large",
    422: "Invalid fields; `errors` names each field",
    429: "Too many attempts",
    503: "The database is busy with a long write; nothing was saved, try again (Retry-After)",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def document(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to every operation of an OpenAPI description (in place)."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own 422 body (HTTPValidationError) is never sent: our handler answers problem+json.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in openapi.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "put", "post", "delete", "patch", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in DOCUMENTED_ERRORS.items():
                responses[str(status)] = {
                    "description": description,
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": reference}},
                }
    return openapi


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_exception_handler(service_errors.NotFound, _not_found)
    app.add_exception_handler(service_errors.Forbidden, _forbidden)
    app.add_exception_handler(service_errors.Conflict, _conflict)
    app.add_exception_handler(service_errors.ValidationFailed, _service_validation)
    app.add_exception_handler(service_errors.ServiceError, _service_error)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(PartialDateError, _bad_date)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(OperationalError, _operational)
    app.add_exception_handler(Exception, _unexpected)
