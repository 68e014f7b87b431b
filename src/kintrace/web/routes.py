"""`mount(app)`: the name the app factory may use to add the web pages (same as `app.include_web`)."""

from __future__ import annotations

from fastapi import FastAPI

from kintrace.web.app import include_web


def mount(app: FastAPI) -> None:
    include_web(app)
