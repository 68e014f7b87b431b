"""Evidence, attachments, status tracks, requests, contradictions and merges through the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import Claim, Credibility, Reliability, Role, SourceKind, Visibility
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def attachments_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


def linked_case(factories: Any, user: Any) -> Any:
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=user, relation="reporter")
    return case


def test_family_never_sees_internal_evidence(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    family = make_user(Role.FAMILY)
    case = linked_case(factories, family)
    shown = factories.EvidenceFactory(case=case, visibility=Visibility.FAMILY)
    internal = factories.EvidenceFactory(case=case, visibility=Visibility.INTERNAL, text="источник в СБУ")
    headers = token_for(family)
    listed = client.get(f"/api/v1/cases/{case.id}/evidence", headers=headers).json()
    assert [item["id"] for item in listed] == [shown.id]
    assert client.get(f"/api/v1/evidence/{internal.id}", headers=headers).status_code == 404
    assert "СБУ" not in client.get(f"/api/v1/cases/{case.id}/contradictions", headers=headers).text
    staff = client.get(f"/api/v1/cases/{case.id}/evidence", headers=token_for(make_user(Role.ANALYST))).json()
    assert {item["id"] for item in staff} == {shown.id, internal.id}


def test_evidence_drives_the_evidence_track_and_divergence(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    case = factories.CaseFactory()
    official = factories.SourceFactory(
        kind=SourceKind.OFFICIAL_BODY, reliability=Reliability.A, credibility=Credibility.CONFIRMED
    )
    added = client.post(
        f"/api/v1/cases/{case.id}/evidence",
        json={"source_id": official.id, "claim": "captured", "event_date": "2024-03", "visibility": "family"},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["source"]["reliability"] == "A"
    status = client.get(f"/api/v1/cases/{case.id}/status", headers=headers).json()
    assert status["official"]["status"] == "missing"
    assert status["evidence"]["status"] == "confirmed_captured"
    assert status["evidence"]["rule"] and added.json()["id"] in status["evidence"]["fact_ids"]
    assert status["divergence"] and "captured" in status["divergence"]
    assert [h["status"] for h in status["evidence"]["history"]][-1] == "confirmed_captured"

    bad = client.patch(
        f"/api/v1/evidence/{added.json()['id']}", json={"event_date": "2024-3-x"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "event_date"


def test_official_status_follows_the_transition_table(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    person = {"last_name": "Бондаренко", "first_name": "Олег"}
    case = client.post("/api/v1/cases", json={"person": person}, headers=headers).json()
    moved = client.post(
        f"/api/v1/cases/{case['id']}/status/official",
        json={"status": "confirmed_captured", "since": "2024-05", "reason": "letter of the ministry"},
        headers=headers,
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["previous_status"] == "missing"
    illegal = client.post(
        f"/api/v1/cases/{case['id']}/status/official", json={"status": "remains_returned"}, headers=headers
    )
    assert illegal.status_code == 422 and illegal.json()["errors"][0]["field"] == "status"
    history = client.get(f"/api/v1/cases/{case['id']}/status/history?track=official", headers=headers).json()
    assert [h["status"] for h in history] == ["missing", "confirmed_captured"]
    family = make_user(Role.FAMILY)
    refused = client.post(
        f"/api/v1/cases/{case['id']}/status/official", json={"status": "released"}, headers=token_for(family)
    )
    assert refused.status_code == 404  # not their case


def test_attachment_upload_and_download(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    family = make_user(Role.FAMILY)
    case = linked_case(factories, family)
    item = factories.EvidenceFactory(case=case, visibility=Visibility.FAMILY)
    headers = token_for(make_user(Role.CASEWORKER))
    uploaded = client.post(
        f"/api/v1/evidence/{item.id}/attachments",
        files={"file": ("повестка.png", PNG, "image/png")},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    meta = uploaded.json()
    assert meta["media_type"] == "image/png" and meta["size_bytes"] == len(PNG) and len(meta["sha256"]) == 64
    download = client.get(f"/api/v1/attachments/{meta['id']}", headers=token_for(family))
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%D0%BF" in download.headers["content-disposition"]
    stranger = client.get(f"/api/v1/attachments/{meta['id']}", headers=token_for(make_user(Role.FAMILY)))
    assert stranger.status_code == 404

    lying = client.post(
        f"/api/v1/evidence/{item.id}/attachments",
        files={"file": ("x.pdf", PNG, "application/pdf")},
        headers=headers,
    )
    assert lying.status_code == 422 and lying.json()["errors"][0]["field"] == "media_type"
    executable = client.post(
        f"/api/v1/evidence/{item.id}/attachments",
        files={"file": ("x.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "application/octet-stream")},
        headers=headers,
    )
    assert executable.status_code == 422 and executable.json()["errors"][0]["field"] == "file"
    huge = client.post(
        f"/api/v1/evidence/{item.id}/attachments",
        files={"file": ("big.txt", b"a" * (MAX_ATTACHMENT_BYTES + 1), "text/plain")},
        headers=headers,
    )
    assert huge.status_code == 413


def test_requests_and_the_overdue_list(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    case = factories.CaseFactory()
    today = dt.date.today()
    late = client.post(
        f"/api/v1/cases/{case.id}/requests",
        json={
            "requested_status": "confirmed_captured",
            "authority": "Координаційний штаб",
            "submitted_on": str(today - dt.timedelta(days=75)),
        },
        headers=headers,
    )
    assert late.status_code == 201, late.text
    assert late.json()["overdue"] and late.json()["days_pending"] == 75 and late.json()["days_overdue"] == 45
    recent = client.post(
        f"/api/v1/cases/{case.id}/requests",
        json={
            "requested_status": "released",
            "authority": "МВС",
            "submitted_on": str(today - dt.timedelta(days=3)),
        },
        headers=headers,
    )
    overdue = client.get("/api/v1/overdue", headers=headers).json()
    ids = [entry["request"]["id"] for entry in overdue["items"]]
    assert late.json()["id"] in ids and recent.json()["id"] not in ids
    entry = next(e for e in overdue["items"] if e["request"]["id"] == late.json()["id"])
    assert entry["case_reference"] == case.reference and entry["days_overdue"] == 45
    assert client.get("/api/v1/overdue?days_pending=80", headers=headers).json()["items"] == []

    answered = client.post(
        f"/api/v1/requests/{late.json()['id']}/answers",
        json={"received_on": str(today), "outcome": "granted", "text": "Статус подтверждён"},
        headers=headers,
    )
    assert answered.status_code == 201 and answered.json()["outcome"] == "granted"
    assert answered.json()["answers"][0]["text"] == "Статус подтверждён"
    again = client.post(
        f"/api/v1/requests/{late.json()['id']}/answers",
        json={"received_on": str(today), "outcome": "refused"},
        headers=headers,
    )
    assert again.status_code == 409
    ids_after = [e["request"]["id"] for e in client.get("/api/v1/overdue", headers=headers).json()["items"]]
    assert late.json()["id"] not in ids_after
    future = client.post(
        f"/api/v1/cases/{case.id}/requests",
        json={
            "requested_status": "released",
            "authority": "МВС",
            "submitted_on": str(today + dt.timedelta(days=3)),
        },
        headers=headers,
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "submitted_on"


def test_contradictions_name_both_items_and_sources(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    headers = token_for(make_user(Role.ANALYST))
    case = factories.CaseFactory()
    dead = factories.EvidenceFactory(
        case=case,
        claim=Claim.DEAD,
        event_date=PartialDate.parse("2024-02-10"),
        reported_date=PartialDate.parse("2024-02"),
        place=None,
    )
    alive = factories.EvidenceFactory(
        case=case,
        claim=Claim.ALIVE,
        event_date=PartialDate.parse("2024-06-01"),
        reported_date=PartialDate.parse("2024-06"),
        place=None,
    )
    found = client.get(f"/api/v1/cases/{case.id}/contradictions", headers=headers)
    assert found.status_code == 200, found.text
    pairs = [({c["first_id"], c["second_id"]}, c) for c in found.json()]
    match = next(c for ids, c in pairs if ids == {dead.id, alive.id})
    assert match["explanation"] and match["rule_text"]
    assert {match["first_source"]["name"], match["second_source"]["name"]} == {
        dead.source.name,
        alive.source.name,
    }


def test_duplicate_link_merge_and_undo(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    target, other = factories.CaseFactory(), factories.CaseFactory()
    item = factories.EvidenceFactory(case=other)
    link = client.post(
        f"/api/v1/cases/{target.id}/duplicates", json={"other_case_id": other.id}, headers=headers
    )
    assert link.status_code == 201
    assert [d["id"] for d in client.get(f"/api/v1/cases/{other.id}/duplicates", headers=headers).json()] == [
        link.json()["id"]
    ]
    merged = client.post(
        f"/api/v1/cases/{target.id}/merges", json={"merged_case_id": other.id}, headers=headers
    )
    assert merged.status_code == 201, merged.text
    assert client.get(f"/api/v1/cases/{other.id}", headers=headers).json()["state"] == "merged"
    evidence_ids = [
        e["id"] for e in client.get(f"/api/v1/cases/{target.id}/evidence", headers=headers).json()
    ]
    assert item.id in evidence_ids  # the merged case's evidence shows on the target
    twice = client.post(
        f"/api/v1/cases/{target.id}/merges", json={"merged_case_id": other.id}, headers=headers
    )
    assert twice.status_code == 409
    undone = client.post(f"/api/v1/merges/{merged.json()['id']}/undo", headers=headers)
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert client.get(f"/api/v1/cases/{other.id}", headers=headers).json()["state"] == "open"
    assert item.id not in [
        e["id"] for e in client.get(f"/api/v1/cases/{target.id}/evidence", headers=headers).json()
    ]
    assert client.post(f"/api/v1/merges/{merged.json()['id']}/undo", headers=headers).status_code == 409


def test_family_cannot_merge_or_see_other_duplicates(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    family = make_user(Role.FAMILY)
    own, foreign = linked_case(factories, family), factories.CaseFactory()
    headers = token_for(family)
    merge = client.post(
        f"/api/v1/cases/{own.id}/merges", json={"merged_case_id": foreign.id}, headers=headers
    )
    assert merge.status_code == 404  # the other case is not theirs
    onto_own = client.post(f"/api/v1/cases/{own.id}/merges", json={"merged_case_id": own.id}, headers=headers)
    assert onto_own.status_code == 403
    assert client.get(f"/api/v1/cases/{foreign.id}/duplicates", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cases/{foreign.id}/status", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cases/{foreign.id}/requests", headers=headers).status_code == 404


def test_family_adds_what_a_relative_reports_but_nothing_internal(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    family = make_user(Role.FAMILY)
    case = linked_case(factories, family)
    headers = token_for(family)
    graded = client.post(
        "/api/v1/sources", json={"kind": "relative", "name": "Мать", "reliability": "A"}, headers=headers
    )
    assert graded.status_code == 422 and graded.json()["errors"][0]["field"] == "reliability"
    source = client.post("/api/v1/sources", json={"kind": "relative", "name": "Мать"}, headers=headers)
    assert source.status_code == 201, source.text
    item = {
        "source_id": source.json()["id"],
        "claim": "seen_at_place",
        "place": "Херсон",
        "event_date": "2024-01",
    }
    internal = client.post(f"/api/v1/cases/{case.id}/evidence", json=item, headers=headers)
    assert internal.status_code == 422 and internal.json()["errors"][0]["field"] == "visibility"
    added = client.post(
        f"/api/v1/cases/{case.id}/evidence", json={**item, "visibility": "family"}, headers=headers
    )
    assert added.status_code == 201, added.text
    assert "notes" not in added.json()["source"]  # the register's notes stay with the staff
    assert client.get("/api/v1/sources", headers=headers).status_code == 403


def test_family_status_explanation_names_no_internal_item_or_source(
    client: TestClient, factories: Any, make_user: Any, token_for: Any
) -> None:
    family = make_user(Role.FAMILY)
    case = linked_case(factories, family)
    informant = factories.SourceFactory(kind=SourceKind.OTHER, name="Информатор-7")
    internal = client.post(
        f"/api/v1/cases/{case.id}/evidence",
        json={
            "source_id": informant.id,
            "claim": "captured",
            "event_date": "2024-03",
            "visibility": "internal",
        },
        headers=token_for(make_user(Role.CASEWORKER)),
    )
    assert internal.status_code == 201, internal.text
    staff_view = client.get(f"/api/v1/cases/{case.id}/status", headers=token_for(make_user(Role.ANALYST)))
    assert "Информатор-7" in staff_view.text  # the staff see which item and source gave the status

    family_view = client.get(f"/api/v1/cases/{case.id}/status", headers=token_for(family))
    history = client.get(f"/api/v1/cases/{case.id}/status/history", headers=token_for(family))
    for response in (family_view, history):
        assert response.status_code == 200
        assert "Информатор-7" not in response.text and f"item {internal.json()['id']}" not in response.text
    evidence = family_view.json()["evidence"]
    assert evidence["status"] == "reported_captured" and evidence["fact_ids"] == []
    assert "1 of them internal" in evidence["rule_text"]
    assert all(entry["fact_ids"] == [] for entry in history.json())
