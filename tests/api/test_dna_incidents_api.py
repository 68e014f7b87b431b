"""Incidents through the API: create, list, detail, families considered, the joint result, a proposal
into the four-eyes review; families are refused everywhere; bad input names the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.test_dna_api import DAY, _reference
from tests.services.dna_helpers import frequency_file, long_csv, trio

from kintrace.domain.vocabulary import Role


def _remains(client: TestClient, headers: dict[str, str], code: str, incident: str) -> int:
    made = client.post(
        "/api/v1/dna/remains",
        json={
            "code": code,
            "incident": incident,
            "recovered_on": DAY,
            "body_number": code,
            "laboratory": "L",
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_incident_workflow_through_the_api(
    client: TestClient,
    make_user: Any,
    token_for: Any,
    factories: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    worker = token_for(make_user(Role.CASEWORKER))
    first, second = token_for(make_user(Role.ANALYST)), token_for(make_user(Role.ANALYST))
    family_user = make_user(Role.FAMILY)
    family = token_for(family_user)
    own, other = factories.CaseFactory(), factories.CaseFactory()
    factories.CaseMemberFactory(case=own, user=family_user, relation="reporter")
    father = factories.RelativeFactory(case=own, relationship_="father", is_reporter=False)
    mother = factories.RelativeFactory(case=other, relationship_="mother", is_reporter=False)
    _reference(client, worker, own.id, father.id, "F", "father", "male")
    _reference(client, worker, other.id, mother.id, "M2", "mother", "female")

    made = client.post(
        "/api/v1/dna/incidents",
        json={"name": "Рів біля Ізюма", "kind": "mass_grave", "place": "Ізюм", "occurred_on": "2022-09"},
        headers=worker,
    )
    assert made.status_code == 201, made.text
    incident = made.json()
    assert incident["kind"] == "mass_grave" and incident["remains"] == [] and incident["cases"] == []
    url = f"/api/v1/dna/incidents/{incident['id']}"
    # Remains registered under the incident's name join it.
    sons = {code: _remains(client, worker, code, "Рів біля Ізюма") for code in ("V1", "V2", "V3")}
    a, b = trio(7), trio(99)
    export = long_csv(tmp_path, {"F": a.father, "M2": b.mother, "V1": a.son, "V2": b.son, "V3": a.stranger})
    with export.open("rb") as handle:
        imported = client.post(
            "/api/v1/dna/profiles/import", files={"file": ("e.csv", handle, "text/csv")}, headers=worker
        )
    assert imported.status_code == 201, imported.text
    for case in (own, other):
        added = client.post(f"{url}/cases", json={"case_id": case.id}, headers=first)
        assert added.status_code == 201, added.text
    sample = client.get(f"/api/v1/dna/samples/{sons['V1']}", headers=first).json()
    assert sample["incident"] == "Рів біля Ізюма" and sample["incident_id"] == incident["id"]
    detail = client.get(url, headers=first).json()
    assert {row["code"] for row in detail["remains"]} == {"V1", "V2", "V3"}
    assert all(row["has_profile"] for row in detail["remains"])
    assert [row["case_id"] for row in detail["cases"]] == [own.id, other.id]
    listed = client.get("/api/v1/dna/incidents", headers=first).json()
    assert {"name": "Рів біля Ізюма", "remains": 3, "cases": 2}.items() <= next(
        row for row in listed if row["id"] == incident["id"]
    ).items()

    joint = client.get(f"{url}/joint", headers=first)
    assert joint.status_code == 200, joint.text
    result = joint.json()
    assert result["method"] == "joint" and result["assignments"] == 13  # 1 + 3*2 + 3*2*1
    top = {pair["remains_sample_id"]: pair["case_id"] for pair in result["rows"][0]["pairs"]}
    assert top == {sons["V1"]: own.id, sons["V2"]: other.id, sons["V3"]: None}
    assert result["rows"][0]["log10_lr"] > 4 and result["rows"][0]["posterior"] > 0.99
    marginal = {(m["remains_sample_id"], m["case_id"]): m["posterior"] for m in result["marginals"]}
    assert marginal[(sons["V3"], None)] > 0.99
    assert len(result["pairwise"]) == 6
    assert "15.3" not in joint.text  # no allele leaves in a result

    proposed = client.post(
        f"{url}/proposals",
        json={"remains_sample_id": sons["V2"], "case_id": other.id, "reason": "joint"},
        headers=first,
    )
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["state"] == "proposed" and "joint posterior" in proposed.json()["proposed_reason"]
    confirm = f"/api/v1/dna/candidates/{proposed.json()['id']}/confirm"
    assert client.post(confirm, json={"reason": "me"}, headers=first).status_code == 403
    assert client.post(confirm, json={"reason": "checked"}, headers=second).status_code == 200

    # Families: refused everywhere, even for their own case's incident.
    for method, path, body in (
        ("GET", "/api/v1/dna/incidents", None),
        ("POST", "/api/v1/dna/incidents", {"name": "X"}),
        ("GET", url, None),
        ("POST", f"{url}/cases", {"case_id": own.id}),
        ("GET", f"{url}/joint", None),
        ("POST", f"{url}/proposals", {"remains_sample_id": sons["V1"], "case_id": own.id, "reason": "x"}),
    ):
        answer = client.request(method, path, json=body, headers=family)
        assert answer.status_code == 403, (method, path, answer.text)
        assert "Рів" not in answer.text
    # Bad input: the field named; a missing incident 404; a second add of a case 409.
    bad = client.post(
        "/api/v1/dna/incidents", json={"name": "Y", "occurred_on": "2022-13-01"}, headers=worker
    )
    assert bad.status_code == 422 and "occurred_on" in bad.text
    assert (
        client.post("/api/v1/dna/incidents", json={"name": "Рів біля Ізюма"}, headers=worker).status_code
        == 409
    )
    assert client.post(f"{url}/cases", json={"case_id": own.id}, headers=worker).status_code == 409
    assert client.get("/api/v1/dna/incidents/987654/joint", headers=first).status_code == 404
    # A family no longer considered leaves the next result.
    assert client.delete(f"{url}/cases/{other.id}", headers=family).status_code == 403
    assert client.delete(f"{url}/cases/{other.id}", headers=worker).status_code == 204
    assert client.delete(f"{url}/cases/{other.id}", headers=worker).status_code == 404
    assert client.get(f"{url}/joint", headers=first).json()["cases"] == [own.id]
