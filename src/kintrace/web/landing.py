"""The front page (/): what kintrace is and where to go, in the reader's language."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

import kintrace
from kintrace.http.deps import Db
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import signed_in_user

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def landing(request: Request, db: Db) -> Response:
    context = {"version": kintrace.__version__, "docs_url": "/docs", "openapi_url": "/api/v1/openapi.json"}
    return render(request, "landing.html", context, user=signed_in_user(request, db))
