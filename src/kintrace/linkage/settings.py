"""Splink settings that run unchanged on DuckDB and Spark.

Only exact matches, Jaro-Winkler, Levenshtein and plain SQL equality appear in the comparisons
(both engines have them); dates are ISO strings; every key was computed in Python by `features`.
Surnames, given names and patronymics carry term-frequency adjustments: "Иванов" agreeing is weak
evidence, "Щербаков" agreeing is strong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from kintrace.linkage.extras import Extra
from kintrace.linkage.extras import comparison as extra_comparison
from kintrace.linkage.features import ALL_RULES, FeatureRules

LinkType = Literal["link_only", "dedupe_only"]

# Comparison names, in output order; each becomes `<name>_level` and `<name>_bf` reasons columns.
COMPARISONS = ("surname", "given_name", "patronymic", "birth_date", "unit")

# Both engines cast a four-digit string to an integer the same way.
YEAR_APART_ONE = "abs(CAST(birth_year_l AS INTEGER) - CAST(birth_year_r AS INTEGER)) = 1"

SWAPPED_NAMES_SQL = "(last_key_l = first_key_r AND first_key_l = last_key_r)"


def _surname(rules: FeatureRules) -> ComparisonCreator:
    # Every level below "exact" is scaled by how rare this surname is against the average surname
    # (Splink's term-frequency adjustment against the exact level's u): a one-letter typo of
    # "Щербаков" means far more than one of "Иванов". Scaling a partial level by the surname's own
    # frequency alone would treat "Mornozov" as if every Morozov on the list were as likely to be
    # written so, and understate the typo tenfold.
    levels: list[Any] = [
        cll.NullLevel("last_key"),
        cll.ExactMatchLevel("last_key", term_frequency_adjustments=True).configure(label_for_charts="exact"),
    ]
    if rules.swapped_names:
        # A swapped pair (Иванов Пётр / Пётр Иванов) is the same agreement as an exact one: training
        # gives it the exact level's m and u (`model._swapped_as_exact`).
        levels.append(
            cll.CustomLevel(SWAPPED_NAMES_SQL).configure(
                label_for_charts="swapped", tf_adjustment_column="last_key", tf_adjustment_weight=1.0
            )
        )
    if rules.phonetic_key:
        levels.append(
            cll.CustomLevel("last_phon_l = last_phon_r").configure(
                label_for_charts="phonetic", tf_adjustment_column="last_key", tf_adjustment_weight=1.0
            )
        )
    levels += [
        cll.DamerauLevenshteinLevel("last_key", 1).configure(
            label_for_charts="one_typo", tf_adjustment_column="last_key", tf_adjustment_weight=1.0
        ),
        cll.JaroWinklerLevel("last_key", 0.92).configure(
            label_for_charts="similar", tf_adjustment_column="last_key", tf_adjustment_weight=0.5
        ),
        cll.JaroWinklerLevel("last_key", 0.8).configure(label_for_charts="loosely_similar"),
        cll.ElseLevel().configure(label_for_charts="different"),
    ]
    return cl.CustomComparison(levels, output_column_name="surname")


def _given(
    name: str, key: str, canon: str, initial: str, is_initial: str, swapped: bool
) -> ComparisonCreator:
    exact = f"{canon}_l = {canon}_r" + (f" OR {SWAPPED_NAMES_SQL}" if swapped else "")
    levels: list[Any] = [
        cll.CustomLevel(
            f"({key}_l IS NULL AND {initial}_l IS NULL) OR ({key}_r IS NULL AND {initial}_r IS NULL)"
        ).configure(is_null_level=True, label_for_charts="missing"),
        cll.CustomLevel(exact).configure(
            label_for_charts="exact",
            tf_adjustment_column=canon,
            tf_adjustment_weight=1.0,
            disable_tf_exact_match_detection=True,
        ),
        cll.JaroWinklerLevel(key, 0.92).configure(
            label_for_charts="similar",
            tf_adjustment_column=key,
            tf_adjustment_weight=0.5,
            disable_tf_exact_match_detection=True,
        ),
        # An initial agrees with a full name when it is one of that name's initials in any language.
        cll.CustomLevel(
            f"({is_initial}_l = '1' OR {is_initial}_r = '1') AND "
            f"(instr({initial}s_l, {initial}_r) > 0 OR instr({initial}s_r, {initial}_l) > 0)",
            label_for_charts="initial",
        ),
        cll.ElseLevel().configure(label_for_charts="different"),
    ]
    return cl.CustomComparison(levels, output_column_name=name)


def _birth_date(rules: FeatureRules) -> ComparisonCreator:
    levels: list[Any] = [
        cll.NullLevel("birth_year").configure(label_for_charts="missing"),
        cll.ExactMatchLevel("birth_date").configure(label_for_charts="exact"),
    ]
    if rules.date_tolerance:
        levels += [
            cll.CustomLevel("birth_date_l = birth_date_swapped_r", label_for_charts="swapped_day_month"),
            cll.LevenshteinLevel("birth_date", 1).configure(label_for_charts="one_digit_slip"),
            cll.CustomLevel(
                "birth_ym_l = birth_ym_r AND (birth_date_l IS NULL OR birth_date_r IS NULL)",
                label_for_charts="same_year_month_partial",
            ),
            cll.CustomLevel(
                "(birth_ym_l = birth_ym_swapped_r OR birth_ym_swapped_l = birth_ym_r) "
                "AND (birth_date_l IS NULL OR birth_date_r IS NULL)",
                label_for_charts="swapped_year_month_partial",
            ),
            cll.CustomLevel(
                "birth_year_l = birth_year_r AND (birth_ym_l IS NULL OR birth_ym_r IS NULL)",
                label_for_charts="same_year_partial",
            ),
            # The birthday agrees and the year is one out: a year computed from an age given in the
            # list, or a year misremembered, is the commonest date error after a day/month swap.
            cll.CustomLevel(
                f"birth_md_l = birth_md_r AND {YEAR_APART_ONE}", label_for_charts="same_day_year_off_by_one"
            ),
        ]
    levels += [cll.ExactMatchLevel("birth_year").configure(label_for_charts="same_year")]
    if rules.date_tolerance:
        levels.append(
            cll.CustomLevel(
                f"(birth_ym_l IS NULL OR birth_ym_r IS NULL) AND {YEAR_APART_ONE}",
                label_for_charts="year_off_by_one_partial",
            )
        )
    levels.append(cll.ElseLevel().configure(label_for_charts="different"))
    return cl.CustomComparison(levels, output_column_name="birth_date")


def _unit() -> ComparisonCreator:
    return cl.CustomComparison(
        [
            cll.NullLevel("unit").configure(label_for_charts="missing"),
            cll.ExactMatchLevel("unit").configure(label_for_charts="exact"),
            cll.LevenshteinLevel("unit", 1).configure(label_for_charts="one_char_slip"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
        output_column_name="unit",
    )


def comparisons(
    rules: FeatureRules = ALL_RULES, extras: Sequence[Extra] = ()
) -> list[ComparisonCreator | dict[str, Any]]:
    return [
        _surname(rules),
        _given(
            "given_name", "first_key", "first_canon", "first_initial", "first_is_initial", rules.swapped_names
        ),
        _given("patronymic", "patr_key", "patr_canon", "patr_initial", "patr_is_initial", False),
        _birth_date(rules),
        _unit(),
        *(extra_comparison(e) for e in extras),
    ]


# Names alone pair every namesake with every other, so a block on names grows with the square of the
# population (Иванов Александр at 5 million rows). Such a block only scores pairs whose birth years do
# not rule the pair out: one side gives no year, or the years are at most one apart. Men whose years
# both agree are found by the blocks that include the year; years further apart are evidence against
# the link, never for it.
YEAR_OPEN_SQL = (
    "(l.birth_year IS NULL OR r.birth_year IS NULL "
    "OR abs(CAST(l.birth_year AS INTEGER) - CAST(r.birth_year AS INTEGER)) <= 1)"
)


# The blocks that exist for a mistyped surname only score pairs whose surnames are a few edits apart
# (or sound alike): a man whose surname is different altogether is another man, and without this the
# block on given name and birth year pairs everyone born in 1990 named Александр.
SURNAME_NEAR_SQL = "(levenshtein(l.last_key, r.last_key) <= 2 OR l.last_phon = r.last_phon)"


# A block that does not join on the given name only scores pairs whose given names could be one man's:
# one side gives none, or one's initial is among the initials the other's name is written with (a
# diminutive or a typo keeps the initial; Александр/Олександр both count). Two different full names
# put the pair at "different" (about 1/200), below review whatever else agrees; the men who share a
# full birth date are found by the date blocks whatever their given names.
GIVEN_OPEN_SQL = (
    "(l.first_initial IS NULL OR r.first_initial IS NULL "
    "OR instr(l.first_initials, r.first_initial) > 0 OR instr(r.first_initials, l.first_initial) > 0)"
)

# A block that does not join on the surname only scores pairs whose surnames are at least loosely
# alike (or one is missing): below that the surname is "different", and evidence against.
SURNAME_OPEN_SQL = (
    "(l.last_key IS NULL OR r.last_key IS NULL OR l.last_phon = r.last_phon "
    "OR jaro_winkler_similarity(l.last_key, r.last_key) >= 0.8)"
)


def _typo_block(*columns: str) -> BlockingRuleCreator:
    return CustomRule(" AND ".join([f"l.{c} = r.{c}" for c in columns] + [SURNAME_NEAR_SQL]))


def _rule(*columns: str, extra: tuple[str, ...] = ()) -> BlockingRuleCreator:
    return CustomRule(" AND ".join([f"l.{c} = r.{c}" for c in columns] + list(extra)))


# A pair of a names-only block is worth scoring (see `pruning`) when both records give a birth year or
# both give a unit (then more than names weighs in), or when both records' names could reach review.
NAMES_CAN_REACH_SQL = (
    "((l.birth_year IS NOT NULL AND r.birth_year IS NOT NULL) "
    "OR (l.unit IS NOT NULL AND r.unit IS NOT NULL) "
    "OR (l.names_reach = '1' AND r.names_reach = '1'))"
)


def prediction_blocking_rules(
    rules: FeatureRules = ALL_RULES, counted_columns: bool = False, extras: Sequence[Extra] = ()
) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Candidate pairs: any pair sharing one of these keys is scored.

    `counted_columns` is for prediction, when the inputs carry the columns counted over both of them:
    the blocks on names alone skip the pairs whose names could not bring them to review
    (`pruning.NAMES_REACH_COLUMN`), and mistyped surnames meet their group (`typos.BLOCK_COLUMN`).
    Each rule is narrow enough that a common surname times a common given name stays small at
    millions of rows, and together they survive any single field being wrong or missing. A rule's
    extra conditions drop the pairs its keys bring in that no other evidence could lift to review
    (at 5 million rows every pair not scored counts, and so does every row a join need not form).
    """
    # An extra column both records give is evidence beside the names, as a year or a unit is.
    can_reach = NAMES_CAN_REACH_SQL
    if extras:
        both = " OR ".join(f"(l.{e.feature} IS NOT NULL AND r.{e.feature} IS NOT NULL)" for e in extras)
        can_reach = f"({NAMES_CAN_REACH_SQL} OR {both})"
    reach = (can_reach,) if counted_columns else ()

    def _names_only(*columns: str, extra: str | None = None) -> BlockingRuleCreator:
        return _rule(*columns, extra=((extra,) if extra else ()) + (YEAR_OPEN_SQL, *reach))

    def _cross(left: str, right: str) -> BlockingRuleCreator:
        return CustomRule(" AND ".join((f"l.{left} = r.{right}", YEAR_OPEN_SQL, *reach)))

    # With the counted columns the surname blocks join on the corrected surname (`typos`): a mistyped
    # spelling meets the spelling it stands for, in every block the surname leads.
    last = "last_block" if counted_columns else "last_key"
    out: list[BlockingRuleCreator | dict[str, Any]] = [
        _names_only(last, "first_canon"),
        _rule(last, "birth_year", extra=(GIVEN_OPEN_SQL,)),
        _names_only(last, "patr_canon", extra=GIVEN_OPEN_SQL),
        block_on(last, "unit"),
        # A typo in a surname too rare for the counts to correct (`typos`): the man is still found
        # by his given name, father's name or birth year and the first letter of his surname.
        _names_only("first_canon", "patr_canon", "last_initial", extra=SURNAME_NEAR_SQL),
        _typo_block("first_canon", "birth_year", "last_initial"),
        _rule("first_canon", "patr_canon", "birth_year", extra=(SURNAME_OPEN_SQL,)),
        block_on("first_canon", "birth_date"),
        _typo_block("first_canon", "birth_ym"),
        block_on("last_initial", "first_initial", "birth_date"),
        # Lists that give only initials ("Сивокюк Е. Ю."): the surname and the initial, one side
        # being an initial (the key is NULL unless it is), so full names sharing a letter never meet.
        _cross("initial_key", "last_first_initial"),
        _cross("last_first_initial", "initial_key"),
    ]
    if rules.phonetic_key:
        out.insert(1, _names_only("last_phon", "first_canon"))
        out.append(block_on("last_phon", "birth_date"))
    if rules.swapped_names:
        # Written the other way round: each one's surname is the other's given name.
        out.append(CustomRule(f"l.last_key = r.first_key AND l.first_key = r.last_key AND {YEAR_OPEN_SQL}"))
    if rules.date_tolerance:
        out.append(block_on(last, "birth_date_swapped"))
        # A year off by one with the birthday right.
        out.append(_rule(last, "birth_md", extra=(GIVEN_OPEN_SQL,)))
    # A service number is the man's own: equal numbers are a candidate pair whatever the names say.
    out += [block_on(e.feature) for e in extras if e.kind == "service_number"]
    return out


def training_blocking_rules(rules: FeatureRules = ALL_RULES) -> list[BlockingRuleCreator | str]:
    """EM passes: each one fixes the fields it blocks on and learns the others.

    No pass blocks on names alone: a block of men who share a full name is full of namesakes, and
    EM would learn from it that a true match often has a different birth date. Each pass pairs a
    name with a field that namesakes do not share (unit, birth year) or blocks on the date alone.
    """
    return [
        block_on("birth_date"),
        block_on("last_key", "unit"),
        block_on("last_key", "first_canon", "birth_year"),
    ]


def settings(
    link_type: LinkType = "link_only",
    rules: FeatureRules = ALL_RULES,
    probability_two_random_records_match: float = 1e-4,
    counted_columns: bool = False,
    extras: Sequence[Extra] = (),
) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons(rules, extras),
        blocking_rules_to_generate_predictions=prediction_blocking_rules(rules, counted_columns, extras),
        probability_two_random_records_match=probability_two_random_records_match,
        retain_matching_columns=True,  # the only way Splink 5 keeps gamma_ (the level reached)
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
        em_convergence=1e-4,
    )
