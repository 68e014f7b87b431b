"""The public statistics as JSON and as a page: no sign-in, no name, no count under 5."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import PersonStatus
from kintrace.store.models import MissingPerson


def _registry(factories: Any) -> None:
    for _ in range(7):
        factories.CaseFactory(official_status=PersonStatus.MISSING, evidence_status=PersonStatus.MISSING)
    for _ in range(2):
        factories.CaseFactory(
            official_status=PersonStatus.CONFIRMED_DEAD, evidence_status=PersonStatus.MISSING
        )
    for days in range(40, 46):
        factories.StatusRequestFactory(
            authority="Міністерство оборони України", submitted_on=dt.date.today() - dt.timedelta(days=days)
        )
    factories.StatusRequestFactory(authority="Прокурор Іваненко Петро Семенович")  # one: never named


def test_the_figures_as_json_without_sign_in(client: TestClient, factories: Any) -> None:
    _registry(factories)
    response = client.get("/api/v1/statistics")
    assert response.status_code == 200
    body = response.json()
    assert body["minimum_count"] == 5 and body["cases"] == 16  # 9 above, 7 made by the requests
    rows = {row["status"]: (row["official"], row["evidence"]) for row in body["by_status"]}
    # Officially 14 missing and 2 dead: the 2 is withheld, and with the total of 16 published the 14
    # would give it away, so it is withheld too.
    assert rows == {"missing": (None, 16), "confirmed_dead": (None, 0)}
    named, pooled = body["authorities"]
    assert named["authority"] == "Міністерство оборони України" and named["pending"] == 6
    assert named["overdue"] == 6 and named["median_days"] == 42.5 and named["longest_days"] == 45
    assert pooled == {
        "authority": None,
        "pending": None,
        "overdue": None,
        "median_days": None,
        "p90_days": None,
        "longest_days": None,
    }
    assert "Іваненко" not in response.text


def test_the_page_in_ukrainian_shows_no_name(client: TestClient, factories: Any, session: Session) -> None:
    _registry(factories)
    session.flush()
    names = session.scalars(select(MissingPerson.last_name)).all()
    assert len(names) == 16
    page = client.get("/statistics", headers={"accept-language": "uk"})
    assert page.status_code == 200
    text = page.text
    assert "Статистика" in text and "менше 5" in text and "Міністерство оборони України" in text
    assert "Іваненко" not in text and "Other authorities" not in text and "Інші органи влади" in text
    assert not [name for name in names if name in text]
    assert "<svg" in text  # the plots
