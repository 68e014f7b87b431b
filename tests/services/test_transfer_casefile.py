"""The whole case file as JSON ("kintrace-cases/2"): contents, round trip, idempotency, errors, access."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.services.helpers import actor, person

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import (
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    SourceKind,
    StatusTrack,
    Visibility,
)
from kintrace.services import cases, duplicates, evidence, requests, sources, status, transfer
from kintrace.services.access import SYSTEM
from kintrace.services.errors import Forbidden, ValidationFailed
from kintrace.store import audit
from kintrace.store.models import (
    Attachment,
    AuditEntry,
    Case,
    EvidenceItem,
    Merge,
    Relative,
    RequestAnswer,
    Source,
    StatusChange,
    StatusRequest,
)

TODAY = dt.date(2025, 5, 1)
TABLES = (Case, Relative, Source, EvidenceItem, Attachment, StatusChange, StatusRequest, RequestAnswer, Merge)


def _counts(session: Session) -> dict[str, int]:
    counted = {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in TABLES
    }
    counted["audit_log"] = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return counted


@pytest.fixture
def empty(session: Session) -> Session:
    if session.scalar(select(func.count()).select_from(Case)):
        pytest.skip("the worker's database holds committed cases")
    return session


def _build(session: Session, tmp_path: Path, family_user_id: int | None = None) -> dict[str, Any]:
    """Two cases filed through the services, one merged into the other, with every part of a case file."""
    brother = sources.create_source(
        session,
        SYSTEM,
        sources.SourceInput(SourceKind.RELATIVE, "Брат, Петро Шевченко", notes="тел. у справі"),
    )
    ministry = sources.create_source(
        session,
        SYSTEM,
        sources.SourceInput(
            SourceKind.OFFICIAL_BODY, "Координаційний штаб", Reliability.C, Credibility.POSSIBLY_TRUE
        ),
    )
    first = cases.create_case(session, SYSTEM, person(), reference="UA-1")
    second = cases.create_case(session, SYSTEM, person("Шевченко", "Андрей", "Петрович"), reference="UA-2")
    if family_user_id is not None:
        cases.link_family_user(session, SYSTEM, first.id, family_user_id, "reporter")
    cases.add_relative(
        session,
        SYSTEM,
        first.id,
        cases.RelativeInput(
            "Шевченко Марія", "mother", True, phone="+380 50 111 2233", email="m@example.org"
        ),
    )
    seen = evidence.add_evidence(
        session,
        SYSTEM,
        first.id,
        evidence.EvidenceInput(
            Claim.SEEN_AT_PLACE,
            brother.id,
            event_date=PartialDate(2024, 2, 20),
            reported_date=PartialDate(2024, 3),
            place="Авдіївка",
            text="Бачили біля шахти",
            visibility=Visibility.FAMILY,
        ),
        today=TODAY,
    )
    evidence.add_attachment(
        session, SYSTEM, seen.id, filename="note.txt", data="лист брата".encode(), root=tmp_path
    )
    captured = evidence.add_evidence(
        session,
        SYSTEM,
        first.id,
        evidence.EvidenceInput(
            Claim.CAPTURED,
            ministry.id,
            event_date=PartialDate(2024, 3),
            reported_date=PartialDate(2024, 5, 2),
            text="У списку обміну",
            visibility=Visibility.INTERNAL,
        ),
        today=TODAY,
    )
    evidence.add_evidence(
        session,
        SYSTEM,
        second.id,
        evidence.EvidenceInput(Claim.CAPTURED, brother.id, event_date=PartialDate(2024, 3), text="Дзвонив"),
        today=TODAY,
    )
    status.set_official_status(
        session, SYSTEM, first.id, PersonStatus.REPORTED_CAPTURED, since=PartialDate(2024, 4), reason="лист"
    )
    request = requests.submit_request(
        session,
        SYSTEM,
        first.id,
        requests.RequestInput(
            PersonStatus.CONFIRMED_CAPTURED,
            "Координаційний штаб",
            dt.date(2025, 1, 10),
            evidence_ids=[seen.id, captured.id],
            note="з доказами",
        ),
        today=TODAY,
    )
    requests.record_answer(
        session,
        SYSTEM,
        request.id,
        received_on=dt.date(2025, 1, 20),
        outcome=RequestOutcome.PENDING,
        text="Прийнято",
    )
    requests.record_answer(
        session,
        SYSTEM,
        request.id,
        received_on=dt.date(2025, 2, 3),
        outcome=RequestOutcome.REFUSED,
        text="Ні",
    )
    duplicates.merge_cases(session, SYSTEM, first.id, second.id, today=TODAY)
    return {"first": first, "second": second}


def test_export_carries_the_whole_case_file(empty, tmp_path):
    _build(empty, tmp_path)
    document = transfer.export_document(empty, SYSTEM)
    assert document["format"] == "kintrace-cases/2" and document["contacts"] is False
    first, second = document["cases"]
    assert (first["reference"], second["reference"]) == ("UA-1", "UA-2")
    assert second["state"] == "merged" and second["merged_into"] == "UA-1"
    assert first["person"]["last_name"] == "Шевченко" and first["person"]["birth_date"] == "1990-05"
    assert first["relatives"] == [
        {"full_name": "Шевченко Марія", "relationship": "mother", "is_reporter": True}
    ]
    seen, captured = first["evidence"]
    assert seen["source"] == {
        "kind": "relative",
        "name": "Брат, Петро Шевченко",
        "reliability": "F",
        "credibility": "6",
        "notes": "тел. у справі",
    }
    assert captured["source"]["reliability"] == "C" and captured["visibility"] == "internal"
    assert seen["attachments"][0]["sha256"] == hashlib.sha256("лист брата".encode()).hexdigest()
    official = first["status_history"]["official"]
    assert [e["status"] for e in official] == ["missing", "reported_captured"]
    assert official[-1]["reason"] == "лист" and first["official_since"] == "2024-04"
    # The merged case's evidence counts on the target: its history names it across cases.
    evidence_facts = [ref for entry in first["status_history"]["evidence"] for ref in entry["facts"]]
    assert "UA-2#0" in evidence_facts and 1 in evidence_facts
    (request,) = first["requests"]
    assert request["evidence"] == [0, 1] and request["outcome"] == "refused"
    assert [a["outcome"] for a in request["answers"]] == ["pending", "refused"]
    with_contacts = transfer.export_document(empty, SYSTEM, include_contacts=True)
    assert with_contacts["contacts"] is True
    assert with_contacts["cases"][0]["relatives"][0]["phone"] == "+380 50 111 2233"


def _round_trip(session: Session, seed: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Export what `seed` writes, forget it (savepoint rolled back), import into the empty DB, export."""
    savepoint = session.begin_nested()
    seed()
    before = transfer.export_document(session, SYSTEM, include_contacts=True)
    savepoint.rollback()
    session.expunge_all()
    assert session.scalar(select(func.count()).select_from(Case)) == 0
    text = json.dumps(before, ensure_ascii=False)
    result = transfer.import_plan(session, SYSTEM, transfer.parse_text(text, "json"), today=TODAY)
    assert result.created == len(before["cases"])
    return before, transfer.export_document(session, SYSTEM, include_contacts=True)


def test_round_trip_gives_the_same_document(empty, tmp_path):
    before, after = _round_trip(empty, lambda: _build(empty, tmp_path))
    assert after == before
    merged = empty.scalar(select(Case).where(Case.reference == "UA-2"))
    target = empty.scalar(select(Case).where(Case.reference == "UA-1"))
    assert merged.state is CaseState.MERGED and merged.merged_into_id == target.id
    # The imported merge can be undone here like any other.
    (merge,) = duplicates.merges_of(empty, SYSTEM, target.id)
    duplicates.undo_merge(empty, SYSTEM, merge.id, today=TODAY)
    assert empty.get(Case, merged.id).state is CaseState.OPEN
    assert audit.verify(empty).ok


def test_round_trip_of_the_demo_dataset(empty):
    import functools

    from kintrace.services import demo, users
    from kintrace.services.demo_data import generate_demo_dataset

    dataset = generate_demo_dataset(n_persons=40, today=TODAY)
    hasher = functools.cache(users.hash_password)
    before, after = _round_trip(empty, lambda: demo.seed_demo(empty, SYSTEM, dataset, password_hasher=hasher))
    assert len(before["cases"]) >= 40 and any(c["evidence"] for c in before["cases"])
    assert after == before


def test_the_same_document_twice_adds_nothing(empty, tmp_path):
    _build(empty, tmp_path)
    text = transfer.export_text(empty, SYSTEM, "json", include_contacts=True)
    held = _counts(empty)
    result = transfer.import_plan(empty, SYSTEM, transfer.parse_text(text, "json"), today=TODAY)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert _counts(empty) == held


def test_an_import_is_audited_and_the_chain_holds(empty, tmp_path):
    _, document = _round_trip(empty, lambda: _build(empty, tmp_path))
    actions = set(empty.scalars(select(AuditEntry.action)))
    assert {
        "case.import",
        "source.create",
        "relative.create",
        "evidence.import",
        "attachment.import",
        "status.import",
        "request.import",
        "request.answer",
        "case.import_merge",
    } <= actions
    assert audit.verify(empty).ok and document["cases"]


def _document(session: Session, tmp_path: Path) -> dict[str, Any]:
    savepoint = session.begin_nested()
    _build(session, tmp_path)
    document = transfer.export_document(session, SYSTEM, include_contacts=True)
    savepoint.rollback()
    session.expunge_all()
    return document


def test_imported_evidence_derives_the_evidence_status_again(empty, tmp_path):
    document = _document(empty, tmp_path)
    first = document["cases"][0]
    # A file whose evidence track says "missing" while its evidence says otherwise.
    first["status_history"]["evidence"] = first["status_history"]["evidence"][:1]
    first["evidence_status"], first["evidence_rule"] = "missing", None
    first["evidence_since"] = first["status_history"]["evidence"][0]["since"]
    transfer.import_plan(empty, SYSTEM, transfer.parse_text(json.dumps(document), "json"), today=TODAY)
    case = cases.get_case_by_reference(empty, SYSTEM, "UA-1")
    derived = status.status_view(empty, SYSTEM, case.id, today=TODAY).derivation
    assert derived.status is not PersonStatus.MISSING
    assert case.evidence_status is derived.status and case.evidence_rule == derived.rule
    last = status.status_history(empty, SYSTEM, case.id, StatusTrack.EVIDENCE)[-1]
    assert last.status is derived.status


def test_later_official_entries_extend_an_existing_case_and_a_diverged_one_is_refused(empty, tmp_path):
    document = _document(empty, tmp_path)
    transfer.import_plan(empty, SYSTEM, transfer.parse_text(json.dumps(document), "json"), today=TODAY)
    later = copy.deepcopy(document)
    first = later["cases"][0]
    first["status_history"]["official"].append(
        {
            "status": "confirmed_captured",
            "previous_status": "reported_captured",
            "since": "2024-06",
            "rule": None,
            "rule_text": None,
            "facts": [],
            "reason": "підтверджено",
            "changed_at": "2025-02-01T10:00:00+00:00",
        }
    )
    first["official_status"], first["official_since"] = "confirmed_captured", "2024-06"
    result = transfer.import_plan(empty, SYSTEM, transfer.parse_text(json.dumps(later), "json"), today=TODAY)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert (
        cases.get_case_by_reference(empty, SYSTEM, "UA-1").official_status is PersonStatus.CONFIRMED_CAPTURED
    )
    diverged = copy.deepcopy(document)
    diverged["cases"][0]["status_history"]["official"][1]["since"] = "2024-01"
    diverged["cases"][0]["official_since"] = "2024-01"
    with pytest.raises(ValidationFailed) as error:
        transfer.import_plan(empty, SYSTEM, transfer.parse_text(json.dumps(diverged), "json"), today=TODAY)
    assert error.value.field == "case UA-1: cases[0].status_history.official[1]"


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("cases", 0, "person", "birth_date"), "1990-13", "case UA-1: cases[0].person.birth_date"),
        (("cases", 0, "person", "last_name"), "", "case UA-1: cases[0].person.last_name"),
        (("cases", 1, "evidence", 0, "claim"), "vanished", "case UA-2: cases[1].evidence[0].claim"),
        (
            ("cases", 0, "evidence", 1, "source", "reliability"),
            "Z",
            "case UA-1: cases[0].evidence[1].source.reliability",
        ),
        (
            ("cases", 0, "evidence", 0, "attachments", 0, "sha256"),
            "abc",
            "case UA-1: cases[0].evidence[0].attachments[0].sha256",
        ),
        (
            ("cases", 0, "evidence", 0, "event_date"),
            "2024-02-31",
            "case UA-1: cases[0].evidence[0].event_date",
        ),
        (("cases", 0, "evidence", 0, "witness"), "x", "case UA-1: cases[0].evidence[0].witness"),
        (
            ("cases", 0, "status_history", "official", 1, "status"),
            "remains_returned",
            "case UA-1: cases[0].status_history.official[1].status",
        ),
        (
            ("cases", 0, "status_history", "evidence", 1, "facts"),
            [7],
            "case UA-1: cases[0].status_history.evidence[1].facts[0]",
        ),
        (
            ("cases", 0, "status_history", "evidence", 1, "facts"),
            ["UA-9#0"],
            "case UA-1: cases[0].status_history.evidence[1].facts",
        ),
        (("cases", 0, "requests", 0, "deadline"), "2024-12-01", "case UA-1: cases[0].requests[0].deadline"),
        (
            ("cases", 0, "requests", 0, "answers", 0, "received_on"),
            "2025-01-01",
            "case UA-1: cases[0].requests[0].answers[0].received_on",
        ),
        (("cases", 0, "relatives", 0, "email"), "nowhere", "case UA-1: cases[0].relatives[0].email"),
        (("cases", 1, "merged_into"), None, "case UA-2: cases[1].merged_into"),
        (("cases", 1, "reference"), "UA-1", "case UA-1: cases[1].reference"),
        (("format",), "kintrace-cases/3", "format"),
    ],
)
def test_a_bad_record_is_named_by_case_and_path_and_nothing_is_written(empty, tmp_path, path, value, field):
    document = _document(empty, tmp_path)
    _set(document, path, value)
    held = _counts(empty)
    with pytest.raises(ValidationFailed) as error:
        transfer.import_text(empty, SYSTEM, json.dumps(document), "json")
    assert error.value.field == field
    assert _counts(empty) == held


def test_relatives_contacts_travel_only_in_a_file_that_carries_them(empty, tmp_path):
    document = _document(empty, tmp_path)
    document["contacts"] = False
    with pytest.raises(ValidationFailed) as error:
        transfer.parse_text(json.dumps(document), "json")
    assert error.value.field == "case UA-1: cases[0].relatives[0].phone"


def test_free_text_relationships_of_earlier_files_are_read_and_no_word_is_lost(empty, tmp_path):
    document = _document(empty, tmp_path)
    relatives = document["cases"][0]["relatives"]
    relatives[0]["relationship"] = "Мама"
    relatives.append({**relatives[0], "full_name": "Ковальчук Ганна", "relationship": "хрещена мати"})
    transfer.import_text(empty, SYSTEM, json.dumps(document), "json")
    stored = {r.full_name: (r.relationship_, r.relationship_note) for r in empty.scalars(select(Relative))}
    assert stored["Шевченко Марія"] == ("mother", None)
    assert stored["Ковальчук Ганна"] == ("other", "хрещена мати")
    again = transfer.export_document(empty, SYSTEM, include_contacts=True)
    written = {r["full_name"]: r for r in again["cases"][0]["relatives"]}
    assert written["Ковальчук Ганна"]["relationship"] == "other"
    assert written["Ковальчук Ганна"]["relationship_note"] == "хрещена мати"
    assert "relationship_note" not in written["Шевченко Марія"]


def test_a_family_exports_only_its_cases_and_family_visible_evidence(session, factories, tmp_path):
    own, other = factories.UserFactory(role=Role.FAMILY), factories.UserFactory(role=Role.FAMILY)
    built = _build(session, tmp_path, family_user_id=own.id)
    foreign = cases.create_case(session, SYSTEM, person("Коваленко", "Ігор", None), reference="UA-3")
    cases.link_family_user(session, SYSTEM, foreign.id, other.id)
    document = transfer.export_document(session, actor(own), include_contacts=True)
    assert [c["reference"] for c in document["cases"]] == ["UA-1"]
    (case,) = document["cases"]
    assert [item["visibility"] for item in case["evidence"]] == ["family"]
    assert "У списку обміну" not in json.dumps(document, ensure_ascii=False)
    assert "Координаційний штаб" not in json.dumps(
        [case["evidence"], case["status_history"]], ensure_ascii=False
    )
    for entry in case["status_history"]["evidence"]:
        assert all(ref == 0 for ref in entry["facts"])
    assert case["requests"][0]["evidence"] == [0]
    assert built["first"].id and [
        c["reference"] for c in transfer.export_document(session, actor(other))["cases"]
    ] == ["UA-3"]
    flat = transfer.export_text(session, actor(own), "csv")
    assert "UA-1" in flat and "UA-3" not in flat
    with pytest.raises(Forbidden):
        transfer.import_text(session, actor(own), json.dumps(document), "json")


def test_two_items_alike_stay_two_and_a_second_import_still_adds_nothing(empty, tmp_path):
    document = _document(empty, tmp_path)
    first = document["cases"][0]
    first["evidence"].append(copy.deepcopy(first["evidence"][0]))
    first["relatives"].append(copy.deepcopy(first["relatives"][0]))
    text = json.dumps(document)
    transfer.import_plan(empty, SYSTEM, transfer.parse_text(text, "json"), today=TODAY)
    exported = transfer.export_document(empty, SYSTEM, include_contacts=True)["cases"][0]
    assert len(exported["evidence"]) == 3 and len(exported["relatives"]) == 2
    held = _counts(empty)
    again = transfer.import_plan(empty, SYSTEM, transfer.parse_text(text, "json"), today=TODAY)
    assert again.unchanged == 2 and _counts(empty) == held


def test_the_streamed_text_is_the_document(empty, tmp_path):
    assert json.loads(transfer.export_text(empty, SYSTEM, "json")) == {
        "format": "kintrace-cases/2",
        "contacts": False,
        "cases": [],
    }
    _build(empty, tmp_path)
    text = transfer.export_text(empty, SYSTEM, "json", include_contacts=True)
    assert json.loads(text) == transfer.export_document(empty, SYSTEM, include_contacts=True)
