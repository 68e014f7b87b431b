"""The one transition table, checked over every pair of states against a list written out by hand."""

from __future__ import annotations

import itertools

import pytest

from kintrace.domain.errors import DomainError, IllegalTransition
from kintrace.domain.status import TABLE, TRANSITIONS, Move, check_transition, transition, transition_path
from kintrace.domain.vocabulary import PersonStatus

# Written independently of the table in status.py: what a tracing service must be able to record.
EXPECTED_LEGAL = {
    ("missing", "reported_captured"),
    ("missing", "confirmed_captured"),
    ("missing", "released"),  # returned in an exchange while only ever listed as missing
    ("missing", "reported_dead"),
    ("missing", "confirmed_dead"),
    ("missing", "remains_identified"),
    ("missing", "found_alive"),
    ("missing", "closed"),  # duplicate or withdrawn
    ("reported_captured", "missing"),  # report withdrawn
    ("reported_captured", "confirmed_captured"),
    ("reported_captured", "released"),
    ("reported_captured", "reported_dead"),
    ("reported_captured", "confirmed_dead"),
    ("reported_captured", "remains_identified"),
    ("reported_captured", "found_alive"),
    ("confirmed_captured", "missing"),
    ("confirmed_captured", "reported_captured"),
    ("confirmed_captured", "released"),
    ("confirmed_captured", "reported_dead"),
    ("confirmed_captured", "confirmed_dead"),
    ("confirmed_captured", "remains_identified"),
    ("released", "missing"),  # a namesake on the exchange list
    ("released", "closed"),
    ("reported_dead", "missing"),
    ("reported_dead", "reported_captured"),
    ("reported_dead", "confirmed_captured"),
    ("reported_dead", "released"),
    ("reported_dead", "confirmed_dead"),
    ("reported_dead", "remains_identified"),
    ("reported_dead", "found_alive"),
    ("confirmed_dead", "missing"),
    ("confirmed_dead", "reported_captured"),
    ("confirmed_dead", "confirmed_captured"),
    ("confirmed_dead", "released"),
    ("confirmed_dead", "reported_dead"),
    ("confirmed_dead", "remains_identified"),
    ("confirmed_dead", "found_alive"),
    ("confirmed_dead", "closed"),
    ("remains_identified", "missing"),
    ("remains_identified", "remains_returned"),
    ("remains_identified", "closed"),
    ("remains_returned", "missing"),
    ("remains_returned", "closed"),
    ("found_alive", "missing"),
    ("found_alive", "closed"),
    ("closed", "missing"),  # reopened
}

ALL_PAIRS = list(itertools.product(PersonStatus, PersonStatus))


@pytest.mark.parametrize(("current", "new"), ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS])
def test_every_pair_of_states_is_legal_exactly_when_listed(current: PersonStatus, new: PersonStatus) -> None:
    if (current.value, new.value) in EXPECTED_LEGAL:
        check_transition(current, new)
        assert new in TRANSITIONS[current]
    else:
        with pytest.raises(IllegalTransition) as refused:
            check_transition(current, new)
        message = str(refused.value)
        assert current.value in message and new.value in message
        assert refused.value.current == current and refused.value.new == new
        assert refused.value.field == "status"


def test_the_table_covers_every_state_and_nothing_else() -> None:
    assert set(TRANSITIONS) == set(PersonStatus)
    assert {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets} == EXPECTED_LEGAL


def test_every_row_says_why_and_whether_it_is_a_correction() -> None:
    for row in TABLE:
        assert row.why.strip()
    corrections = {(r.current, r.new) for r in TABLE if r.move is Move.CORRECTION}
    # Withdrawing a death report is a correction, not progress; confirming one is progress.
    assert (PersonStatus.REPORTED_DEAD, PersonStatus.MISSING) in corrections
    assert (PersonStatus.REPORTED_DEAD, PersonStatus.CONFIRMED_DEAD) not in corrections
    assert transition(PersonStatus.CLOSED, PersonStatus.MISSING).why == "the case is reopened"


def test_refusal_lists_what_is_allowed_instead() -> None:
    with pytest.raises(IllegalTransition, match="from released it may become: missing, closed"):
        check_transition(PersonStatus.RELEASED, PersonStatus.CONFIRMED_DEAD)


def test_staying_in_the_same_state_is_not_a_change() -> None:
    with pytest.raises(IllegalTransition, match="already missing"):
        check_transition(PersonStatus.MISSING, PersonStatus.MISSING)


def test_strings_are_accepted_as_the_stored_values() -> None:
    check_transition("reported_captured", "confirmed_captured")  # type: ignore[arg-type]


def test_an_illegal_transition_is_a_domain_error_services_can_map() -> None:
    with pytest.raises(DomainError):
        check_transition(PersonStatus.CLOSED, PersonStatus.RELEASED)


def test_path_fills_in_the_steps_the_evidence_jumped_over() -> None:
    assert transition_path(PersonStatus.MISSING, PersonStatus.REMAINS_RETURNED) == (
        PersonStatus.REMAINS_IDENTIFIED,
        PersonStatus.REMAINS_RETURNED,
    )
    assert transition_path(PersonStatus.MISSING, PersonStatus.MISSING) == ()
    # From a closed case the only way on is to reopen it first.
    assert transition_path(PersonStatus.CLOSED, PersonStatus.CONFIRMED_CAPTURED) == (
        PersonStatus.MISSING,
        PersonStatus.CONFIRMED_CAPTURED,
    )


@pytest.mark.parametrize(("current", "new"), ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS])
def test_every_state_can_reach_every_other_by_legal_steps(current: PersonStatus, new: PersonStatus) -> None:
    path = transition_path(current, new)
    state = current
    for step in path:
        check_transition(state, step)
        state = step
    assert state == new
