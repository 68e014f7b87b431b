"""Possible duplicate cases from the linkage engine: proposed with reasons, dismissed, kept from families."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from tests.services.helpers import actor, person

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import PairBand
from kintrace.domain.person import LastSeen, PersonName, Script
from kintrace.domain.vocabulary import Role
from kintrace.services import cases, duplicate_keys, duplicates
from kintrace.services import duplicate_candidates as dc
from kintrace.services.access import SYSTEM
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.store.models import AuditEntry, DuplicateCandidate, DuplicateLink

pytestmark = pytest.mark.db


def _report(**extra: object):
    """One report of the same man, as three families might each file it."""
    fields: dict[str, object] = {
        "birth_date": PartialDate(1987, 3, 14),
        "unit": "А0535",
        "service_number": "АВ-123456",
        "birth_place": "Житомир",
    }
    fields.update(extra)
    return person("Ковальчук", "Тарас", "Іванович", **fields)


def _background(session) -> list[int]:
    """Other men in the registry, so term frequencies mean something."""
    names = [
        ("Шевченко", "Андрій", "Петрович", 1990),
        ("Мельник", "Олег", "Васильович", 1985),
        ("Бондар", "Сергій", "Миколайович", 1979),
        ("Ткаченко", "Іван", "Олексійович", 1993),
        ("Кравчук", "Юрій", "Степанович", 1988),
        ("Савчук", "Роман", "Ігорович", 1996),
    ]
    return [
        cases.create_case(session, SYSTEM, person(last, first, patr, birth_date=PartialDate(year, 1, 2))).id
        for last, first, patr, year in names
    ]


def _families(factories, n: int):
    return [actor(factories.UserFactory(role=Role.FAMILY)) for _ in range(n)]


def test_three_identical_portal_reports_are_proposed_to_each_other(session, factories):
    _background(session)
    filed = [cases.create_case(session, family, _report()).id for family in _families(factories, 3)]
    found = dc.find_duplicates(session, SYSTEM)
    pairs = {(c.case_id, c.other_case_id): c for c in found}
    assert set(pairs) == {(filed[0], filed[1]), (filed[0], filed[2]), (filed[1], filed[2])}
    for candidate in pairs.values():
        assert candidate.band is PairBand.LINK and candidate.probability > 0.99
        reasons = {r.field: r for r in candidate.reasons}
        assert reasons["surname"].level == "exact" and reasons["surname"].bayes_factor > 1
        assert reasons["birth_date"].bayes_factor > 10
    # Strongest first; asked about one case, only its own pairs.
    assert [c.probability for c in found] == sorted((c.probability for c in found), reverse=True)
    mine = dc.find_duplicates(session, SYSTEM, case_id=filed[1])
    assert {(c.case_id, c.other_case_id) for c in mine} == {(filed[0], filed[1]), (filed[1], filed[2])}
    assert {c.other(filed[1]) for c in mine} == {filed[0], filed[2]}


def test_a_namesake_born_on_another_date_is_not_in_the_link_band(session):
    _background(session)
    first = cases.create_case(session, SYSTEM, _report()).id
    namesake = cases.create_case(
        session, SYSTEM, _report(birth_date=PartialDate(1961, 11, 2), unit=None, service_number=None)
    ).id
    found = dc.find_duplicates(session, SYSTEM, case_id=namesake)
    assert all(c.band is not PairBand.LINK for c in found)
    for c in found:
        assert c.other(namesake) == first
        assert {r.field: r for r in c.reasons}["birth_date"].bayes_factor < 1


def test_an_alias_is_compared_as_a_spelling_of_its_own(session):
    _background(session)
    # Filed under a nickname surname; the alias holds the name the other family wrote.
    aliased = cases.create_case(
        session,
        SYSTEM,
        _report(
            name=PersonName("Коваль", "Тарас", None),
            alternative_names=(PersonName("Ковальчук", "Тарас", "Іванович"),),
        ),
    )
    plain = cases.create_case(session, SYSTEM, _report())
    found = dc.find_duplicates(session, SYSTEM, case_id=plain.id)
    assert [c.other(plain.id) for c in found] == [aliased.id]
    assert found[0].band is PairBand.LINK


def test_linked_merged_and_dismissed_pairs_are_not_proposed(session, factories):
    _background(session)
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    a, b, c, d = (cases.create_case(session, SYSTEM, _report()).id for _ in range(4))
    duplicates.link_duplicates(session, worker, a, b)
    duplicates.merge_cases(session, worker, c, d)
    with pytest.raises(ValidationFailed) as no_reason:
        dc.dismiss(session, worker, a, c, "  ")
    assert no_reason.value.field == "reason"
    dismissal = dc.dismiss(session, worker, c, a, "different fathers: checked with both families")
    assert (dismissal.case_id, dismissal.other_case_id) == (min(a, c), max(a, c))
    with pytest.raises(Conflict):
        dc.dismiss(session, worker, a, c, "again")
    assert {(x.case_id, x.other_case_id) for x in dc.find_duplicates(session, worker)} == {
        (min(b, c), max(b, c))
    }
    audit = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "duplicate_dismissals"))
    assert list(audit) == ["duplicate.dismiss"]


def test_filing_proposes_links_and_the_family_learns_only_yes_or_no(session, factories):
    _background(session)
    first_family, second_family = _families(factories, 2)
    first = cases.create_case(session, first_family, _report())
    assert dc.check_filed_case(session, first_family, first.id) is False
    second = cases.create_case(session, second_family, _report())
    assert dc.check_filed_case(session, second_family, second.id) is True
    link = session.scalar(select(DuplicateLink).where(DuplicateLink.other_case_id == second.id))
    assert link is not None and link.case_id == first.id and link.created_by_id is None
    assert link.note is not None and "surname=exact" in link.note
    # The answer is a bare boolean; every way to the other case stays closed to the family.
    for call in (
        lambda: dc.find_duplicates(session, second_family),
        lambda: dc.find_duplicates(session, second_family, case_id=second.id),
        lambda: duplicates.duplicate_links(session, second_family, second.id),
    ):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(NotFound):
        cases.get_case(session, second_family, first.id)
    with pytest.raises(NotFound):
        dc.check_filed_case(session, second_family, first.id)
    # Proposed pairs are links now: the queue does not offer them twice.
    assert dc.find_duplicates(session, SYSTEM, case_id=second.id) == []


def test_only_staff_may_ask_and_only_writers_may_dismiss(session, factories):
    ids = _background(session)
    analyst = actor(factories.UserFactory(role=Role.ANALYST))
    assert dc.find_duplicates(session, analyst) == []
    with pytest.raises(Forbidden):
        dc.dismiss(session, analyst, ids[0], ids[1], "not him")
    with pytest.raises(ValidationFailed) as engine:
        dc.find_duplicates(session, analyst, engine="oracle")
    assert engine.value.field == "engine"


def test_in_a_large_registry_one_case_reads_only_the_cases_sharing_a_name_key(session):
    """Beyond the full-scan limit (set low here) the check reads the cases sharing a surname key and
    an even sample; the Latin spelling of the surname shares the Cyrillic one's key."""
    ids = _background(session)
    same = cases.create_case(session, SYSTEM, _report()).id
    latin = cases.create_case(
        session,
        SYSTEM,
        person(
            name=PersonName("Kovalchuk", "Taras", "Ivanovych", Script.LATIN),
            birth_date=PartialDate(1987, 3, 14),
        ),
    ).id
    new = cases.create_case(session, SYSTEM, _report()).id
    assert duplicate_keys.candidate_case_ids(session, new, background=2) == {same, latin, new} | set(ids[::4])
    found = dc.find_duplicates(session, SYSTEM, case_id=new, full_scan_limit=3)
    assert {c.other(new) for c in found} == {same, latin}
    everything = dc.find_duplicates(session, SYSTEM, case_id=new)
    assert [(c.case_id, c.other_case_id, c.band) for c in found] == [
        (c.case_id, c.other_case_id, c.band) for c in everything
    ]


# --- stored candidates -----------------------------------------------------------------------------


def _key(found: list[dc.Candidate]) -> list[tuple[int, int, PairBand, float, tuple[dc.Reason, ...], str]]:
    return sorted(
        (c.case_id, c.other_case_id, c.band, round(c.probability, 9), c.reasons, c.summary) for c in found
    )


def _stored_rows(session) -> set[tuple[int, int]]:
    return {
        (a, b)
        for a, b in session.execute(select(DuplicateCandidate.case_id, DuplicateCandidate.other_case_id))
    }


def test_a_full_run_stores_exactly_the_pairs_the_engine_computes(session, factories):
    _background(session)
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    three = [cases.create_case(session, SYSTEM, _report()).id for _ in range(3)]
    cases.create_case(
        session, SYSTEM, _report(birth_date=PartialDate(1961, 11, 2), unit=None, service_number=None)
    )
    duplicates.link_duplicates(session, worker, three[0], three[1])
    assert dc.stored_candidates(session, worker) == [] and dc.last_run(session, worker) is None
    run = dc.refresh(session, worker)
    on_the_fly = dc.find_duplicates(session, worker)
    stored = dc.stored_candidates(session, worker)
    assert len(stored) >= 2 and _key(stored) == _key(on_the_fly)
    assert [c.probability for c in stored] == sorted((c.probability for c in stored), reverse=True)
    assert dc.count_stored(session, worker) == len(stored)
    # The linked pair is stored (unlinked, it is proposed again) but not proposed.
    assert (three[0], three[1]) in _stored_rows(session)
    assert run.pairs == len(stored) + 1 and run.cases == 10 and run.run_by_id == worker.user_id
    assert dc.last_run(session, worker) is run
    # One case's pairs, as stored, are the engine's pairs of that case.
    mine = dc.stored_candidates(session, worker, case_id=three[2])
    assert {c.other(three[2]) for c in mine} == {three[0], three[1]}
    # Read paths for staff only, as the engine's.
    family = actor(factories.UserFactory(role=Role.FAMILY))
    for call in (lambda: dc.stored_candidates(session, family), lambda: dc.refresh(session, family)):
        with pytest.raises(Forbidden):
            call()
    audit = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "duplicate_runs"))
    assert list(audit) == ["duplicate.refresh"]


def test_the_stored_rows_are_what_is_read_not_the_engine(session, factories):
    _background(session)
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    a, b = (cases.create_case(session, SYSTEM, _report()).id for _ in range(2))
    dc.refresh(session, worker)
    assert [(c.case_id, c.other_case_id) for c in dc.stored_candidates(session, worker)] == [(a, b)]
    session.execute(delete(DuplicateCandidate).where(DuplicateCandidate.case_id == a))
    assert dc.stored_candidates(session, worker) == []
    assert [(c.case_id, c.other_case_id) for c in dc.find_duplicates(session, worker)] == [(a, b)]


def test_an_edit_of_the_name_replaces_the_case_pairs(session, factories):
    _background(session)
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    a, b = (cases.create_case(session, SYSTEM, _report()).id for _ in range(2))
    dc.refresh(session, worker)
    before = dc.stored_candidates(session, worker)
    assert [(c.case_id, c.other_case_id) for c in before] == [(a, b)]
    stamp = session.scalar(select(DuplicateCandidate.computed_at))
    # An edit the engine does not read keeps the stored pairs as they were.
    cases.update_person(session, worker, b, _report(last_seen=LastSeen(date=PartialDate(2024, 3, 1))))
    assert session.scalar(select(DuplicateCandidate.computed_at)) == stamp
    # Another man's name: the case's pairs are replaced at once, by nothing.
    other = _report(name=PersonName("Литвиненко", "Петро", "Іванович"), birth_date=PartialDate(1970, 1, 1))
    cases.update_person(session, worker, b, other)
    assert dc.stored_candidates(session, worker) == []
    assert not any(b in pair for pair in _stored_rows(session))
    # Back to the first name (as an alias, here): the pair is proposed again without a full run.
    cases.update_person(session, worker, b, _report(alternative_names=(PersonName("Коваль", "Тарас", None),)))
    again = dc.stored_candidates(session, worker)
    assert [(c.case_id, c.other_case_id) for c in again] == [(a, b)]
    assert _key(again) == _key(dc.find_duplicates(session, worker, case_id=b))


def test_a_dismissal_or_a_merge_removes_the_stored_pair_and_an_undone_merge_brings_it_back(
    session, factories
):
    _background(session)
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    a, b, c, d = (cases.create_case(session, SYSTEM, _report()).id for _ in range(4))
    dc.refresh(session, worker)
    assert _stored_rows(session) == {(a, b), (a, c), (a, d), (b, c), (b, d), (c, d)}
    dc.dismiss(session, worker, b, a, "different fathers: checked with both families")
    assert (a, b) not in _stored_rows(session)
    merge = duplicates.merge_cases(session, worker, c, d)
    assert _stored_rows(session) == {(a, c), (b, c)}
    assert {(x.case_id, x.other_case_id) for x in dc.stored_candidates(session, worker)} == {(a, c), (b, c)}
    # A full run stores neither the dismissed pair nor the merged case's.
    dc.refresh(session, worker)
    assert _stored_rows(session) == {(a, c), (b, c)}
    duplicates.undo_merge(session, worker, merge.id)
    assert _stored_rows(session) == {(a, c), (b, c), (a, d), (b, d), (c, d)}
    assert {(x.case_id, x.other_case_id) for x in dc.stored_candidates(session, worker)} == {
        (a, c),
        (b, c),
        (a, d),
        (b, d),
        (c, d),
    }


def test_filing_stores_the_new_case_pairs(session, factories):
    _background(session)
    first_family, second_family = _families(factories, 2)
    first = cases.create_case(session, first_family, _report())
    assert dc.check_filed_case(session, first_family, first.id) is False
    second = cases.create_case(session, second_family, _report())
    assert dc.check_filed_case(session, second_family, second.id) is True
    # Stored (the compare screen reads it), not proposed: the filing linked it.
    assert _stored_rows(session) == {(first.id, second.id)}
    assert dc.stored_candidates(session, SYSTEM) == []
    compared = dc.pair_candidate(session, SYSTEM, second.id, first.id)
    assert compared is not None and compared.band is PairBand.LINK
    assert dc.pair_candidate(session, SYSTEM, first.id, second.id) == compared


def test_cached_features_are_the_engine_features_of_every_row(session):
    """A filing computes only the rows the process has not seen; the frame must be the same."""
    import pandas as pd

    from kintrace.linkage.features import build_features
    from kintrace.linkage.io import records_from_frame

    _background(session)
    cases.create_case(
        session,
        SYSTEM,
        _report(
            name=PersonName("Коваль", "Т.", None),
            alternative_names=(PersonName("Kovalchuk", "Taras", None, Script.LATIN),),
        ),
    )
    rows = dc._registry_rows(session)
    direct = build_features(records_from_frame(pd.DataFrame(rows), source="registry"))
    dc.clear_feature_cache()
    dc._features(rows[::2])  # half of them seen before
    for _ in range(2):  # then some new, then all cached
        pd.testing.assert_frame_equal(
            dc._features(rows).reset_index(drop=True), direct.reset_index(drop=True)
        )


def test_on_a_served_database_an_edit_commits_at_once_and_its_pairs_follow_after(fresh_sqlite_url):
    """A server's sessions are bound to an engine: the engine's second runs after the edit committed,
    in a worker (outside the write lock every other writer queues on), and replaces the case's pairs."""
    from kintrace.store.db import make_engine, session_scope

    engine = make_engine(fresh_sqlite_url)
    try:
        with session_scope(engine) as session:
            _background(session)
            a = cases.create_case(session, SYSTEM, _report()).id
            b = cases.create_case(session, SYSTEM, _report(name=PersonName("Литвиненко", "Петро", None))).id
            dc.refresh(session, SYSTEM)
            assert _stored_rows(session) == set()
        with session_scope(engine) as session:
            cases.update_person(session, SYSTEM, b, _report())  # now the same man as case a
            assert _stored_rows(session) == set()  # not inside the write
        dc.wait_for_rechecks()
        with session_scope(engine) as session:
            assert _stored_rows(session) == {(a, b)}
    finally:
        engine.dispose()
