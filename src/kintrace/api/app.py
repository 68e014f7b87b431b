"""Plugs the REST API into the server's FastAPI app: `include_api(app, documents)`.

The API lives under /api/v1, answers errors as RFC 9457 problem details (`problems`), and serves its
interactive docs at /docs from a vendored Swagger UI. The app itself is built by
`kintrace.server.app.create_app`, which also plugs in the web pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from kintrace.api import problems
from kintrace.api.documents import DocumentMakers
from kintrace.api.routers import ROUTERS

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = "/docs"
SWAGGER_ASSETS = "/static/swagger-ui"
# Swagger UI 5 (it renders OpenAPI 3.1, which FastAPI writes; 4.x cannot), as vendored by fastapi-offline:
# only its static files are used.
SWAGGER_UI_DIR = Path(fastapi_offline.__file__).parent / "static"

DESCRIPTION = """
REST API of the kintrace case registry: missing persons, their relatives, sources and evidence,
the two status tracks (official and evidence-based), status-change requests to authorities,
contradictions in the evidence, and duplicate cases.

Authenticate with a session cookie from `POST /api/v1/auth/login` (unsafe requests then need the
`X-CSRF-Token` header) or with an API token: `Authorization: Bearer <token>`.
Errors are RFC 9457 problem details (`application/problem+json`) whose `errors` name the field.
"""


def _document_problems(app: FastAPI) -> None:
    """The OpenAPI description names the problem+json answers every operation may give."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problems.document(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def include_api(app: FastAPI, documents: DocumentMakers) -> None:
    """Add the routes under /api/v1, the problem handlers and the docs page to `app`.

    The app must have been created with `openapi_url=OPENAPI_URL` and `docs_url=None` (the docs are
    served here, from the vendored Swagger UI: no CDN, works on an isolated network).
    """
    app.state.documents = documents
    problems.install(app)
    _document_problems(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)

    app.mount(SWAGGER_ASSETS, StaticFiles(directory=str(SWAGGER_UI_DIR)), name="swagger-ui")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="kintrace API",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon.png",
            # Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
