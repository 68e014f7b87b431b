"""The dashboard's trend: rebuilt beside the views, never while one waits (issue 11, 'also seen')."""

from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import sign_in


def test_an_old_trend_is_served_while_one_thread_reads_it_again(
    web_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:

    worker = sign_in(web_app, *CASEWORKER)
    assert worker.get("/desk").status_code == 200
    first = web_app.state.web_status_trend
    monkeypatch.setenv("KINTRACE_TREND_CACHE_S", "0")
    assert worker.get("/desk").status_code == 200  # served the kept trend; a rebuild starts beside it
    for thread in threading.enumerate():
        if thread.name == "trend-rebuild":
            thread.join(timeout=30)
    assert web_app.state.web_status_trend[0] > first[0]
    assert web_app.state.web_status_trend[1].counts == first[1].counts


def _unverified(page: str) -> int:
    import re

    found = re.search(r'<span class="figure">(\d+)</span> waiting to be verified', page)
    assert found, page[:2000]
    return int(found.group(1))


def test_the_figures_are_kept_until_a_change_and_then_read_again(
    web_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.web.test_pages import file_case, sign_up

    worker = sign_in(web_app, *CASEWORKER)
    first = worker.get("/desk").text
    kept = web_app.state.web_live_figures
    assert "Figures as of " in first and kept[1].computed_at.strftime("%H:%M:%S") in first
    assert worker.get("/desk").status_code == 200
    assert web_app.state.web_live_figures is kept  # nothing changed: served the kept figures
    before = _unverified(first)

    monkeypatch.setenv("KINTRACE_DASHBOARD_CACHE_S", "3600")
    file_case(sign_up(web_app))  # an audited change, but the kept figures are younger than the hour
    assert _unverified(worker.get("/desk").text) == before
    assert web_app.state.web_live_figures is kept

    monkeypatch.setenv("KINTRACE_DASHBOARD_CACHE_S", "0")
    assert _unverified(worker.get("/desk").text) == before + 1  # read again after the change
    again = web_app.state.web_live_figures
    assert again is not kept and again[1].stamp > kept[1].stamp
    assert worker.get("/desk").status_code == 200
    assert web_app.state.web_live_figures is again  # and kept again while nothing changes


def test_old_unchanged_figures_are_read_again_beside_the_views(
    web_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kintrace.web import dashboard

    worker = sign_in(web_app, *CASEWORKER)
    assert worker.get("/desk").status_code == 200
    kept = web_app.state.web_live_figures
    monkeypatch.setattr(dashboard, "DASHBOARD_MAX_AGE_S", 0.0)
    assert worker.get("/desk").status_code == 200  # served the kept figures; a thread reads them again
    for thread in threading.enumerate():
        if thread.name == "dashboard-reread":
            thread.join(timeout=30)
    assert web_app.state.web_live_figures[0] > kept[0]
    assert web_app.state.web_live_figures[1].counts == kept[1].counts
