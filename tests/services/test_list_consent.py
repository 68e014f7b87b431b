"""The family's consent to list matching: what is recorded, what leaves the queue."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from sqlalchemy import func, select
from tests.services.helpers import actor
from tests.services.search_log_rows import check, entry, pair, published_list

from kintrace.domain.lists import PairDecision, SearchResult
from kintrace.domain.vocabulary import Role
from kintrace.services import demo, users
from kintrace.services.access import SYSTEM
from kintrace.services.demo_data import FAMILY_LIST_CONSENT, generate_demo_dataset
from kintrace.services.errors import Forbidden, NotFound, ValidationFailed
from kintrace.services.list_consent import AGREED_IN_PORTAL, set_list_matching_consent
from kintrace.services.search_log import search_log
from kintrace.store.models import AuditEntry, Case, ListPair


@pytest.fixture
def world(factories):
    family = factories.UserFactory(role=Role.FAMILY)
    case = factories.CaseFactory()
    factories.CaseMemberFactory(case=case, user=family)
    return {
        "case": case,
        "family_user": family,
        "family": actor(family),
        "stranger": actor(factories.UserFactory(role=Role.FAMILY)),
        "caseworker": actor(factories.UserFactory(role=Role.CASEWORKER)),
        "analyst": actor(factories.UserFactory(role=Role.ANALYST)),
    }


def _audit(session, action):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_family_member_agrees_in_the_portal(session, world):
    case = set_list_matching_consent(session, world["family"], world["case"].id, True, AGREED_IN_PORTAL)

    assert case.list_matching_consent is True
    assert case.list_matching_basis == "agreed in the portal"
    assert case.list_matching_consent_by_id == world["family_user"].id
    assert case.list_matching_consent_at is not None
    [row] = _audit(session, "case.list_consent")
    assert row.entity_id == str(case.id)


def test_a_caseworker_records_it_with_how_it_was_given(session, world):
    case = set_list_matching_consent(
        session, world["caseworker"], world["case"].id, True, "  told by phone on 2026-12-01 "
    )
    assert case.list_matching_basis == "told by phone on 2026-12-01"
    assert case.list_matching_consent_by_id == world["caseworker"].user_id


def test_a_caseworker_must_say_how_and_nothing_changes_without_it(session, world):
    with pytest.raises(ValidationFailed) as error:
        set_list_matching_consent(session, world["caseworker"], world["case"].id, True, "  ")
    assert error.value.field == "basis"
    assert world["case"].list_matching_consent is False
    with pytest.raises(ValidationFailed, match="basis: at most 300"):
        set_list_matching_consent(session, world["caseworker"], world["case"].id, True, "x" * 301)


def test_other_families_and_analysts_may_not(session, world):
    with pytest.raises(NotFound):
        set_list_matching_consent(session, world["stranger"], world["case"].id, True, AGREED_IN_PORTAL)
    with pytest.raises(Forbidden):
        set_list_matching_consent(session, world["analyst"], world["case"].id, True, "by phone")
    assert world["case"].list_matching_consent is False


def test_withdrawing_takes_undecided_pairs_out_of_the_queue_and_keeps_decided_ones(session, world):
    case = world["case"]
    set_list_matching_consent(session, world["family"], case.id, True, AGREED_IN_PORTAL)
    exchange, prisoners = published_list(session, "Обмін"), published_list(session, "Полонені")
    check(session, case, exchange, SearchResult.UNDER_REVIEW)
    check(session, case, prisoners, SearchResult.UNDER_REVIEW)
    accepted = pair(session, case, entry(session, exchange, "Шевченко"), PairDecision.ACCEPTED)
    rejected = pair(session, case, entry(session, prisoners, "Шевчук"), PairDecision.REJECTED)
    pair(session, case, entry(session, exchange, "Шевченко", "Антон"), PairDecision.PENDING)
    pair(session, case, entry(session, prisoners, "Шевченко"), PairDecision.UNSURE)

    set_list_matching_consent(session, world["family"], case.id, False, None)

    left = session.scalars(select(ListPair.id).where(ListPair.case_id == case.id)).all()
    assert sorted(left) == sorted([accepted.id, rejected.id])
    assert case.list_matching_consent is False and case.list_matching_basis is None
    results = {line.title: line.result for line in search_log(session, world["family"], case.id).lines}
    assert results == {"Обмін": SearchResult.FOUND, "Полонені": SearchResult.REJECTED}
    assert len(_audit(session, "case.list_consent_withdrawn")) == 1
    [removed] = _audit(session, "list_pairs.removed_on_withdrawal")
    assert removed.entity_id == str(case.id)


def test_withdrawing_a_case_with_only_pending_pairs_leaves_no_candidate(session, world):
    case = world["case"]
    published = published_list(session)
    check(session, case, published, SearchResult.UNDER_REVIEW)
    pair(session, case, entry(session, published, "Шевченко"))

    set_list_matching_consent(session, world["caseworker"], case.id, False, "withdrawn by letter")

    [line] = search_log(session, world["caseworker"], case.id).lines
    assert line.result is SearchResult.NO_CANDIDATE
    assert case.list_matching_basis == "withdrawn by letter"


def test_most_demo_families_agreed_when_filing(session):
    if session.scalar(select(func.count()).select_from(Case)):
        pytest.skip("the worker's database holds committed cases")
    dataset = generate_demo_dataset(n_persons=400, today=dt.date(2025, 5, 1))
    agreed = [case.list_matching_consent for case in dataset.cases]
    assert 0.78 < sum(agreed) / len(agreed) < 0.92
    assert tuple(agreed[: len(FAMILY_LIST_CONSENT)]) == FAMILY_LIST_CONSENT

    demo.seed_demo(session, SYSTEM, dataset, password_hasher=functools.cache(users.hash_password))

    rows = session.execute(select(Case.list_matching_consent, Case.list_matching_basis)).all()
    assert sorted(rows) == sorted((a, "agreed when filing" if a else None) for a in agreed)
