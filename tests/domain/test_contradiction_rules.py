"""Contradiction rules: each with a case that fires, cases that must not, and partial-date edges."""

from __future__ import annotations

import pytest

from kintrace.domain import contradictions as c
from kintrace.domain.contradictions import Severity, find_contradictions
from kintrace.domain.vocabulary import Claim, PersonStatus

from .helpers import CHANNEL, COMRADE, ICRC, MINISTRY, MOTHER, RUMOUR, fact, notice

S = PersonStatus


def rules_found(facts: list) -> list[tuple[str, int, int]]:  # type: ignore[type-arg]
    return [(x.rule, x.first_id, x.second_id) for x in find_contradictions(facts)]


# -- C1 / C2: alive after dead ---------------------------------------------------------------------


def test_alive_certainly_after_a_death_report_is_a_conflict_naming_both_items_and_sources() -> None:
    dead = fact(1, Claim.DEAD, "2023-05-10", CHANNEL)
    alive = fact(2, Claim.ALIVE, "2023-06", MOTHER)
    [found] = find_contradictions([alive, dead])
    assert (found.rule, found.first_id, found.second_id, found.severity) == (
        c.ALIVE_AFTER_DEATH,
        1,
        2,
        Severity.CONFLICT,
    )
    assert (found.first_source, found.second_source) == (CHANNEL, MOTHER)
    assert "item 1 (dead, 2023-05-10, Telegram-канал Сводки (media, D3))" in found.explanation
    assert "item 2 (alive, 2023-06, Мати, Ганна Петренко (relative, C3))" in found.explanation
    assert found.rule_text == c.RULES[c.ALIVE_AFTER_DEATH]


@pytest.mark.parametrize(
    "claim", [Claim.ALIVE, Claim.WOUNDED, Claim.CAPTURED, Claim.SEEN_AT_PLACE], ids=lambda claim: claim.value
)
def test_every_sign_of_life_counts(claim: Claim) -> None:
    facts = [fact(1, Claim.REMAINS_FOUND, "2023-05", ICRC), fact(2, claim, "2023-07-01", COMRADE)]
    assert rules_found(facts) == [(c.ALIVE_AFTER_DEATH, 1, 2)]


def test_a_release_notice_after_a_death_notice_is_alive_after_dead_and_notices_disagreeing() -> None:
    facts = [notice(1, S.CONFIRMED_DEAD, "2023-05"), notice(2, S.RELEASED, "2024-01-04")]
    assert rules_found(facts) == [(c.ALIVE_AFTER_DEATH, 1, 2), (c.OFFICIAL_NOTICES_DISAGREE, 1, 2)]


def test_alive_before_dead_is_no_contradiction() -> None:
    facts = [fact(1, Claim.CAPTURED, "2023-03", MOTHER), fact(2, Claim.DEAD, "2023-05-10", MINISTRY)]
    assert rules_found(facts) == []


def test_alive_and_dead_on_the_same_day_is_no_contradiction() -> None:
    # Seen in the morning, killed in the afternoon.
    facts = [fact(1, Claim.DEAD, "2023-05-10", MINISTRY), fact(2, Claim.SEEN_AT_PLACE, "2023-05-10", COMRADE)]
    assert rules_found(facts) == []


def test_alive_in_a_month_that_contains_the_death_day_is_only_a_note() -> None:
    facts = [fact(1, Claim.DEAD, "2023-05-10", MINISTRY), fact(2, Claim.ALIVE, "2023-05", MOTHER)]
    [found] = find_contradictions(facts)
    assert (found.rule, found.severity) == (c.ALIVE_MAYBE_AFTER_DEATH, Severity.NOTE)
    assert "too coarse" in found.explanation


def test_alive_in_the_month_after_a_death_known_only_to_the_year_is_only_a_note() -> None:
    facts = [fact(1, Claim.DEAD, "2023", MINISTRY), fact(2, Claim.ALIVE, "2023-02", MOTHER)]
    assert rules_found(facts) == [(c.ALIVE_MAYBE_AFTER_DEATH, 1, 2)]


def test_alive_in_the_year_after_a_death_known_only_to_the_year_is_a_conflict() -> None:
    facts = [fact(1, Claim.DEAD, "2023", MINISTRY), fact(2, Claim.ALIVE, "2024-01-01", MOTHER)]
    assert rules_found(facts) == [(c.ALIVE_AFTER_DEATH, 1, 2)]


def test_a_death_reported_before_an_undated_sign_of_life_cannot_be_ordered() -> None:
    facts = [fact(1, Claim.DEAD, None, CHANNEL, reported="2023-05"), fact(2, Claim.ALIVE, None, MOTHER)]
    assert rules_found(facts) == []


def test_the_report_date_bounds_an_undated_death() -> None:
    # Whatever was reported in May happened by the end of May; alive in June is certainly later.
    facts = [
        fact(1, Claim.DEAD, None, CHANNEL, reported="2023-05"),
        fact(2, Claim.ALIVE, "2023-06-02", MOTHER),
    ]
    assert rules_found(facts) == [(c.ALIVE_AFTER_DEATH, 1, 2)]


# -- C3: official notices --------------------------------------------------------------------------


def test_notices_that_progress_do_not_disagree() -> None:
    facts = [
        notice(1, S.REPORTED_CAPTURED, "2023-04"),
        notice(2, S.CONFIRMED_CAPTURED, "2023-06"),
        notice(3, S.RELEASED, "2024-01-04"),
        notice(4, S.CLOSED, "2024-02"),
    ]
    assert rules_found(facts) == []


def test_a_later_notice_that_withdraws_an_earlier_one_disagrees() -> None:
    facts = [notice(1, S.CONFIRMED_CAPTURED, "2023-06"), notice(2, S.MISSING, "2023-09")]
    [found] = find_contradictions(facts)
    assert (found.rule, found.first_id, found.second_id) == (c.OFFICIAL_NOTICES_DISAGREE, 1, 2)
    assert (
        "the later notice (missing) does not follow from the earlier (confirmed captured)"
        in found.explanation
    )


def test_notices_of_unknown_order_disagree_unless_one_progresses_from_the_other() -> None:
    # Reported dead, then confirmed dead, in the same month: progress in one order or the other.
    assert (
        rules_found([notice(1, S.REPORTED_DEAD, "2023-06"), notice(2, S.CONFIRMED_DEAD, "2023-06-20")]) == []
    )
    # Confirmed in captivity and confirmed dead in one month: death in captivity is progress.
    facts = [notice(1, S.CONFIRMED_DEAD, "2023-06"), notice(2, S.CONFIRMED_CAPTURED, "2023-06-20", ICRC)]
    assert c.OFFICIAL_NOTICES_DISAGREE not in [rule for rule, _, _ in rules_found(facts)]
    # Dead and found alive in one month: no order makes both true.
    facts = [notice(1, S.CONFIRMED_DEAD, "2023-06"), notice(2, S.FOUND_ALIVE, "2023-06-20", ICRC)]
    found = find_contradictions(facts)
    # The sign of life may also fall after the death within June: a note besides the conflict.
    assert [(x.rule, x.first_id, x.second_id) for x in found] == [
        (c.OFFICIAL_NOTICES_DISAGREE, 1, 2),
        (c.ALIVE_MAYBE_AFTER_DEATH, 1, 2),
    ]
    assert "declare confirmed dead and found alive at dates that may be the same" in found[0].explanation


def test_the_same_status_twice_is_no_disagreement() -> None:
    assert (
        rules_found([notice(1, S.CONFIRMED_DEAD, "2023-06"), notice(2, S.CONFIRMED_DEAD, "2023-06-12")]) == []
    )


# -- C4: two places at once ------------------------------------------------------------------------


def test_two_places_on_the_same_day() -> None:
    facts = [
        fact(1, Claim.SEEN_AT_PLACE, "2023-05-10", COMRADE, place="Бахмут"),
        fact(2, Claim.CAPTURED, "2023-05-10", CHANNEL, place="Херсон"),
    ]
    [found] = find_contradictions(facts)
    assert (found.rule, found.first_id, found.second_id) == (c.TWO_PLACES_AT_ONCE, 1, 2)
    assert "on 2023-05-10 the person is placed in Бахмут and in Херсон" in found.explanation


@pytest.mark.parametrize(
    ("first", "second"),
    [("Бахмут", "м. Бахмут"), ("Бахмут", "Бахмут, Донецька обл."), ("с. Кринки", "Кринки")],
)
def test_the_same_place_written_two_ways_is_one_place(first: str, second: str) -> None:
    facts = [
        fact(1, Claim.SEEN_AT_PLACE, "2023-05-10", COMRADE, place=first),
        fact(2, Claim.CAPTURED, "2023-05-10", CHANNEL, place=second),
    ]
    assert rules_found(facts) == []


def test_two_places_needs_both_dates_to_the_day() -> None:
    facts = [
        fact(1, Claim.SEEN_AT_PLACE, "2023-05", COMRADE, place="Бахмут"),
        fact(2, Claim.CAPTURED, "2023-05-10", CHANNEL, place="Херсон"),
    ]
    assert rules_found(facts) == []


def test_remains_are_found_where_they_lie_not_where_the_person_was() -> None:
    facts = [
        fact(1, Claim.SEEN_AT_PLACE, "2023-05-10", COMRADE, place="Бахмут"),
        fact(2, Claim.REMAINS_FOUND, "2023-05-10", ICRC, place="Соледар"),
    ]
    assert c.TWO_PLACES_AT_ONCE not in [rule for rule, _, _ in rules_found(facts)]


# -- C5: birth dates -------------------------------------------------------------------------------


def test_two_birth_dates_that_cannot_be_the_same_day() -> None:
    facts = [
        fact(1, Claim.NO_INFORMATION, None, MINISTRY, reported="2023-06", born="1990-02-03"),
        fact(2, Claim.CAPTURED, "2023-05", CHANNEL, born="1991"),
    ]
    [found] = find_contradictions(facts)
    assert (found.rule, found.first_id, found.second_id) == (c.DIFFERENT_BIRTH_DATES, 1, 2)
    assert "born 1990-02-03 according to one, 1991 according to the other" in found.explanation


@pytest.mark.parametrize(
    ("first", "second"), [("1990", "1990-02-03"), ("1990-02", "1990-02-28"), ("1990", "1990")]
)
def test_compatible_partial_birth_dates_do_not_contradict(first: str, second: str) -> None:
    facts = [
        fact(1, Claim.NO_INFORMATION, None, MINISTRY, born=first),
        fact(2, Claim.NO_INFORMATION, None, MOTHER, born=second),
    ]
    assert rules_found(facts) == []


# -- C6: death dates -------------------------------------------------------------------------------


def test_two_death_dates_that_cannot_be_the_same_day() -> None:
    facts = [fact(1, Claim.DEAD, "2023-06-02", MOTHER), notice(2, S.CONFIRMED_DEAD, "2023-05-10")]
    assert rules_found(facts) == [(c.DIFFERENT_DEATH_DATES, 2, 1)]


def test_a_death_date_inside_a_partial_one_is_the_same_death() -> None:
    facts = [fact(1, Claim.DEAD, "2023-06-02", MOTHER), notice(2, S.CONFIRMED_DEAD, "2023-06")]
    assert rules_found(facts) == []


def test_conflicts_come_before_notes_and_every_rule_has_a_sentence() -> None:
    facts = [
        fact(1, Claim.DEAD, "2023-05-10", MINISTRY),
        fact(2, Claim.ALIVE, "2023-05", MOTHER),
        fact(3, Claim.CAPTURED, "2023-07", CHANNEL),
    ]
    found = find_contradictions(facts)
    assert [x.severity for x in found] == [Severity.CONFLICT, Severity.NOTE]
    assert all(x.rule in c.RULES for x in found)


def test_a_finding_that_rests_on_a_discounted_item_is_only_a_note() -> None:
    facts = [fact(1, Claim.DEAD, "2023-05-10", RUMOUR), fact(2, Claim.ALIVE, "2023-07", MOTHER)]
    [found] = find_contradictions(facts)
    assert (found.rule, found.severity) == (c.ALIVE_AFTER_DEATH, Severity.NOTE)
    assert found.explanation.endswith("(one of the two is graded unreliable or improbable)")
