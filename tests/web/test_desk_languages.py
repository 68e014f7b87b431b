"""The desk's divergence line, rule details and contradiction explanations in the page's language."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.domain.contradictions import RULES as CONTRADICTION_RULES
from kintrace.domain.status import RULES as STATUS_RULES

ENGLISH_WORDS = re.compile(r"\b(official|evidence|item|items|and|since|Here|days?|superseded|confirms?)\b")


def _details(page: str) -> list[str]:
    found = re.findall(r'class="(?:detail|divergence)"[^>]*>(.*?)</(?:span|p)>', page, flags=re.S)
    return [html.unescape(text) for text in found]


@pytest.fixture(scope="module")
def contradicted_case(web_app: FastAPI) -> int:
    family = sign_up(web_app, "nadia")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    dead = {
        "claim": "dead",
        "event_year": "2024",
        "event_month": "2",
        "source_name": "Military commissariat",
        "source_kind": "official_body",
        "reliability": "A",
        "credibility": "1",
        "visibility": "internal",
        "csrf_token": token,
    }
    alive = {**dead, "claim": "alive", "event_month": "5", "source_name": "ICRC", "visibility": "family"}
    alive["source_kind"] = "humanitarian_organisation"
    alive["reliability"], alive["credibility"] = "C", "3"
    for form in (dead, alive):
        assert worker.post(f"/desk/cases/{case_id}/evidence", data=form).status_code == 303
    return case_id


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_the_desk_shows_no_english_rule_text_in_ukrainian_or_russian(
    web_app: FastAPI, contradicted_case: int, language: str
) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get(f"/desk/cases/{contradicted_case}", headers={"accept-language": language}).text
    details = _details(page)
    # The divergence line, the rule's detail and one explanation per contradiction.
    assert len(details) >= 3, details
    for text in details:
        assert not ENGLISH_WORDS.search(text), text
        assert re.search("[а-яіїєґ]", text, flags=re.I) or re.fullmatch(r"[#\d\s;(),.:A-Za-z0-9-]*", text), (
            text
        )
    for sentence in (*STATUS_RULES.values(), *CONTRADICTION_RULES.values()):
        assert sentence not in page
    assert "official:" not in page and "evidence:" not in page
    # The structured parts survive: the rule id, the item numbers and the sources' names.
    assert "C1-alive-after-death" in page and "Military commissariat" in details[-1]


def test_the_desk_keeps_the_domains_exact_english(web_app: FastAPI, contradicted_case: int) -> None:
    from sqlalchemy.orm import Session

    from kintrace.services import contradictions, status
    from kintrace.services.access import SYSTEM
    from kintrace.store.db import make_engine

    worker = sign_in(web_app, *CASEWORKER)
    page = html.unescape(
        worker.get(f"/desk/cases/{contradicted_case}", headers={"accept-language": "en"}).text
    )
    engine = make_engine(web_app.state.settings.database_url)
    with Session(engine) as session:
        view = status.status_view(session, SYSTEM, contradicted_case)
        found = contradictions.case_contradictions(session, SYSTEM, contradicted_case)
    engine.dispose()
    assert view.divergence and view.divergence in page
    assert view.derivation.rule_text in page
    assert found and all(c.explanation in page for c in found)
