"""The FastAPI application factory: `create_app(database_url, secret_key, demo=False)`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session, sessionmaker

import kintrace
from kintrace.api import problems
from kintrace.api.routers import ROUTERS
from kintrace.api.security_headers import SecurityHeaders
from kintrace.api.settings import Settings
from kintrace.api.throttle import LoginThrottle
from kintrace.store.db import make_engine

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = "/docs"

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


def create_app(database_url: str, secret_key: str | None, demo: bool = False) -> FastAPI:
    """Build the app. Outside the demo, raises InsecureSecretKey for a missing, short or default key."""
    settings = Settings.build(database_url, secret_key, demo)
    app = FastAPI(
        title="kintrace",
        version=kintrace.__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=DOCS_URL,
        redoc_url=None,
    )
    engine = make_engine(database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
    app.state.login_throttle = LoginThrottle()

    problems.install(app)
    app.add_middleware(SecurityHeaders, hsts=not demo)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request) -> HTMLResponse:
        html = _templates.get_template("landing.html").render(
            demo=settings.demo, docs_url=DOCS_URL, openapi_url=OPENAPI_URL, version=kintrace.__version__
        )
        return HTMLResponse(html)

    return app
