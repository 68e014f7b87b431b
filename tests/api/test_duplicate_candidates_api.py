"""The engine's candidate duplicates over the API: filing proposes links, the queue lists the rest."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kintrace.domain.vocabulary import Role

PERSON = {
    "last_name": "Гуменюк",
    "first_name": "Остап",
    "patronymic": "Богданович",
    "birth_date": "1984-07-19",
    "unit": "в/ч А4471",
}
OTHERS = [
    {"last_name": "Литвиненко", "first_name": "Петро", "birth_date": "1970"},
    {"last_name": "Поліщук", "first_name": "Максим", "birth_date": "1999-02-03"},
]


def test_filing_links_a_known_person_and_the_queue_shows_pairs_after_unlinking(
    client: TestClient, make_user: Any, token_for: Any
) -> None:
    worker, family = token_for(make_user(Role.CASEWORKER)), token_for(make_user(Role.FAMILY))
    for other in OTHERS:
        assert client.post("/api/v1/cases", json={"person": other}, headers=worker).status_code == 201
    first = client.post("/api/v1/cases", json={"person": PERSON}, headers=worker).json()
    # A family files the same man: the answer tells it nothing of the first case.
    second = client.post("/api/v1/cases", json={"person": PERSON}, headers=family)
    assert second.status_code == 201 and first["reference"] not in second.text
    second_id = second.json()["id"]
    assert client.get(f"/api/v1/cases/{second_id}/duplicates", headers=family).status_code == 403
    assert client.get(f"/api/v1/cases/{second_id}/duplicate-candidates", headers=family).status_code == 403
    assert client.get("/api/v1/duplicates", headers=family).status_code == 403
    links = client.get(f"/api/v1/cases/{second_id}/duplicates", headers=worker).json()
    assert [(x["case_id"], x["other_case_id"]) for x in links] == [(first["id"], second_id)]
    assert "surname=exact" in links[0]["note"]
    # Linked pairs are not proposed again; unlinked, the pair is back with its reasons.
    assert client.get("/api/v1/duplicates", headers=worker).json() == []
    assert client.delete(f"/api/v1/duplicates/{links[0]['id']}", headers=worker).status_code == 204
    pairs = client.get("/api/v1/duplicates", headers=worker).json()
    assert [(p["case_id"], p["other_case_id"], p["band"]) for p in pairs] == [
        (first["id"], second_id, "link")
    ]
    fields = {r["field"]: r for r in pairs[0]["reasons"]}
    assert fields["birth_date"]["bayes_factor"] > 1 and fields["surname"]["level"] == "exact"
    one = client.get(f"/api/v1/cases/{first['id']}/duplicate-candidates", headers=worker).json()
    # One case's pairs score as in the full run (its own rows count once more in the term
    # frequencies, which moves the weights of a four-case registry a little, not the band).
    assert [(p["case_id"], p["other_case_id"], p["band"]) for p in one] == [(first["id"], second_id, "link")]
    assert abs(one[0]["probability"] - pairs[0]["probability"]) < 1e-3
    assert client.get("/api/v1/cases/999999/duplicate-candidates", headers=worker).status_code == 404
