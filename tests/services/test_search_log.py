"""A case's search log: every list it was checked against, as staff and as its own family read it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from tests.services.helpers import actor
from tests.services.search_log_rows import check, entry, pair, published_list

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import ListKind, PairDecision, SearchResult
from kintrace.domain.vocabulary import CaseState, Role
from kintrace.services.errors import Forbidden, NotFound
from kintrace.services.search_log import search_log, unchecked_cases

DAY = dt.timedelta(days=1)
NOV_20 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def world(factories, session):
    family = factories.UserFactory(role=Role.FAMILY)
    stranger = factories.UserFactory(role=Role.FAMILY)
    case = factories.CaseFactory(list_matching_consent=True, list_matching_basis="agreed when filing")
    factories.CaseMemberFactory(case=case, user=family)
    exchange = published_list(session, "Обмін 14 листопада", kind=ListKind.EXCHANGED)
    prisoners = published_list(session, "Полонені, жовтень", publisher="Омбудсман", kind=ListKind.PRISONERS)
    dead = published_list(session, "Загиблі", published_on=None, kind=ListKind.DEAD)
    return {
        "family": actor(family),
        "stranger": actor(stranger),
        "caseworker": actor(factories.UserFactory(role=Role.CASEWORKER)),
        "analyst": actor(factories.UserFactory(role=Role.ANALYST)),
        "case": case,
        "lists": (exchange, prisoners, dead),
    }


def test_every_list_checked_is_a_line_with_the_totals(session, world):
    exchange, prisoners, dead = world["lists"]
    check(session, world["case"], exchange, SearchResult.NO_CANDIDATE, NOV_20 - 3 * DAY)
    check(session, world["case"], prisoners, SearchResult.NO_CANDIDATE, NOV_20)
    check(session, world["case"], dead, SearchResult.NO_CANDIDATE, NOV_20 - DAY)

    log = search_log(session, world["family"], world["case"].id)

    assert log.lists_checked == 3
    assert log.latest == NOV_20
    assert [line.title for line in log.lines] == ["Полонені, жовтень", "Загиблі", "Обмін 14 листопада"]
    first = log.lines[0]
    assert (first.publisher, first.published_on, first.kind) == (
        "Омбудсман",
        PartialDate(2026, 11, 20),
        ListKind.PRISONERS,
    )
    assert log.lines[1].published_on is None
    assert log.found_on == [] and log.under_review == []
    assert log.consent and log.consent_basis == "agreed when filing"


def test_a_case_never_checked_has_an_empty_log(session, world):
    log = search_log(session, world["caseworker"], world["case"].id)
    assert (log.lists_checked, log.latest, log.lines) == (0, None, [])


def test_results_follow_the_reviewers_decisions(session, world):
    exchange, prisoners, dead = world["lists"]
    case = world["case"]
    for published in world["lists"]:
        check(session, case, published, SearchResult.UNDER_REVIEW)
    pair(session, case, entry(session, exchange, "Шевченко"), PairDecision.ACCEPTED)
    pair(session, case, entry(session, prisoners, "Шевченко"), PairDecision.PENDING)
    pair(session, case, entry(session, prisoners, "Шевчено"), PairDecision.REJECTED)
    pair(session, case, entry(session, dead, "Шевченко"), PairDecision.REJECTED)

    log = search_log(session, world["caseworker"], case.id)

    results = {line.title: line.result for line in log.lines}
    assert results == {
        "Обмін 14 листопада": SearchResult.FOUND,
        "Полонені, жовтень": SearchResult.UNDER_REVIEW,
        "Загиблі": SearchResult.REJECTED,
    }
    assert [line.title for line in log.found_on] == ["Обмін 14 листопада"]
    assert [line.title for line in log.under_review] == ["Полонені, жовтень"]


def test_a_family_reads_list_facts_only_never_an_entry(session, world):
    exchange = world["lists"][0]
    check(session, world["case"], exchange, SearchResult.UNDER_REVIEW)
    pair(session, world["case"], entry(session, exchange, "Кравчук", "Олексій"))

    log = search_log(session, world["family"], world["case"].id)

    assert log.lines[0].result is SearchResult.UNDER_REVIEW
    assert "Кравчук" not in repr(dataclasses.asdict(log))
    assert set(dataclasses.asdict(log.lines[0])) == {
        "list_id",
        "title",
        "publisher",
        "published_on",
        "kind",
        "checked_at",
        "result",
    }


def test_another_familys_case_reads_as_missing(session, world):
    check(session, world["case"], world["lists"][0])
    with pytest.raises(NotFound):
        search_log(session, world["stranger"], world["case"].id)
    with pytest.raises(NotFound):
        search_log(session, world["caseworker"], 987_654)


def test_unchecked_cases_are_open_consented_and_never_checked(session, factories, world):
    exchange, prisoners, _ = world["lists"]
    checked = world["case"]
    check(session, checked, exchange)
    never = [factories.CaseFactory(list_matching_consent=True) for _ in range(3)]
    check(session, never[0], prisoners)  # checked against another list: still unchecked against this one
    factories.CaseFactory(list_matching_consent=True, state=CaseState.CLOSED)
    factories.CaseFactory(list_matching_consent=True, state=CaseState.UNVERIFIED)
    no_consent = [factories.CaseFactory(list_matching_consent=False) for _ in range(2)]

    page = unchecked_cases(session, world["analyst"], exchange.id, per_page=2)

    assert page.total == 3 and page.pages == 2
    assert [c.id for c in page.cases] == [never[0].id, never[1].id]
    assert page.without_consent == len(no_consent)
    second = unchecked_cases(session, world["analyst"], exchange.id, page=2, per_page=2)
    assert [c.id for c in second.cases] == [never[2].id]
    assert page.title == "Обмін 14 листопада"


def test_unchecked_cases_are_for_staff_and_a_missing_list_is_named(session, world):
    with pytest.raises(Forbidden):
        unchecked_cases(session, world["family"], world["lists"][0].id)
    with pytest.raises(NotFound, match="list 987654"):
        unchecked_cases(session, world["caseworker"], 987_654)
