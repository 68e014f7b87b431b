"""Plugs the web pages into the API's FastAPI app: `include_web(app)`.

Pages live beside the API (/signin, /my/..., /desk/..., /admin/...); their assets under /static/web.
A service error on a page is answered with an HTML page (see `routing.PageRoute`), never problem JSON.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static/web"


def include_web(app: FastAPI) -> None:
    """Add the families' portal, the caseworkers' desk and the admin pages to the app."""
    from kintrace.web import (
        account,
        admin,
        appeals,
        desk,
        desk_duplicates,
        dna,
        dna_forms,
        dna_incidents,
        landing,
        lists,
        password_reset,
        photos,
        portal,
        public,
        reports,
        review,
        search_log,
        statistics,
    )

    # Idempotent, so the app factory and a test harness may both call it.
    if getattr(app.state, "web_included", False):
        return
    app.state.web_included = True
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="web-static")
    for module in (
        landing,
        public,
        password_reset,
        portal,
        desk,
        admin,
        account,
        statistics,
        reports,
        appeals,
        dna,
        dna_forms,
        dna_incidents,
        photos,
        review,
        desk_duplicates,
        search_log,
        lists,
    ):
        app.include_router(module.router)
