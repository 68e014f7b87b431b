"""Collective appeals through the API: a caseworker drafts, families join, the letter goes out, answers."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from fastapi.testclient import TestClient

from kintrace.domain.vocabulary import Role

APPEAL = {
    "title": "Про включення до списків на обмін",
    "authority": "Координаційний штаб з питань поводження з військовополоненими",
    "demand": "exchange_lists",
    "text": "Просимо включити наших рідних до списків.",
    "language": "uk",
}


def _family(factories: Any, make_user: Any, token_for: Any) -> tuple[dict[str, str], Any]:
    user = make_user(Role.FAMILY)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=user, relation="reporter")
    return token_for(user), case


def test_the_whole_appeal(client: TestClient, make_user: Any, token_for: Any, factories: Any) -> None:
    worker = token_for(make_user(Role.CASEWORKER))
    mother, her_case = _family(factories, make_user, token_for)
    wife, his_case = _family(factories, make_user, token_for)
    made = client.post("/api/v1/appeals", json=APPEAL, headers=worker)
    assert made.status_code == 201, made.text
    appeal_id = made.json()["id"]
    # Families see the draft and join with consent; without it they are refused, naming the field.
    refused = client.post(
        f"/api/v1/appeals/{appeal_id}/join",
        json={"case_id": her_case.id, "signatory": "Олена", "consent": False},
        headers=mother,
    )
    assert refused.status_code == 422 and "consent" in refused.text
    for token, case, name in ((mother, her_case, "Олена Коваль"), (wife, his_case, "Ірина Бойко")):
        joined = client.post(
            f"/api/v1/appeals/{appeal_id}/join",
            json={"case_id": case.id, "signatory": name, "consent": True},
            headers=token,
        )
        assert joined.status_code == 201, joined.text
    seen = client.get(f"/api/v1/appeals/{appeal_id}", headers=mother).json()
    assert seen["cases"] == 2 and [s["signatory"] for s in seen["signatories"]] == ["Олена Коваль"]
    assert "Ірина" not in str(seen)
    # Another family's case cannot be taken out by her.
    assert (
        client.delete(f"/api/v1/appeals/{appeal_id}/cases/{his_case.id}", headers=mother).status_code == 404
    )
    letter = client.get(f"/api/v1/appeals/{appeal_id}/letter", headers=worker)
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/appeals/{appeal_id}/letter", headers=mother).status_code == 403
    today = dt.date.today().isoformat()
    sent = client.post(
        f"/api/v1/appeals/{appeal_id}/send",
        json={"sent_on": today, "channel": "пошта", "reference_number": "Вх-1"},
        headers=worker,
    )
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    assert sent.json()["letter_sha256"] == hashlib.sha256(letter.content).hexdigest()  # the same letter
    assert (
        client.delete(f"/api/v1/appeals/{appeal_id}/cases/{her_case.id}", headers=mother).status_code == 409
    )
    answered = client.post(
        f"/api/v1/appeals/{appeal_id}/answers",
        json={"received_on": today, "text": "Розглянуто"},
        headers=worker,
    )
    assert answered.status_code == 201 and answered.json()["state"] == "answered"
    outcome = client.put(
        f"/api/v1/appeals/{appeal_id}/cases/{her_case.id}/outcome",
        json={"outcome": "granted", "note": "Включено до списку"},
        headers=worker,
    )
    assert outcome.status_code == 200
    (mine,) = client.get(f"/api/v1/cases/{her_case.id}/appeals", headers=mother).json()
    assert mine["signatories"][0]["outcome"] == "granted" and mine["answers"][0]["text"] == "Розглянуто"
    # A family whose case is not in a sent appeal does not see it.
    other, _ = _family(factories, make_user, token_for)
    assert client.get(f"/api/v1/appeals/{appeal_id}", headers=other).status_code == 404
    assert client.post("/api/v1/appeals", json=APPEAL, headers=mother).status_code == 403
