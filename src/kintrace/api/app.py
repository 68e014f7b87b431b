"""The FastAPI application factory: `create_app(database_url, secret_key, demo=False)`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session, sessionmaker
from swagger_ui_bundle import swagger_ui_path

import kintrace
from kintrace.api import problems
from kintrace.api.limits import BodyLimit
from kintrace.api.routers import ROUTERS
from kintrace.api.security_headers import SecurityHeaders
from kintrace.api.settings import Settings
from kintrace.api.throttle import LoginThrottle
from kintrace.store.db import make_engine
from kintrace.web.app import include_web

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = "/docs"
SWAGGER_ASSETS = "/static/swagger-ui"

_templates = Environment(
    loader=PackageLoader("kintrace.api", "templates"), autoescape=select_autoescape(["html"])
)

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


def create_app(database_url: str, secret_key: str | None, demo: bool = False) -> FastAPI:
    """Build the app. Outside the demo, raises InsecureSecretKey for a missing, short or default key."""
    settings = Settings.build(database_url, secret_key, demo)
    app = FastAPI(
        title="kintrace",
        version=kintrace.__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=None,  # served below from the vendored Swagger UI: no CDN, works on an isolated network
        redoc_url=None,
    )
    engine = make_engine(database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
    app.state.login_throttle = LoginThrottle()

    problems.install(app)
    _document_problems(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, hsts=not demo)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    include_web(app)  # the families' portal, the caseworkers' desk and the admin pages

    app.mount(SWAGGER_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="kintrace API",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
            # Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request) -> HTMLResponse:
        html = _templates.get_template("landing.html").render(
            demo=settings.demo, docs_url=DOCS_URL, openapi_url=OPENAPI_URL, version=kintrace.__version__
        )
        return HTMLResponse(html)

    return app
