"""The public statistics page (/statistics): the registry's figures for anyone, no sign-in, no names."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kintrace.http.deps import Db
from kintrace.services import statistics as statistics_service
from kintrace.web import charts, labels
from kintrace.web.i18n import gettext_for
from kintrace.web.pages import language_of, render
from kintrace.web.routing import PageRoute
from kintrace.web.session import signed_in_user

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/statistics")
def statistics_page(request: Request, db: Db) -> Response:
    figures = statistics_service.public_statistics(db)
    _ = gettext_for(language_of(request))
    withheld = _("fewer than 5")
    status_chart = charts.paired_bar_chart(
        _("Cases by status"),
        [(_(labels.STATUS[row.status]), row.official, row.evidence) for row in figures.by_status],
        (_("Official status"), _("What the evidence shows")),
        withheld,
    )
    waits = [
        (row.authority, round(row.median_days))
        for row in figures.authorities
        if row.authority is not None and row.median_days is not None
    ]
    wait_chart = charts.bar_chart(_("Median days a request has waited, by authority"), waits) if waits else ""
    return render(
        request,
        "statistics.html",
        {"fig": figures, "status_chart": status_chart, "wait_chart": wait_chart, "withheld": withheld},
        user=signed_in_user(request, db),
    )
