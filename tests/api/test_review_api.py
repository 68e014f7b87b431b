"""The review queue through the API: strongest first with filters, a pair with its fields, decisions with
reasons (a bad one named by field), and families kept out."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.services import list_helpers as lists

from kintrace.domain.lists import PairBand
from kintrace.domain.vocabulary import Role


def _world(session: Session, factories: Any, family_user: Any) -> dict[str, int]:
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=family_user, relation="reporter")
    listed = lists.published_list(session, title="Полонені, список 7", publisher="Омбудсман")
    strong = lists.pair(session, listed, lists.entry(session, listed, 2), case)
    weak = lists.pair(
        session,
        listed,
        lists.entry(session, listed, 5, ("ШЕВЧУК", "Андрій", "Іванович")),
        case,
        band=PairBand.REVIEW,
        weight=0.25,
    )
    return {"list": listed.id, "strong": strong.id, "weak": weak.id, "case": case.id}


def test_the_queue_a_pair_and_a_decision(
    client: TestClient, session: Session, make_user: Any, token_for: Any, factories: Any
) -> None:
    family_user = make_user(Role.FAMILY)
    world = _world(session, factories, family_user)
    worker, analyst, family = (
        token_for(make_user(Role.CASEWORKER)),
        token_for(make_user(Role.ANALYST)),
        token_for(family_user),
    )
    queue = client.get(f"/api/v1/review?list_id={world['list']}", headers=analyst)
    assert queue.status_code == 200, queue.text
    body = queue.json()
    assert [p["id"] for p in body["items"]] == [world["strong"], world["weak"]] and body["total"] == 2
    only = client.get(f"/api/v1/review?list_id={world['list']}&band=review", headers=analyst).json()
    assert [p["id"] for p in only["items"]] == [world["weak"]]
    assert client.get("/api/v1/review?band=maybe", headers=analyst).status_code == 422

    pair = client.get(f"/api/v1/review/{world['strong']}", headers=analyst).json()
    assert pair["entry"]["name_as_written"] == "ШЕВЧЕНКО Андрій Петрович"
    assert pair["entry"]["raw"]["Прізвище"] == "ШЕВЧЕНКО" and pair["list"]["publisher"] == "Омбудсман"
    surname = pair["fields"][0]
    assert surname == {"field": "surname", "level": "exact", "bayes_factor": 412.0, "weight": math.log2(412)}
    assert pair["prior_weight"] == -12.0
    assert pair["prior_weight"] + sum(f["weight"] for f in pair["fields"]) == pytest.approx(
        pair["match_weight"]
    )

    url = f"/api/v1/review/{world['strong']}/decision"
    refused = client.post(url, json={"decision": "unsure"}, headers=worker)
    assert refused.status_code == 422 and "reason" in refused.text
    assert client.post(url, json={"decision": "maybe", "reason": "x"}, headers=worker).status_code == 422
    assert client.post(url, json={"decision": "accepted"}, headers=analyst).status_code == 403
    assert client.post(url, json={"decision": "accepted"}, headers=family).status_code == 403
    done = client.post(url, json={"decision": "accepted"}, headers=worker)
    assert done.status_code == 200, done.text
    assert done.json()["decision"] == "accepted" and done.json()["evidence_id"]
    item = client.get(f"/api/v1/evidence/{done.json()['evidence_id']}", headers=family).json()
    assert (
        item["text"]
        == "Є у списку «Полонені, список 7» (Омбудсман, 2026-10-02), запис 2: ШЕВЧЕНКО Андрій Петрович"
    )
    again = client.post(url, json={"decision": "accepted", "reason": "again"}, headers=worker)
    assert again.status_code == 409
    remaining = client.get(f"/api/v1/review?list_id={world['list']}", headers=worker).json()
    assert [p["id"] for p in remaining["items"]] == [world["weak"]]

    assert client.get("/api/v1/review", headers=family).status_code == 403
    assert client.get(f"/api/v1/review/{world['weak']}", headers=family).status_code == 403
    assert client.get("/api/v1/review/987654321", headers=worker).status_code == 404
