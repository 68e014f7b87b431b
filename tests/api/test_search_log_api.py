"""The search log and the consent to list matching through the API: a family's own cases only."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.services.search_log_rows import check, entry, pair, published_list

from kintrace.domain.lists import PairDecision, SearchResult
from kintrace.domain.vocabulary import Role


def test_a_family_reads_its_log_with_list_facts_only(
    client: TestClient, make_user: Any, token_for: Any, factories: Any, session: Any
) -> None:
    mother, stranger = make_user(Role.FAMILY), make_user(Role.FAMILY)
    case = factories.CaseFactory(list_matching_consent=True, list_matching_basis="agreed when filing")
    factories.CaseMemberFactory(case=case, user=mother)
    exchange = published_list(session, "Обмін 14 листопада", publisher="Коордштаб")
    prisoners = published_list(session, "Полонені", published_on="2026-10")
    check(session, case, exchange, SearchResult.FOUND)
    check(session, case, prisoners, SearchResult.UNDER_REVIEW)
    pair(session, case, entry(session, exchange, "Шевченко"), PairDecision.ACCEPTED)
    pair(session, case, entry(session, prisoners, "Кравчук", "Олексій"))

    answer = client.get(f"/api/v1/cases/{case.id}/search-log", headers=token_for(mother))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["lists_checked"] == 2
    assert body["list_matching"]["consent"] is True
    assert body["list_matching"]["basis"] == "agreed when filing"
    assert [line["title"] for line in body["found_on"]] == ["Обмін 14 листопада"]
    assert {line["title"]: line["result"] for line in body["lines"]} == {
        "Обмін 14 листопада": "found",
        "Полонені": "under_review",
    }
    assert "Кравчук" not in answer.text and "Олексій" not in answer.text
    missing = client.get(f"/api/v1/cases/{case.id}/search-log", headers=token_for(stranger))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_consent_through_the_api(client: TestClient, make_user: Any, token_for: Any, factories: Any) -> None:
    mother, worker = make_user(Role.FAMILY), make_user(Role.CASEWORKER)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=mother)
    url = f"/api/v1/cases/{case.id}/list-matching-consent"

    given = client.put(url, json={"consent": True}, headers=token_for(mother))
    assert given.status_code == 200, given.text
    assert given.json()["consent"] is True and given.json()["basis"] == "agreed in the portal"

    no_basis = client.put(url, json={"consent": False}, headers=token_for(worker))
    assert no_basis.status_code == 422
    assert "basis" in no_basis.text
    withdrawn = client.put(
        url, json={"consent": False, "basis": "лист від 02.12.2026"}, headers=token_for(worker)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["consent"], withdrawn.json()["basis"]) == (False, "лист від 02.12.2026")

    log = client.get(f"/api/v1/cases/{case.id}/search-log", headers=token_for(mother)).json()
    assert log["list_matching"]["consent"] is False
    assert log["lines"] == [] and log["latest"] is None
    assert client.put(url, json={"consent": True, "extra": 1}, headers=token_for(mother)).status_code == 422
