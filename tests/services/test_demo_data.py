"""The synthetic demo registry: what a demo visitor must find in it, and that it is all legal data."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from kintrace.domain import contradictions as c
from kintrace.domain.person import Script, parse_unit
from kintrace.domain.requests import is_overdue
from kintrace.domain.status import check_transition
from kintrace.domain.vocabulary import (
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    SourceKind,
)
from kintrace.services.demo_data import DemoDataset, generate_demo_dataset

TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def demo() -> DemoDataset:
    return generate_demo_dataset(2000, seed=7, today=TODAY)


def test_the_requested_number_of_persons(demo: DemoDataset) -> None:
    assert len(demo.cases) == len(demo.persons) == 2000
    assert len({case.reference for case in demo.cases}) == 2000


def test_the_same_seed_gives_the_same_registry_and_another_seed_another() -> None:
    first = generate_demo_dataset(150, seed=11, today=TODAY)
    assert first == generate_demo_dataset(150, seed=11, today=TODAY)
    assert first.persons != generate_demo_dataset(150, seed=12, today=TODAY).persons


def test_namesakes_occur_as_in_real_lists(demo: DemoDataset) -> None:
    names = Counter(person.name.full for person in demo.persons)
    shared = [name for name, count in names.items() if count > 1]
    assert len(shared) >= 20
    # ...but no name swamps the registry.
    assert names.most_common(1)[0][1] <= 20


def test_names_are_cyrillic_with_latin_and_russian_spellings_as_alternatives(demo: DemoDataset) -> None:
    assert all(person.name.script is Script.CYRILLIC for person in demo.persons)
    alternatives = [alt for person in demo.persons for alt in person.alternative_names]
    assert any(alt.script is Script.LATIN for alt in alternatives)
    assert any(alt.script is Script.CYRILLIC for alt in alternatives)  # e.g. Олександр listed as Александр
    citizenships = Counter(person.citizenship for person in demo.persons)
    assert citizenships["UA"] > citizenships["RU"] > 300


def test_units_are_stored_as_numbers_and_shared_by_comrades(demo: DemoDataset) -> None:
    units = Counter(person.unit for person in demo.persons if person.unit is not None)
    assert all(re.fullmatch(r"\d{5}|А\d{4}", unit) for unit in units)
    assert all(parse_unit(f"в/ч {unit}") == unit for unit in units)
    assert max(units.values()) >= 5


def test_some_soldiers_are_filed_with_a_call_sign_and_no_civilian_is(demo: DemoDataset) -> None:
    signs = [(case.person.rank is not None, case.filed.call_sign) for case in demo.cases]
    soldiers = [sign for soldier, sign in signs if soldier]
    assert 0.2 < sum(sign is not None for sign in soldiers) / len(soldiers) < 0.5
    assert all(sign is None for soldier, sign in signs if not soldier)
    assert generate_demo_dataset(50, seed=7, today=TODAY).cases[10].filed == demo.cases[10].filed


def test_contact_details_are_obviously_fake(demo: DemoDataset) -> None:
    relatives = [relative for case in demo.cases for relative in case.relatives]
    assert all(r.phone.startswith(("+380 00 ", "+7 000 ")) for r in relatives)
    assert all(r.email is None or r.email.endswith("@example.org") for r in relatives)
    assert all(r.address is None or "Вигадана" in r.address or "Вымышленная" in r.address for r in relatives)
    assert {r.relationship for r in relatives} >= {"mother", "father", "wife", "sister", "brother"}
    assert all(sum(r.is_reporter for r in case.relatives) == 1 for case in demo.cases)


def test_sources_of_every_kind_and_every_grade(demo: DemoDataset) -> None:
    used = {fact.source for fact in demo.evidence}
    assert {source.kind for source in used} == set(SourceKind) - {SourceKind.OTHER} | {
        s.kind for s in used if s.kind is SourceKind.OTHER
    }
    assert {source.kind for source in demo.sources} == set(SourceKind)
    assert {source.reliability for source in demo.sources} == set(Reliability)
    assert {source.credibility for source in demo.sources} == set(Credibility)
    ids = [source.id for source in demo.sources]
    assert len(ids) == len(set(ids))
    assert {fact.source for fact in demo.evidence} <= set(demo.sources)


def test_evidence_of_every_claim_none_dated_after_today(demo: DemoDataset) -> None:
    facts = list(demo.evidence)
    assert {fact.claim for fact in facts} == set(Claim)
    assert len({fact.id for fact in facts}) == len(facts)
    for fact in facts:
        assert fact.event_date is None or fact.event_date.earliest <= TODAY
        assert fact.reported_date is None or fact.reported_date.latest <= TODAY


def test_contradictions_of_each_kind_are_present(demo: DemoDataset) -> None:
    rules = Counter(found.rule for case in demo.cases for found in case.contradictions())
    for rule in (
        c.ALIVE_AFTER_DEATH,
        c.OFFICIAL_NOTICES_DISAGREE,
        c.TWO_PLACES_AT_ONCE,
        c.DIFFERENT_BIRTH_DATES,
    ):
        assert rules[rule] >= 5, rule
    # Contradictions are the exception, not the rule.
    assert demo.summary()["cases with contradictions"] < len(demo.cases) // 4


def test_official_histories_are_legal_moves_from_missing(demo: DemoDataset) -> None:
    for case in demo.cases:
        current = PersonStatus.MISSING
        for status, _ in case.official_history:
            check_transition(current, status)
            current = status
        assert case.official_status is current
        assert (case.state is CaseState.CLOSED) == (current is PersonStatus.CLOSED)


def test_the_evidence_often_says_more_than_the_authority(demo: DemoDataset) -> None:
    diverging = [case for case in demo.cases if case.derive(TODAY).status is not case.official_status]
    assert 200 <= len(diverging) <= 1500
    statuses = {case.derive(TODAY).status for case in demo.cases}
    assert statuses >= set(PersonStatus) - {PersonStatus.CLOSED}


def test_requests_of_every_age_and_outcome_some_overdue(demo: DemoDataset) -> None:
    requests = list(demo.requests)
    assert len(requests) >= 200
    overdue = [r for r in requests if is_overdue(r.deadline, r.outcome, TODAY)]
    assert len(overdue) >= 50
    ages = [(TODAY - r.submitted_on).days for r in requests]
    assert min(ages) < 30 and max(ages) > 300
    assert {r.outcome for r in requests} == set(RequestOutcome)
    for r in requests:
        assert r.submitted_on <= r.deadline and r.evidence_ids
        assert (r.outcome_on is None) == (r.outcome is RequestOutcome.PENDING)
        assert r.outcome_on is None or r.submitted_on <= r.outcome_on <= TODAY


def test_granted_requests_moved_the_official_status(demo: DemoDataset) -> None:
    granted = [(case, r) for case in demo.cases for r in case.requests if r.outcome is RequestOutcome.GRANTED]
    assert granted
    assert all(case.official_status is r.requested_status for case, r in granted)


def test_one_demo_user_per_role_and_a_family_with_cases(demo: DemoDataset) -> None:
    assert sorted(user.role for user in demo.users) == sorted(Role)
    assert len({user.password for user in demo.users}) == len(demo.users)
    family = demo.user(Role.FAMILY).username
    theirs = [case for case in demo.cases if any(r.username == family for r in case.relatives)]
    assert len(theirs) == 3
    assert {case.state for case in theirs} == {CaseState.OPEN, CaseState.UNVERIFIED}


def test_the_family_tour_shows_a_divergence_an_overdue_request_and_a_contradiction(demo: DemoDataset) -> None:
    family = demo.user(Role.FAMILY).username
    ahead, contradicted, fresh = [
        case for case in demo.cases if any(r.username == family for r in case.relatives)
    ]
    assert ahead.official_status is PersonStatus.MISSING
    assert ahead.derive(TODAY).status is PersonStatus.CONFIRMED_CAPTURED
    assert [is_overdue(r.deadline, r.outcome, TODAY) for r in ahead.requests] == [True]
    # The family sees the contradiction: both items are family-visible.
    visible = [fact for fact in contradicted.evidence if fact.visibility.value == "family"]
    assert [found.rule for found in c.find_contradictions(visible)] == [c.ALIVE_AFTER_DEATH]
    assert fresh.state is CaseState.UNVERIFIED and fresh.caseworker is None


def test_some_persons_are_reported_twice(demo: DemoDataset) -> None:
    references = {case.reference: case for case in demo.cases}
    duplicates = [case for case in demo.cases if case.duplicate_of is not None]
    assert duplicates
    for case in duplicates:
        original = references[case.duplicate_of]  # type: ignore[index]
        assert case.person.name.last == original.person.name.last
        assert case.person.name != original.person.name  # spelt differently the second time


def test_a_small_registry_and_bad_arguments() -> None:
    assert len(generate_demo_dataset(1, today=TODAY).cases) == 1
    with pytest.raises(ValueError, match="n_persons"):
        generate_demo_dataset(0, today=TODAY)
    with pytest.raises(ValueError, match="no time"):
        generate_demo_dataset(10, today=dt.date(2022, 3, 1))


def test_civilians_have_no_comrades(demo: DemoDataset) -> None:
    for case in demo.cases:
        if case.person.service_number is None:
            assert all(f.source.kind is not SourceKind.FELLOW_SERVICEMAN for f in case.evidence)
            assert case.person.unit is None and case.person.rank is None


def test_each_case_speaks_its_own_language(demo: DemoDataset) -> None:
    russian_only, ukrainian_only = set("ыэъё"), set("іїєґ")
    for case in demo.cases:
        text = " ".join(f.text for f in case.evidence) + " " + (case.person.last_seen.circumstances or "")
        if case.person.citizenship == "UA":
            assert not russian_only & set(text.lower()), (case.reference, text)
        else:
            assert not ukrainian_only & set(text.lower()), (case.reference, text)
