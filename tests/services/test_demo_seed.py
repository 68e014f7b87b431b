"""Seeding the demo dataset: everything lands, the audit chain holds, the access rule applies."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from sqlalchemy import func, select

from kintrace.domain.lists import PairDecision
from kintrace.domain.vocabulary import Role
from kintrace.services import cases, demo, evidence, requests, status, users
from kintrace.services.access import SYSTEM, actor_for
from kintrace.services.demo_data import generate_demo_dataset
from kintrace.services.errors import Conflict
from kintrace.services.name_search import search_by_name
from kintrace.services.persons import person_keys, record_of
from kintrace.store import audit
from kintrace.store.models import Case, EvidenceItem, ListCheck, ListPair, PersonNameKey, Relative

TODAY = dt.date(2025, 5, 1)
# argon2 is slow on purpose; the same four demo passwords need hashing once per test run.
_hash_once = functools.cache(users.hash_password)


@pytest.fixture(autouse=True)
def _attachments(tmp_path, monkeypatch):
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))  # the demo lists' files


@pytest.fixture
def seeded(session):
    if session.scalar(select(func.count()).select_from(Case)):
        pytest.skip("the worker's database holds committed cases")
    dataset = generate_demo_dataset(n_persons=60, today=TODAY)
    result = demo.seed_demo(session, SYSTEM, dataset, password_hasher=_hash_once)
    return dataset, result


def test_everything_in_the_dataset_is_written(session, seeded):
    dataset, result = seeded
    assert result.cases == len(dataset.cases) == session.scalar(select(func.count()).select_from(Case))
    # Besides the dataset's evidence: one item for each list match the demo accepts.
    accepted = session.scalar(
        select(func.count()).select_from(ListPair).where(ListPair.decision == PairDecision.ACCEPTED)
    )
    assert 1 <= accepted <= 3
    assert session.scalar(select(func.count()).select_from(EvidenceItem)) == accepted + sum(
        len(c.evidence) for c in dataset.cases
    )
    pending = select(func.count()).select_from(ListPair).where(ListPair.decision == PairDecision.PENDING)
    assert session.scalar(pending) > 0  # a few pairs wait for review
    assert session.scalar(select(func.count()).select_from(ListCheck)) > 0  # and the search logs have lines
    assert session.scalar(select(func.count()).select_from(Relative)) == sum(
        len(c.relatives) for c in dataset.cases
    )
    check = audit.verify(session)
    assert check.ok and check.rows_checked == result.audit_rows
    # The persons are written as the demo's records: every field, the record's own ones (a call sign) too.
    stored = {case.reference: record_of(case.person) for case in session.scalars(select(Case))}
    assert all(stored[c.reference] == c.filed for c in dataset.cases)
    assert any(c.filed.call_sign for c in dataset.cases)


def test_the_bulk_writer_stores_the_name_keys_a_person_write_stores(session, seeded):
    dataset, _ = seeded
    for demo_case in dataset.cases[:20]:
        case = cases.get_case_by_reference(session, SYSTEM, demo_case.reference)
        stored = set(
            session.scalars(select(PersonNameKey.key).where(PersonNameKey.person_id == case.person.id))
        )
        assert stored and stored == person_keys(demo_case.person)
        found = search_by_name(session, SYSTEM, demo_case.person.name.full, limit=500).hits
        assert case.id in {hit.case_id for hit in found}


def test_seeded_status_equals_what_the_services_derive(session, seeded):
    dataset, _ = seeded
    # A case found on a list by an accepted match has one item more than the dataset gave it.
    found_on_lists = set(
        session.scalars(select(ListPair.case_id).where(ListPair.decision == PairDecision.ACCEPTED))
    )
    for demo_case in dataset.cases[:20]:
        case = cases.get_case_by_reference(session, SYSTEM, demo_case.reference)
        if case.id in found_on_lists:
            continue
        expected = demo_case.derive(TODAY)
        assert (
            status.recompute_evidence_status(session, SYSTEM, case.id, today=TODAY).status is expected.status
        )
        assert case.evidence_status is expected.status and case.official_status is demo_case.official_status


def test_demo_logins_work_and_family_sees_only_its_cases(session, seeded):
    dataset, _ = seeded
    family = dataset.user(Role.FAMILY)
    user = users.authenticate(session, family.username, family.password)
    assert user is not None
    own = cases.list_cases(session, actor_for(user), cases.CaseFilter(include_merged=True)).items
    expected = {c.reference for c in dataset.cases if any(r.username == family.username for r in c.relatives)}
    assert {c.reference for c in own} == expected and expected
    for case in own:
        assert all(
            item.visibility.value == "family"
            for item in evidence.list_evidence(session, actor_for(user), case.id)
        )


def test_overdue_requests_match_the_dataset(session, seeded):
    dataset, _ = seeded
    from kintrace.domain.requests import is_overdue

    expected = sum(1 for r in dataset.requests if is_overdue(r.deadline, r.outcome, TODAY))
    assert requests.overdue_requests(session, SYSTEM, today=TODAY, per_page=500).total == expected


def test_seeding_twice_is_refused(session, seeded):
    with pytest.raises(Conflict):
        demo.seed_demo(
            session, SYSTEM, generate_demo_dataset(n_persons=5, today=TODAY), password_hasher=_hash_once
        )
