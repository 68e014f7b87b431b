"""The server's application factory: `create_app(database_url, secret_key, demo=False)`.

It sits above both faces of the registry: the plumbing they share (`kintrace.http`: the database
session per request, the signed sessions, the brakes on guessing, body limits, security headers) is
set up here once, then the REST API (`kintrace.api`) and the web pages (`kintrace.web`) are plugged
in, and the background jobs (audit checkpoints, families' news, the warm-up) join the lifespan.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

import kintrace
from kintrace.api.app import DESCRIPTION, OPENAPI_URL, include_api
from kintrace.api.documents import DocumentMakers
from kintrace.http.limits import BodyLimit
from kintrace.http.security_headers import SecurityHeaders
from kintrace.http.server_settings import ServerSettings
from kintrace.http.throttle import LoginThrottle, SignUpThrottle
from kintrace.server import checkpoints, news_schedule, warm_up
from kintrace.services.genetic_crypto import configured_key
from kintrace.settings import current
from kintrace.store.db import make_engine
from kintrace.web import dna_report, dossier, letters
from kintrace.web.app import include_web

# The documents the API hands out are written with the web pages' catalogs (see api/documents.py).
DOCUMENTS = DocumentMakers(
    dossier=dossier.dossier_document,
    identification_report=dna_report.identification_report_document,
    letter=letters.letter_document,
)


def create_app(database_url: str, secret_key: str | None, demo: bool = False) -> FastAPI:
    """Build the app. Outside the demo, raises InsecureSecretKey for a missing, short or default key.

    The settings (kintrace.settings) are read and checked now; the parts that ask for them later
    (the attachments folder, the frequency table, the dashboard's caches) read them again per use.
    """
    config = current()  # SettingsError, naming the variable, stops the start: every variable is read here
    settings = ServerSettings.build(database_url, secret_key, demo, config)
    schedule = checkpoints.schedule_from_settings(config)  # AnchorError stops the start
    news = news_schedule.schedule_from_settings(config)  # NewsConfigError stops it: mis-set mail is no mail
    genetic_key = configured_key(demo)  # GeneticKeyError stops the start outside the demo
    app = FastAPI(
        title="kintrace",
        version=kintrace.__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=None,  # served by include_api from the vendored Swagger UI
        redoc_url=None,
    )
    engine = make_engine(database_url)
    app.state.settings = settings
    app.state.genetic_key = genetic_key
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
    app.state.login_throttle = LoginThrottle()
    app.state.signup_throttle = SignUpThrottle()
    checkpoints.install(app, app.state.sessionmaker, schedule)
    news_schedule.install(app, app.state.sessionmaker, news)
    warm_up.install(app)  # the matching engine and the DNA arrival tables, in the background

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders, hsts=not demo)
    include_api(app, DOCUMENTS)
    include_web(app)  # the families' portal, the caseworkers' desk and the admin pages
    return app
