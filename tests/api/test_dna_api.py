"""DNA through the API: samples and consent, import of a lab export, candidates, four-eyes review, and
what a family may see (its own case's samples and search log; never codes, LRs or genotypes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.services.dna_helpers import frequency_file, long_csv, trio

from kintrace.domain.vocabulary import Role

DAY = "2026-03-02"


def _reference(
    client: TestClient,
    headers: dict[str, str],
    case_id: int,
    relative_id: int,
    code: str,
    kinship: str,
    sex: str,
) -> Any:
    made = client.post(
        f"/api/v1/cases/{case_id}/dna/samples",
        json={
            "code": code,
            "relative_id": relative_id,
            "kinship": kinship,
            "donor_sex": sex,
            "collected_on": DAY,
            "collector": "Collector",
            "laboratory": "Synthetic Lab",
            "consent_on": DAY,
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_dna_workflow_and_what_families_see(
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
    mother_user, stranger_user = make_user(Role.FAMILY), make_user(Role.FAMILY)
    family, stranger = token_for(mother_user), token_for(stranger_user)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=mother_user, relation="reporter")
    factories.CaseMemberFactory(case=factories.CaseFactory(), user=stranger_user, relation="reporter")
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    mother = factories.RelativeFactory(case=case, relationship_="mother", user_id=mother_user.id)

    assert client.post(f"/api/v1/cases/{case.id}/dna/samples", json={}, headers=family).status_code in (
        403,
        422,
    )
    _reference(client, worker, case.id, father.id, "F", "father", "male")
    mom = _reference(client, worker, case.id, mother.id, "M", "mother", "female")
    body = client.post(
        "/api/v1/dna/remains",
        json={
            "code": "B1",
            "incident": "Site 3",
            "recovered_on": DAY,
            "body_number": "17",
            "laboratory": "Lab",
        },
        headers=worker,
    )
    assert body.status_code == 201, body.text
    bad = client.post(
        f"/api/v1/cases/{case.id}/dna/samples",
        json={
            **{k: v for k, v in mom.items() if k in ("relative_id", "collector", "laboratory")},
            "code": "X",
            "kinship": "mother",
            "donor_sex": "male",
            "collected_on": DAY,
            "consent_on": DAY,
        },
        headers=worker,
    )
    assert bad.status_code == 422 and "sample X: a mother cannot be male" in bad.text

    dna = trio()
    export = long_csv(tmp_path, {"F": dna.father, "M": dna.mother, "B1": dna.son})
    with export.open("rb") as handle:
        imported = client.post(
            "/api/v1/dna/profiles/import", files={"file": ("export.csv", handle, "text/csv")}, headers=worker
        )
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 3 and imported.json()["candidates"] == 1

    # The family: who gave samples and the consent; the search log; nothing else.
    seen = client.get(f"/api/v1/cases/{case.id}/dna/samples", headers=family)
    assert seen.status_code == 200
    assert {row["kinship"] for row in seen.json()} == {"father", "mother"}
    assert "code" not in seen.text and "laboratory" not in seen.text and "15.3" not in seen.text
    log = client.get(f"/api/v1/cases/{case.id}/dna/search-log", headers=family).json()
    assert log["compared"] == 1 and log["identified"] is False
    assert client.get(f"/api/v1/cases/{case.id}/dna/samples", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/cases/{case.id}/dna/search-log", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/dna/samples/{mom['id']}", headers=family).status_code == 403
    assert client.get("/api/v1/dna/candidates", headers=family).status_code == 403
    read = client.post(f"/api/v1/dna/samples/{mom['id']}/genotypes", json={"reason": "mine"}, headers=family)
    assert read.status_code == 403
    read = client.post(f"/api/v1/dna/samples/{mom['id']}/genotypes", json={"reason": "QC"}, headers=first)
    assert read.status_code == 200 and read.json()["TKDNA01"] == list(dna.mother["TKDNA01"])

    # Genotypes leave only on an analyst's request with a reason, as the long layout the importer reads.
    ask = {"reason": "second opinion", "case_id": case.id}
    assert client.post("/api/v1/dna/profiles/export", json=ask, headers=family).status_code == 403
    assert client.post("/api/v1/dna/profiles/export", json=ask, headers=worker).status_code == 403
    assert (
        client.post("/api/v1/dna/profiles/export", json={"case_id": case.id}, headers=first).status_code
        == 422
    )
    sent = client.post("/api/v1/dna/profiles/export", json=ask, headers=first)
    assert sent.status_code == 200 and sent.headers["content-type"].startswith("text/csv")
    assert sent.headers["cache-control"] == "no-store"
    rows = sent.text.splitlines()
    assert rows[0] == "sample_id,marker,allele1,allele2" and {r.split(",")[0] for r in rows[1:]} == {"F", "M"}
    codes = {"reason": "DVI", "sample_codes": ["B1", "nope"]}
    assert client.post("/api/v1/dna/profiles/export", json=codes, headers=first).status_code == 404

    [candidate] = client.get("/api/v1/dna/candidates", headers=first).json()
    assert candidate["prior_name"].startswith("uniform") and candidate["posterior"] > 0.99
    url = f"/api/v1/dna/candidates/{candidate['id']}"
    assert client.post(f"{url}/propose", json={"reason": "strong"}, headers=first).status_code == 200
    own = client.post(f"{url}/confirm", json={"reason": "me too"}, headers=first)
    assert own.status_code == 403 and "second analyst" in own.text
    assert client.post(f"{url}/confirm", json={"reason": "checked"}, headers=second).status_code == 200
    assert client.get(f"/api/v1/cases/{case.id}/dna/search-log", headers=family).json()["identified"] is False
    assert client.post(f"{url}/family-told", json={"on": DAY}, headers=worker).status_code == 200
    report = client.get(f"{url}/report", params={"language": "uk"}, headers=second)
    assert report.status_code == 200 and report.headers["content-type"] == "application/pdf"
    assert report.content.startswith(b"%PDF") and len(report.headers["X-Content-SHA256"]) == 64
    assert client.get(f"{url}/report", headers=family).status_code == 403
    assert client.get(f"/api/v1/cases/{case.id}/dna/search-log", headers=family).json()["identified"] is True

    # The mother withdraws her consent herself; the father's cannot be withdrawn by her account.
    father_id = next(r["sample_id"] for r in seen.json() if r["kinship"] == "father")
    assert (
        client.post(f"/api/v1/dna/samples/{father_id}/withdraw-consent", json={}, headers=family).status_code
        == 404
    )
    gone = client.post(f"/api/v1/dna/samples/{mom['id']}/withdraw-consent", json={}, headers=family)
    assert gone.status_code == 200 and gone.json()["withdrawn_on"] is not None
    read = client.post(f"/api/v1/dna/samples/{mom['id']}/genotypes", json={"reason": "after"}, headers=first)
    assert read.status_code == 404


def test_a_dna_donor_is_not_deleted(
    client: TestClient, make_user: Any, token_for: Any, factories: Any
) -> None:
    """A relative who gave a sample stays on record as its donor: a clear 409, nothing lost (the
    database's foreign key used to answer with "clashes with one saved at the same moment")."""
    worker = token_for(make_user(Role.CASEWORKER))
    case = factories.CaseFactory()
    mother = factories.RelativeFactory(case=case, relationship_="mother")
    aunt = factories.RelativeFactory(case=case, relationship_="aunt")
    sample = _reference(client, worker, case.id, mother.id, "DONOR-1", "mother", "female")

    refused = client.delete(f"/api/v1/relatives/{mother.id}", headers=worker)
    assert refused.status_code == 409, refused.text
    assert "gave a DNA sample" in refused.json()["detail"] and "clashes" not in refused.text
    kept = client.get(f"/api/v1/dna/samples/{sample['id']}", headers=worker)
    assert kept.status_code == 200 and kept.json()["relative_id"] == mother.id
    relatives = client.get(f"/api/v1/cases/{case.id}/relatives", headers=worker).json()
    assert mother.id in {row["id"] for row in relatives}
    # A relative who gave nothing is removed as before.
    assert client.delete(f"/api/v1/relatives/{aunt.id}", headers=worker).status_code == 204


def test_a_family_is_refused_an_import_before_the_file_or_the_table_is_looked_at(
    client: TestClient, make_user: Any, token_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not allowed is the answer a family gets, not "no frequency table is configured" (503)."""
    monkeypatch.delenv("KINTRACE_DNA_FREQUENCIES", raising=False)
    family, worker = token_for(make_user(Role.FAMILY)), token_for(make_user(Role.CASEWORKER))
    export = {"file": ("export.csv", b"sample_id,marker,allele1,allele2\n", "text/csv")}
    refused = client.post("/api/v1/dna/profiles/import", files=export, headers=family)
    assert refused.status_code == 403, refused.text
    assert "frequency" not in refused.text
    # Staff still learn that the server lacks its table.
    unready = client.post("/api/v1/dna/profiles/import", files=export, headers=worker)
    assert unready.status_code == 503 and "no-frequency-table" in unready.text


def test_a_donor_who_no_longer_follows_the_case_still_withdraws_her_consent(
    client: TestClient, make_user: Any, token_for: Any, factories: Any
) -> None:
    """The donor's right to withdraw holds after her account was unlinked from the case; the answer
    shows her own sample only (it used to fail with "case not found" and roll the withdrawal back)."""
    worker = token_for(make_user(Role.CASEWORKER))
    donor_user, stranger_user = make_user(Role.FAMILY), make_user(Role.FAMILY)
    donor, stranger = token_for(donor_user), token_for(stranger_user)
    case = factories.CaseFactory()  # the donor's account is no member of it
    mother = factories.RelativeFactory(case=case, relationship_="mother", user_id=donor_user.id)
    sample = _reference(client, worker, case.id, mother.id, "DONOR-2", "mother", "female")
    url = f"/api/v1/dna/samples/{sample['id']}/withdraw-consent"

    assert client.post(url, json={}, headers=stranger).status_code == 404
    gone = client.post(url, json={}, headers=donor)
    assert gone.status_code == 200, gone.text
    assert gone.json()["withdrawn_on"] is not None and gone.json()["may_withdraw"] is True
    assert "DONOR-2" not in gone.text and "Synthetic Lab" not in gone.text
    kept = client.get(f"/api/v1/dna/samples/{sample['id']}", headers=worker).json()
    assert kept["consent"]["withdrawn_on"] is not None
    assert client.get(f"/api/v1/cases/{case.id}/dna/samples", headers=donor).status_code == 404


def test_reference_strength_in_the_candidate_body_and_whom_to_ask_next(
    client: TestClient,
    make_user: Any,
    token_for: Any,
    factories: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    worker, analyst = token_for(make_user(Role.CASEWORKER)), token_for(make_user(Role.ANALYST))
    family_user = make_user(Role.FAMILY)
    family = token_for(family_user)
    case, weak = factories.CaseFactory(), factories.CaseFactory()
    factories.CaseMemberFactory(case=weak, user=family_user, relation="reporter")
    father = factories.RelativeFactory(case=case, relationship_="father", is_reporter=False)
    mother = factories.RelativeFactory(case=case, relationship_="mother", is_reporter=False)
    granny = factories.RelativeFactory(case=weak, relationship_="grandmother", is_reporter=False)
    _reference(client, worker, case.id, father.id, "F", "father", "male")
    _reference(client, worker, case.id, mother.id, "M", "mother", "female")
    _reference(client, worker, weak.id, granny.id, "G", "maternal_grandmother", "female")
    client.post(
        "/api/v1/dna/remains",
        json={
            "code": "B1",
            "incident": "Site 3",
            "recovered_on": DAY,
            "body_number": "17",
            "laboratory": "Lab",
        },
        headers=worker,
    )
    dna, other = trio(), trio(31)
    export = long_csv(tmp_path, {"F": dna.father, "M": dna.mother, "B1": dna.son, "G": other.mother})
    with export.open("rb") as handle:
        client.post(
            "/api/v1/dna/profiles/import", files={"file": ("e.csv", handle, "text/csv")}, headers=worker
        )

    [candidate] = client.get("/api/v1/dna/candidates", headers=analyst).json()
    assert candidate["reference_strength"]["state"] == "not_computed"
    computed = client.post(f"/api/v1/cases/{case.id}/dna/strength", headers=analyst)
    assert computed.status_code == 200, computed.text
    strength = computed.json()
    assert strength["state"] == "current" and strength["p_true"] > 0.9 and not strength["weak"]
    assert (
        strength["exclusion_power"] > 0.99 and strength["simulations"] == 2000 and strength["seed"] == case.id
    )
    assert {r["kinship"] for r in strength["references"]} == {"father", "mother"}
    assert strength["suggestions"] == [] and len(strength["frequency_table"]) == 64
    [candidate] = client.get("/api/v1/dna/candidates", headers=analyst).json()
    assert candidate["reference_strength"] == strength

    assert (
        client.get(f"/api/v1/cases/{weak.id}/dna/strength", headers=worker).json()["state"] == "not_computed"
    )
    asked = client.post(f"/api/v1/cases/{weak.id}/dna/strength", headers=worker).json()
    assert asked["weak"] and asked["p_true"] < 0.9
    best = asked["suggestions"][0]
    assert best["kinship"] in ("mother", "father", "full_sibling") and best["p_true"] > asked["p_true"]
    # A family never reads the figures, not even of its own case.
    assert client.get(f"/api/v1/cases/{weak.id}/dna/strength", headers=family).status_code == 403
    assert client.post(f"/api/v1/cases/{weak.id}/dna/strength", headers=family).status_code == 403
    assert client.get("/api/v1/cases/999999/dna/strength", headers=worker).status_code == 404


def test_direct_matches_through_the_api(
    client: TestClient,
    make_user: Any,
    token_for: Any,
    factories: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A personal effect scored as an identity candidate, two fragments of one victim associated by two
    analysts, their group identified once; a family reaches none of it."""
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    worker = token_for(make_user(Role.CASEWORKER))
    first, second = token_for(make_user(Role.ANALYST)), token_for(make_user(Role.ANALYST))
    family_user = make_user(Role.FAMILY)
    family = token_for(family_user)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=family_user, relation="reporter")
    effect = {
        "code": "BRUSH",
        "item": "toothbrush",
        "handed_over_by": "his sister",
        "handed_over_on": DAY,
        "laboratory": "Lab",
    }
    assert (
        client.post(f"/api/v1/cases/{case.id}/dna/personal-effects", json=effect, headers=family).status_code
        == 403
    )
    made = client.post(f"/api/v1/cases/{case.id}/dna/personal-effects", json=effect, headers=worker)
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "personal_effect" and made.json()["consent"] is None
    assert (made.json()["effect_item"], made.json()["handed_over_by"]) == ("toothbrush", "his sister")
    bad = client.post(
        f"/api/v1/cases/{case.id}/dna/personal-effects",
        json={**effect, "code": "BRUSH2", "handed_over_on": "2999-01-01"},
        headers=worker,
    )
    assert bad.status_code == 422 and "handed_over_on" in bad.text
    for code in ("P1", "P2"):
        body = {
            "code": code,
            "incident": "Site 3",
            "recovered_on": DAY,
            "body_number": code,
            "laboratory": "Lab",
        }
        assert client.post("/api/v1/dna/remains", json=body, headers=worker).status_code == 201
    dna = trio()
    fragment = dict(list(dna.son.items())[:6])
    export = long_csv(tmp_path, {"BRUSH": dna.son, "P1": dna.son, "P2": fragment})
    with export.open("rb") as handle:
        imported = client.post(
            "/api/v1/dna/profiles/import", files={"file": ("export.csv", handle, "text/csv")}, headers=worker
        )
    assert imported.status_code == 201, imported.text
    assert imported.json()["direct_candidates"] == 2 and imported.json()["associations"] == 1

    candidates = client.get("/api/v1/dna/candidates", headers=first).json()
    assert {row["basis"] for row in candidates} == {"personal_effect"}
    assert all(row["effect_sample_id"] == made.json()["id"] for row in candidates)
    assert client.get("/api/v1/dna/associations", headers=family).status_code == 403
    assert client.get("/api/v1/dna/fragment-groups", headers=family).status_code == 403
    [association] = client.get("/api/v1/dna/associations", headers=first).json()
    assert association["shared_markers"] == 6 and association["state"] == "candidate"
    assert "15.3" not in client.get("/api/v1/dna/associations", headers=first).text  # no allele, only LRs
    url = f"/api/v1/dna/associations/{association['id']}"
    assert client.post(f"{url}/propose", json={"reason": "same"}, headers=worker).status_code == 403
    assert client.post(f"{url}/propose", json={"reason": "same"}, headers=first).status_code == 200
    own = client.post(f"{url}/confirm", json={"reason": "me"}, headers=first)
    assert own.status_code == 403 and "second analyst" in own.text
    assert client.post(f"{url}/confirm", json={"reason": "checked"}, headers=second).status_code == 200
    [group] = client.get("/api/v1/dna/fragment-groups", headers=first).json()
    assert sorted(s["code"] for s in group["samples"]) == ["P1", "P2"] and group["case_id"] is None

    strongest = candidates[0]
    base = f"/api/v1/dna/candidates/{strongest['id']}"
    assert client.post(f"{base}/propose", json={"reason": "identity"}, headers=first).status_code == 200
    assert client.post(f"{base}/confirm", json={"reason": "checked"}, headers=second).status_code == 200
    [group] = client.get("/api/v1/dna/fragment-groups", headers=first).json()
    assert group["case_id"] == case.id and group["identification_id"] == strongest["id"]
    other = f"/api/v1/dna/candidates/{candidates[1]['id']}"
    assert client.post(f"{other}/propose", json={"reason": "again"}, headers=first).status_code == 200
    twice = client.post(f"{other}/confirm", json={"reason": "again"}, headers=second)
    assert twice.status_code == 409 and "fragment of the same person" in twice.json()["detail"]
    report = client.get(f"{base}/report", params={"language": "en"}, headers=second)
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
