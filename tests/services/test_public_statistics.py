"""The public statistics: aggregates only, small counts withheld so that none can be read or derived."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kintrace.domain.vocabulary import CaseState, PersonStatus, RequestOutcome
from kintrace.services.statistics import MINIMUM_COUNT, percentile, public_statistics, suppress

TODAY = dt.date(2026, 6, 1)


def test_counts_from_one_to_four_are_withheld_and_zero_is_not() -> None:
    assert suppress([0, 7, 12, 30]) == [0, 7, 12, 30]
    assert suppress([3, 2, 12, 30]) == [None, None, 12, 30]


def test_a_lone_withheld_count_takes_the_smallest_other_one_with_it() -> None:
    # With the total published, 3 = total - 7 - 12 - 30; withholding the 7 too hides both.
    assert suppress([3, 7, 12, 30]) == [None, None, 12, 30]


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=10))
def test_no_withheld_count_can_be_recovered_from_the_total(counts: list[int]) -> None:
    shown = suppress(counts)
    withheld = [count for count, value in zip(counts, shown, strict=True) if value is None]
    assert all(value is None or value == count for count, value in zip(counts, shown, strict=True))
    assert all(value is None or not 0 < value < MINIMUM_COUNT for value in shown)
    # What the total gives away is the sum of the withheld cells: never a single small count, unless
    # that count is the total, which is then withheld itself.
    assert len(withheld) != 1 or sum(counts) < MINIMUM_COUNT


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([10, 20, 30, 40], 0.5) == 25
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9.1
    assert percentile([7], 0.9) == 7


def _cases(factories, count, official, evidence=PersonStatus.MISSING, state=CaseState.OPEN):
    return [
        factories.CaseFactory(official_status=official, evidence_status=evidence, state=state)
        for _ in range(count)
    ]


def test_status_counts_on_both_tracks_over_verified_unmerged_cases(factories, session) -> None:
    _cases(factories, 6, PersonStatus.MISSING, PersonStatus.CONFIRMED_CAPTURED)
    _cases(factories, 9, PersonStatus.MISSING, PersonStatus.MISSING)
    _cases(factories, 2, PersonStatus.REPORTED_DEAD, PersonStatus.MISSING)
    _cases(factories, 8, PersonStatus.CONFIRMED_DEAD, PersonStatus.CONFIRMED_DEAD)
    _cases(factories, 4, PersonStatus.RELEASED, state=CaseState.UNVERIFIED)  # not yet checked: left out
    _cases(factories, 3, PersonStatus.FOUND_ALIVE, state=CaseState.MERGED)  # folded into another: left out
    session.flush()
    figures = public_statistics(session, today=TODAY)
    rows = {row.status: (row.official, row.evidence) for row in figures.by_status}
    assert figures.cases == 25
    # Official: missing 15, reported dead 2 (withheld), confirmed dead 8 (withheld with it).
    # Evidence: missing 11, confirmed captured 6, confirmed dead 8: nothing withheld.
    assert rows == {
        PersonStatus.MISSING: (15, 11),
        PersonStatus.CONFIRMED_CAPTURED: (0, 6),
        PersonStatus.REPORTED_DEAD: (None, 0),
        PersonStatus.CONFIRMED_DEAD: (None, 8),
    }


def test_authorities_named_only_with_five_pending_requests(factories, session) -> None:
    staff, small = "Координаційний штаб", "Військова частина А0000"
    for days in (10, 20, 40, 50, 100, 200):
        factories.StatusRequestFactory(
            authority=staff, submitted_on=TODAY - dt.timedelta(days=days), deadline=None
        )
    for days in (45, 60):  # deadline 30 days after submission: both overdue
        factories.StatusRequestFactory(authority=small, submitted_on=TODAY - dt.timedelta(days=days))
    factories.StatusRequestFactory(authority=staff, outcome=RequestOutcome.GRANTED)  # answered: not waiting
    session.flush()
    rows = public_statistics(session, today=TODAY).authorities
    assert [row.authority for row in rows] == [staff, None]
    named, pooled = rows
    assert named.pending == 6 and named.median_days == 45 and named.longest_days == 200
    assert named.p90_days == percentile([10, 20, 40, 50, 100, 200], 0.9)
    assert named.overdue == 0
    # Two requests at a rarely named authority: pooled, counted as "fewer than 5", no figures.
    assert pooled.pending is None and pooled.overdue is None
    assert pooled.median_days is None and pooled.longest_days is None
    assert small not in repr(rows)


def test_an_overdue_count_that_leaves_a_small_rest_is_withheld(factories, session) -> None:
    for days in (40, 41, 42, 43, 44, 45, 5):  # six overdue, one in time
        factories.StatusRequestFactory(submitted_on=TODAY - dt.timedelta(days=days))
    session.flush()
    (row,) = public_statistics(session, today=TODAY).authorities
    assert row.pending == 7 and row.overdue is None
