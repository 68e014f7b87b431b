"""The evidence-based status: each named rule, what it gives, and the items it names."""

from __future__ import annotations

import datetime as dt

import pytest

from kintrace.domain import status as rules
from kintrace.domain.dates import PartialDate
from kintrace.domain.evidence import SourceRef
from kintrace.domain.status import derive_evidence_status, divergence
from kintrace.domain.vocabulary import Claim, Credibility, PersonStatus, Reliability, SourceKind

from .helpers import CHANNEL, CHANNEL_AGAIN, COMRADE, ICRC, MINISTRY, MOTHER, RUMOUR, fact, notice

S = PersonStatus
TODAY = dt.date(2024, 8, 20)


def test_no_evidence_means_missing() -> None:
    result = derive_evidence_status([], TODAY)
    assert (result.status, result.rule, result.fact_ids, result.since) == (
        S.MISSING,
        rules.NO_EVIDENCE,
        (),
        None,
    )
    assert result.rule_text == rules.RULES[rules.NO_EVIDENCE]


def test_items_that_say_nothing_about_the_fate_do_not_move_the_status() -> None:
    facts = [
        fact(1, Claim.NO_INFORMATION, "2024-03", MINISTRY),
        fact(2, Claim.SEEN_AT_PLACE, "2024-02-10", MOTHER, place="Бахмут"),
        notice(3, S.MISSING, "2024-04"),  # the authority only says it knows nothing more
        fact(4, Claim.DEAD, "2024-05", RUMOUR),  # graded E5: kept on file, discounted
        fact(5, Claim.CAPTURED, "2024-09-01", ICRC),  # dated after today: a data error, not evidence yet
    ]
    assert derive_evidence_status(facts, TODAY).rule == rules.NO_EVIDENCE


def test_one_unconfirmed_claim_gives_a_reported_status() -> None:
    result = derive_evidence_status([fact(1, Claim.CAPTURED, "2024-03", MOTHER)], TODAY)
    assert (result.status, result.rule, result.fact_ids) == (S.REPORTED_CAPTURED, rules.SINGLE_REPORT, (1,))
    assert result.since == PartialDate(2024, 3)
    assert "item 1 (captured, 2024-03, Мати, Ганна Петренко (relative, C3))" in result.rule_text


def test_a_source_graded_b2_confirms_on_its_own() -> None:
    result = derive_evidence_status([fact(1, Claim.DEAD, "2024-03-02", MINISTRY)], TODAY)
    assert (result.status, result.rule, result.fact_ids) == (S.CONFIRMED_DEAD, rules.WELL_GRADED_SOURCE, (1,))
    assert "graded B2" in result.rule_text


@pytest.mark.parametrize(
    ("reliability", "credibility", "confirms"),
    [
        (Reliability.A, Credibility.CONFIRMED, True),
        (Reliability.B, Credibility.PROBABLY_TRUE, True),
        (Reliability.A, Credibility.POSSIBLY_TRUE, False),  # a reliable source passing on a possible fact
        (Reliability.C, Credibility.CONFIRMED, False),  # a fairly reliable source is not enough alone
        (Reliability.F, Credibility.CANNOT_BE_JUDGED, False),
    ],
)
def test_the_b2_bar_for_a_single_source(
    reliability: Reliability, credibility: Credibility, confirms: bool
) -> None:
    source = SourceRef(9, SourceKind.PUBLISHED_LIST, "Список обміну", reliability, credibility)
    result = derive_evidence_status([fact(1, Claim.CAPTURED, "2024-03", source)], TODAY)
    assert result.status is (S.CONFIRMED_CAPTURED if confirms else S.REPORTED_CAPTURED)


def test_a_notice_that_only_reports_does_not_confirm_however_well_graded() -> None:
    result = derive_evidence_status([notice(1, S.REPORTED_DEAD, "2024-03")], TODAY)
    assert (result.status, result.rule) == (S.REPORTED_DEAD, rules.SINGLE_REPORT)


def test_two_independent_sources_confirm_each_other() -> None:
    facts = [fact(1, Claim.CAPTURED, "2024-03-10", MOTHER), fact(2, Claim.CAPTURED, "2024-03", COMRADE)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.rule, result.fact_ids) == (
        S.CONFIRMED_CAPTURED,
        rules.INDEPENDENT_SOURCES,
        (1, 2),
    )
    assert result.since == PartialDate(2024, 3)  # the earliest of the two, a year-month sorts first


def test_the_same_channel_entered_twice_is_not_two_sources() -> None:
    facts = [fact(1, Claim.DEAD, "2024-03", CHANNEL), fact(2, Claim.DEAD, "2024-03", CHANNEL_AGAIN)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.rule) == (S.REPORTED_DEAD, rules.SINGLE_REPORT)
    assert "none independent" in result.rule_text


def test_two_items_from_one_source_record_are_not_two_sources() -> None:
    facts = [fact(1, Claim.CAPTURED, "2024-03", MOTHER), fact(2, Claim.CAPTURED, "2024-04", MOTHER)]
    assert derive_evidence_status(facts, TODAY).status is S.REPORTED_CAPTURED


def test_later_facts_supersede_earlier_ones_by_event_date() -> None:
    facts = [
        fact(1, Claim.DEAD, "2024-01-10", CHANNEL),
        fact(2, Claim.CAPTURED, "2024-03", MOTHER),
        fact(3, Claim.CAPTURED, "2024-03-15", COMRADE),
    ]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.fact_ids, result.superseded_ids) == (S.CONFIRMED_CAPTURED, (2, 3), (1,))
    assert rules.LATEST_STORY in result.rule_text
    # The same items in the other order of events: the death is the latest word.
    facts = [
        fact(1, Claim.DEAD, "2024-05-10", CHANNEL),
        fact(2, Claim.CAPTURED, "2024-03", MOTHER),
        fact(3, Claim.DEAD, "2024-03-15", COMRADE),
    ]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.fact_ids, result.superseded_ids) == (S.CONFIRMED_DEAD, (1, 3), (2,))


def test_an_unconfirmed_story_supersedes_an_unconfirmed_one() -> None:
    facts = [fact(1, Claim.CAPTURED, "2024-03", MOTHER), fact(2, Claim.DEAD, "2024-05-10", CHANNEL)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.fact_ids, result.superseded_ids) == (S.REPORTED_DEAD, (2,), (1,))


def test_a_confirmed_finding_stands_against_a_later_unconfirmed_story() -> None:
    facts = [
        fact(1, Claim.DEAD, "2024-01-10", MINISTRY),  # confirmed: the ministry is graded B2
        fact(2, Claim.ALIVE, "2024-04", MOTHER),  # one relative's word, nothing else
    ]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.rule, result.fact_ids) == (S.CONFIRMED_DEAD, rules.WELL_GRADED_SOURCE, (1,))
    assert (result.superseded_ids, result.contested_ids) == ((), (2,))
    assert rules.CONFIRMED_STANDS in result.rule_text
    # Once a second, independent source backs the later story, it prevails.
    facts.append(fact(3, Claim.ALIVE, "2024-05", COMRADE))
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.fact_ids, result.superseded_ids) == (S.FOUND_ALIVE, (2, 3), (1,))


def test_confirmed_captivity_stands_against_one_unconfirmed_death_report() -> None:
    facts = [fact(1, Claim.CAPTURED, "2023-06", ICRC), fact(2, Claim.DEAD, "2024-02", CHANNEL)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.contested_ids) == (S.CONFIRMED_CAPTURED, (2,))
    assert result.redacted({1}).contested_ids == ()


def test_the_order_items_arrive_in_does_not_matter() -> None:
    facts = [fact(3, Claim.CAPTURED, "2024-03-15", COMRADE), fact(1, Claim.DEAD, "2024-01-10", CHANNEL)]
    assert derive_evidence_status(facts, TODAY) == derive_evidence_status(list(reversed(facts)), TODAY)


def test_an_undated_item_uses_its_report_date_and_else_sorts_first() -> None:
    facts = [fact(1, Claim.CAPTURED, None, MOTHER), fact(2, Claim.DEAD, None, CHANNEL, reported="2024-02")]
    assert derive_evidence_status(facts, TODAY).status is S.REPORTED_DEAD


def test_remains_identified_by_a_well_graded_source() -> None:
    facts = [fact(1, Claim.DEAD, "2023-11", MOTHER), fact(2, Claim.REMAINS_FOUND, "2024-04", ICRC)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.fact_ids) == (S.REMAINS_IDENTIFIED, (2,))


def test_remains_reported_by_one_weak_source_count_as_a_death_report() -> None:
    result = derive_evidence_status([fact(1, Claim.REMAINS_FOUND, "2024-04", COMRADE)], TODAY)
    assert (result.status, result.rule) == (S.REPORTED_DEAD, rules.SINGLE_REPORT)


def test_a_weak_remains_report_and_an_independent_death_report_confirm_the_death() -> None:
    facts = [fact(1, Claim.DEAD, "2023-11", MOTHER), fact(2, Claim.REMAINS_FOUND, "2024-04", COMRADE)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.rule, result.fact_ids) == (
        S.CONFIRMED_DEAD,
        rules.INDEPENDENT_SOURCES,
        (1, 2),
    )


def test_remains_returned_by_official_notice() -> None:
    facts = [notice(1, S.REMAINS_IDENTIFIED, "2024-04"), notice(2, S.REMAINS_RETURNED, "2024-05-02")]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.fact_ids, result.since) == (
        S.REMAINS_RETURNED,
        (2,),
        PartialDate(2024, 5, 2),
    )


def test_released_after_capture() -> None:
    facts = [fact(1, Claim.CAPTURED, "2023-06", MOTHER), notice(2, S.RELEASED, "2024-05-31")]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.rule, result.fact_ids) == (S.RELEASED, rules.WELL_GRADED_SOURCE, (2,))


def test_an_unconfirmed_release_report_implies_captivity_only() -> None:
    weak_list = SourceRef(
        8, SourceKind.PUBLISHED_LIST, "Список з каналу", Reliability.D, Credibility.POSSIBLY_TRUE
    )
    result = derive_evidence_status([notice(1, S.RELEASED, "2024-05-31", weak_list)], TODAY)
    assert (result.status, result.rule) == (S.REPORTED_CAPTURED, rules.SINGLE_REPORT)


def test_a_sign_of_life_after_capture_is_proof_of_life_in_captivity() -> None:
    facts = [fact(1, Claim.CAPTURED, "2023-06", ICRC), fact(2, Claim.ALIVE, "2024-02", MINISTRY)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.fact_ids) == (S.CONFIRMED_CAPTURED, (1,))
    assert rules.PROOF_OF_LIFE_IN_CAPTIVITY in result.rule_text


def test_found_alive_by_notice_after_capture_and_release() -> None:
    facts = [
        fact(1, Claim.CAPTURED, "2023-06", ICRC),
        notice(2, S.RELEASED, "2024-01-05"),
        notice(3, S.FOUND_ALIVE, "2024-02"),
    ]
    assert derive_evidence_status(facts, TODAY).status is S.FOUND_ALIVE


def test_found_alive_needs_confirmation() -> None:
    result = derive_evidence_status([fact(1, Claim.WOUNDED, "2024-02", ICRC)], TODAY)
    assert (result.status, result.rule) == (S.FOUND_ALIVE, rules.WELL_GRADED_SOURCE)


def test_an_unconfirmed_sign_of_life_withdraws_a_death_report_but_does_not_find_the_person() -> None:
    facts = [fact(1, Claim.DEAD, "2023-12", CHANNEL), fact(2, Claim.ALIVE, "2024-02-01", MOTHER)]
    result = derive_evidence_status(facts, TODAY)
    assert (result.status, result.rule, result.fact_ids, result.superseded_ids) == (
        S.MISSING,
        rules.UNCONFIRMED_SIGN_OF_LIFE,
        (2,),
        (1,),
    )


def test_every_derivation_names_a_rule_with_a_sentence() -> None:
    samples = [[], [fact(1, Claim.CAPTURED, "2024", MOTHER)], [fact(1, Claim.ALIVE, "2024", MOTHER)]]
    for facts in samples:
        result = derive_evidence_status(facts, TODAY)
        assert result.rule in rules.RULES
        assert result.rule_text.startswith(rules.RULES[result.rule])


def test_divergence_says_how_long_the_authority_has_held_its_status() -> None:
    derived = derive_evidence_status(
        [fact(1, Claim.CAPTURED, "2024-03", MOTHER), fact(2, Claim.CAPTURED, "2024-03-15", COMRADE)], TODAY
    )
    text = divergence(S.MISSING, PartialDate(2024, 3, 10), derived, TODAY)
    assert text == (
        "official: missing for 163 days; evidence: confirmed captured since 2024-03 (E4-independent-sources)"
    )


def test_divergence_with_a_partial_official_date_counts_the_days_it_is_sure_of() -> None:
    derived = derive_evidence_status([fact(1, Claim.DEAD, "2024-03-02", MINISTRY)], TODAY)
    assert divergence(S.MISSING, PartialDate(2024, 3), derived, TODAY) == (
        "official: missing for at least 142 days; "
        "evidence: confirmed dead since 2024-03-02 (E3-well-graded-source)"
    )
    assert divergence(S.MISSING, dt.date(2024, 8, 19), derived, TODAY).startswith(
        "official: missing for 1 day;"
    )
    assert divergence(S.MISSING, None, derived, TODAY).startswith("official: missing; evidence")


def test_no_divergence_when_both_tracks_agree() -> None:
    derived = derive_evidence_status([fact(1, Claim.DEAD, "2024-03-02", MINISTRY)], TODAY)
    assert divergence(S.CONFIRMED_DEAD, PartialDate(2024, 3), derived, TODAY) is None


def test_a_closed_case_agrees_with_evidence_that_the_search_is_over() -> None:
    returned = derive_evidence_status([notice(1, S.REMAINS_RETURNED, "2024-05-02", ICRC)], TODAY)
    assert returned.status is S.REMAINS_RETURNED
    assert divergence(S.CLOSED, PartialDate(2024, 6), returned, TODAY) is None
    captured = derive_evidence_status([fact(1, Claim.CAPTURED, "2024-03", ICRC)], TODAY)
    assert divergence(S.CLOSED, PartialDate(2024, 6), captured, TODAY) == (
        "official: closed for at least 51 days; "
        "evidence: confirmed captured since 2024-03 (E3-well-graded-source)"
    )


def test_the_family_view_names_no_internal_item() -> None:
    facts = [
        fact(1, Claim.DEAD, "2024-01-10", CHANNEL),
        fact(2, Claim.CAPTURED, "2024-03", MOTHER),
        fact(3, Claim.CAPTURED, "2024-03-15", COMRADE),
    ]
    full = derive_evidence_status(facts, TODAY)
    family = full.redacted({2})
    assert (family.status, family.rule, family.since) == (full.status, full.rule, full.since)
    assert (family.fact_ids, family.superseded_ids) == ((2,), ())
    assert "Сокіл" not in family.rule_text and "Сводки" not in family.rule_text
    assert family.rule_text == (
        f"{rules.RULES[rules.INDEPENDENT_SOURCES]} It rests on 2 item(s) on file, 1 of them internal."
    )
    assert derive_evidence_status([], TODAY).redacted(set()).rule_text == rules.RULES[rules.NO_EVIDENCE]
