"""The figures of the desk's dashboard, each from the same services the API uses.

The figures are read in a few queries (a GROUP BY each, or a page with its count), about a quarter of
a second at 100,000 cases, so they are kept between views (`live_figures`): a view serves the kept
figures while no change has been audited since they were read (the newest audit row's id, one index
lookup), and reads them again when one has and they are older than KINTRACE_DASHBOARD_CACHE_S (5 s), so a page
is at most that stale after a change, and says as of when. Unchanged figures are read again after
DASHBOARD_MAX_AGE_S (a change written outside the services is not audited) by a thread beside the
views, as the trend is.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kintrace import settings
from kintrace.domain.contradictions import Contradiction
from kintrace.domain.vocabulary import CaseState, PersonStatus, StatusTrack
from kintrace.services import cases as case_service
from kintrace.services import contradictions as contradiction_service
from kintrace.services import requests as request_service
from kintrace.services import status as status_service
from kintrace.services.access import Actor
from kintrace.services.cases import CaseFilter
from kintrace.services.requests import RequestView
from kintrace.store.db import transaction
from kintrace.store.models import AuditEntry, Case
from kintrace.web import charts, labels
from kintrace.web.i18n import gettext_for
from kintrace.web.pages import language_of

log = logging.getLogger(__name__)

# Days-pending bins: lower edges; the last bin is open-ended.
PENDING_EDGES = (0, 30, 60, 90, 180, 365)
# Contradictions are found per case by the timeline rules; the dashboard checks the newest open cases.
CONTRADICTION_WINDOW = 200


@dataclass(frozen=True)
class CaseLine:
    """A case as the dashboard lists it (plain values: kept between views, outside any session)."""

    id: int
    reference: str
    last_name: str | None
    first_name: str | None
    patronymic: str | None

    @classmethod
    def of(cls, case: Case) -> CaseLine:
        person = case.person
        return cls(case.id, case.reference, person.last_name, person.first_name, person.patronymic)


@dataclass(frozen=True)
class OverdueLine:
    case_id: int
    reference: str
    authority: str
    requested_status: PersonStatus
    days_pending: int
    days_overdue: int

    @classmethod
    def of(cls, view: RequestView) -> OverdueLine:
        request = view.request
        return cls(
            request.case_id,
            request.case.reference,
            request.authority,
            request.requested_status,
            view.days_pending,
            view.days_overdue,
        )


@dataclass(frozen=True)
class ContradictionLine:
    case_id: int
    reference: str
    rule: str

    @classmethod
    def of(cls, case: Case, contradiction: Contradiction) -> ContradictionLine:
        return cls(case.id, case.reference, contradiction.rule)


@dataclass(frozen=True)
class LiveFigures:
    """Every figure but the trend, in no language: what is kept between views."""

    counts: list[tuple[PersonStatus, int, int]]  # status, cases on the official track, on the evidence track
    total: int
    unverified: list[CaseLine]
    unverified_total: int
    overdue: list[OverdueLine]
    overdue_total: int
    pending_bins: list[tuple[str, int]]
    contradictions: list[ContradictionLine]
    contradiction_window: int
    stamp: int  # the newest audit row's id when they were read
    computed_at: dt.datetime


@dataclass(frozen=True)
class Figures:
    counts: list[tuple[PersonStatus, int, int]]  # status, cases on the official track, on the evidence track
    total: int
    unverified: list[CaseLine]
    unverified_total: int
    overdue: list[OverdueLine]
    overdue_total: int
    pending_bins: list[tuple[str, int]]
    contradictions: list[ContradictionLine]
    contradiction_window: int
    computed_at: dt.datetime
    status_chart: str
    pending_chart: str
    trend: Trend
    trend_statuses: list[PersonStatus]
    trend_chart: str


@dataclass(frozen=True)
class Trend:
    months: list[str]
    counts: dict[PersonStatus, list[int]]
    computed_at: dt.datetime


def pending_histogram(session: Session, actor: Actor) -> list[tuple[str, int]]:
    """Cases by how long their oldest pending status-change request has waited (one GROUP BY)."""
    counts = case_service.pending_bins(session, actor, PENDING_EDGES)
    bins = []
    for index, (edge, count) in enumerate(zip(PENDING_EDGES, counts, strict=True)):
        upper = PENDING_EDGES[index + 1] if index + 1 < len(PENDING_EDGES) else None
        bins.append((f"{edge}-{upper - 1}" if upper is not None else f"{edge}+", count))
    return bins


TREND_MONTHS = 12
# The one figure kept between views: the trend reads every case's whole history. Kept at most a
# minute (the page says as of when); KINTRACE_TREND_CACHE_S=0 rebuilds it on every view (benchmarks).
TREND_CACHE_MAX_S = 60.0


def trend_cache_s() -> float:
    return min(TREND_CACHE_MAX_S, settings.current().trend_cache_s)


def _month_ends(today: dt.date, months: int) -> list[dt.date]:
    ends = []
    year, month = today.year, today.month
    for _ in range(months):
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        ends.append(min(today, following - dt.timedelta(days=1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return ends[::-1]


def status_trend(session: Session, actor: Actor, today: dt.date, months: int = TREND_MONTHS) -> Trend:
    """Cases in each official status at the end of each of the last `months` months: counted by the
    database in one aggregate query (status_service.counts_at_ends), where reading the whole history
    into the server held its interpreter for a second or two at 100,000 cases."""
    ends = _month_ends(today, months)
    counts = status_service.counts_at_ends(session, actor, StatusTrack.OFFICIAL, ends)
    return Trend(months=[end.strftime("%Y-%m") for end in ends], counts=counts, computed_at=dt.datetime.now())


_REBUILDING = threading.Lock()


def cached_trend(session: Session, actor: Actor, request: Request) -> Trend:
    """The trend reads every case's history, so it is kept for up to a minute (staff all see the same).

    Only the first view waits for it. Once it is older than trend_cache_s(), views are served the kept
    one while a single background thread reads it again, so no view waits a rebuild.
    """
    state = request.app.state
    cached: tuple[float, Trend] | None = getattr(state, "web_status_trend", None)
    if cached is None:
        cached = (time.monotonic(), status_trend(session, actor, dt.date.today()))
        state.web_status_trend = cached
    elif time.monotonic() - cached[0] > trend_cache_s() and _REBUILDING.acquire(blocking=False):
        threading.Thread(target=_rebuild, args=(state, actor), name="trend-rebuild", daemon=True).start()
    return cached[1]


def _rebuild(state: Any, actor: Actor) -> None:
    try:
        with transaction(state.sessionmaker, reading=True) as session:
            state.web_status_trend = (time.monotonic(), status_trend(session, actor, dt.date.today()))
    except Exception:  # the kept trend stays; the next view tries again
        log.exception("rebuilding the status trend failed")
    finally:
        _REBUILDING.release()


# A view after an audited change reads the figures again once they are this old (the page says as of
# when); KINTRACE_DASHBOARD_CACHE_S=0 reads them on every view after a change. Unchanged figures are
# read again beside the views after DASHBOARD_MAX_AGE_S.
DASHBOARD_MAX_AGE_S = 60.0


def dashboard_cache_s() -> float:
    return settings.current().dashboard_cache_s


def audit_stamp(session: Session) -> int:
    """The newest audit row's id: every change the services make writes one (one index lookup)."""
    return int(session.scalar(select(func.max(AuditEntry.id))) or 0)


def read_live_figures(session: Session, actor: Actor) -> LiveFigures:
    """Every figure but the trend, each in one query (a GROUP BY, or a page with its count)."""
    stamp = audit_stamp(session)  # read first: a change made while reading makes the next view read again
    counts = case_service.status_table(session, actor)
    unverified = case_service.list_cases(session, actor, CaseFilter(state=CaseState.UNVERIFIED), per_page=20)
    overdue = request_service.overdue_requests(session, actor, per_page=10)
    newest = case_service.list_cases(
        session, actor, CaseFilter(state=CaseState.OPEN), per_page=CONTRADICTION_WINDOW
    )
    conflicts = contradiction_service.contradictions_of_cases(
        session, actor, [case.id for case in newest.items]
    )
    return LiveFigures(
        counts=[(s, counts[StatusTrack.OFFICIAL][s], counts[StatusTrack.EVIDENCE][s]) for s in PersonStatus],
        total=sum(counts[StatusTrack.OFFICIAL].values()),
        unverified=[CaseLine.of(case) for case in unverified.items],
        unverified_total=unverified.total,
        overdue=[OverdueLine.of(view) for view in overdue.items],
        overdue_total=overdue.total,
        pending_bins=pending_histogram(session, actor),
        contradictions=[
            ContradictionLine.of(case, conflict)
            for case in newest.items
            for conflict in conflicts.get(case.id, [])
        ],
        contradiction_window=len(newest.items),
        stamp=stamp,
        computed_at=dt.datetime.now(),
    )


_READING_LIVE = threading.Lock()


def live_figures(session: Session, actor: Actor, request: Request) -> LiveFigures:
    """The kept figures while nothing changed (or they are younger than dashboard_cache_s()), else read
    now. Staff all see every case, so one set serves them all; anyone else gets their own, unkept."""
    if not actor.is_staff:
        return read_live_figures(session, actor)
    state = request.app.state
    kept: tuple[float, LiveFigures] | None = getattr(state, "web_live_figures", None)
    if kept is not None:
        age = time.monotonic() - kept[0]
        if audit_stamp(session) == kept[1].stamp or age < dashboard_cache_s():
            if age > DASHBOARD_MAX_AGE_S and _READING_LIVE.acquire(blocking=False):
                threading.Thread(
                    target=_read_live_again, args=(state, actor), name="dashboard-reread", daemon=True
                ).start()
            return kept[1]
    read = (time.monotonic(), read_live_figures(session, actor))
    state.web_live_figures = read
    return read[1]


def _read_live_again(state: Any, actor: Actor) -> None:
    try:
        with transaction(state.sessionmaker, reading=True) as session:
            state.web_live_figures = (time.monotonic(), read_live_figures(session, actor))
    except Exception:  # the kept figures stay; the next view tries again
        log.exception("reading the dashboard's figures again failed")
    finally:
        _READING_LIVE.release()


def dashboard_figures(session: Session, actor: Actor, request: Request) -> Figures:
    _ = gettext_for(language_of(request))
    live = live_figures(session, actor, request)
    trend = cached_trend(session, actor, request)
    shown = [status for status in PersonStatus if any(trend.counts[status])]
    status_rows = [(_(labels.STATUS[status]), official) for status, official, _evidence in live.counts]
    return Figures(
        counts=live.counts,
        total=live.total,
        unverified=live.unverified,
        unverified_total=live.unverified_total,
        overdue=live.overdue,
        overdue_total=live.overdue_total,
        pending_bins=live.pending_bins,
        contradictions=live.contradictions,
        contradiction_window=live.contradiction_window,
        computed_at=live.computed_at,
        status_chart=charts.bar_chart(_("Cases by official status"), status_rows),
        pending_chart=charts.histogram(
            _("Cases by days their oldest request has been pending"), live.pending_bins
        ),
        trend=trend,
        trend_statuses=shown,
        trend_chart=charts.small_multiples(
            _("Cases by official status at the end of each month"),
            trend.months,
            [(_(labels.STATUS[status]), trend.counts[status]) for status in shown],
            change=_("%(first)s in %(month)s"),
        ),
    )
