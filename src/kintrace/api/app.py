"""The FastAPI application factory: `create_app(database_url, secret_key, demo=False)`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

import kintrace
from kintrace.api import checkpoints, news_schedule, problems, warm_up
from kintrace.api.limits import BodyLimit
from kintrace.api.routers import ROUTERS
from kintrace.api.security_headers import SecurityHeaders
from kintrace.api.settings import Settings
from kintrace.api.throttle import LoginThrottle, SignUpThrottle
from kintrace.services.genetic_crypto import configured_key
from kintrace.store.db import make_engine
from kintrace.web.app import include_web

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


def create_app(database_url: str, secret_key: str | None, demo: bool = False) -> FastAPI:
    """Build the app. Outside the demo, raises InsecureSecretKey for a missing, short or default key."""
    settings = Settings.build(database_url, secret_key, demo)
    schedule = checkpoints.schedule_from_env()  # AnchorError stops the start (see api/checkpoints.py)
    news = news_schedule.schedule_from_env()  # NewsConfigError stops the start: mis-set mail is no mail
    genetic_key = configured_key(demo)  # GeneticKeyError stops the start outside the demo
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
    app.state.genetic_key = genetic_key
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
    app.state.login_throttle = LoginThrottle()
    checkpoints.install(app, app.state.sessionmaker, schedule)
    news_schedule.install(app, app.state.sessionmaker, news)
    app.state.signup_throttle = SignUpThrottle()
    warm_up.install(app)  # the matching engine and the DNA arrival tables, in the background

    problems.install(app)
    _document_problems(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, hsts=not demo)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    include_web(app)  # the families' portal, the caseworkers' desk and the admin pages

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

    return app
