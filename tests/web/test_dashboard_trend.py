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
    from kintrace.web import dashboard

    worker = sign_in(web_app, *CASEWORKER)
    assert worker.get("/desk").status_code == 200
    first = web_app.state.web_status_trend
    monkeypatch.setattr(dashboard, "TREND_CACHE_S", 0.0)
    assert worker.get("/desk").status_code == 200  # served the kept trend; a rebuild starts beside it
    for thread in threading.enumerate():
        if thread.name == "trend-rebuild":
            thread.join(timeout=30)
    assert web_app.state.web_status_trend[0] > first[0]
    assert web_app.state.web_status_trend[1].counts == first[1].counts
