"""The columns counted over both inputs at prediction time: pruning names-only pairs that cannot reach
review (never one that could), and surname spellings that are probable typos."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from benchmarks.linkage_data.generator import generate
from hypothesis import given, settings
from hypothesis import strategies as st

from kintrace.linkage import model as lm
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import build_features
from kintrace.linkage.io import records_from_frame
from kintrace.linkage.pruning import SLACK_BITS, names_bound, names_floor
from kintrace.linkage.typos import BLOCK_COLUMN, corrected_surnames, one_typo_apart, with_corrected_surnames

COLUMNS = ["record_id", "last_name", "first_name", "patronymic", "birth_date", "unit"]


def frame(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    return build_features(records_from_frame(pd.DataFrame(rows, columns=COLUMNS)))


@pytest.fixture(scope="module")
def generated() -> tuple[pd.DataFrame, pd.DataFrame, lm.TrainedModel]:
    cases, records, _, _ = generate(400, 1200, seed=12)
    cf = build_features(records_from_frame(cases, "cases"))
    lf = build_features(records_from_frame(records, "list"))
    return cf, lf, lm.bundled_model()


def test_floor_is_the_weight_that_reaches_the_threshold_at_the_prior() -> None:
    model = {"probability_two_random_records_match": 1e-6}
    floor = names_floor(model, 0.2)
    odds = 1e-6 / (1 - 1e-6) * 2 ** (floor + SLACK_BITS)
    assert math.isclose(odds / (1 + odds), 0.2)


def test_no_pair_outweighs_its_records_name_bounds(generated: tuple) -> None:
    # The bound is what makes pruning safe: every scored pair's name weight (surname, given name,
    # patronymic) is at most the smaller of its two records' bounds.
    cases, records, model = generated
    model = model.for_inputs(len(cases), len(records), "link_only")
    pairs = pd.concat(list(lm.predict_chunks(duckdb_api(), model, cases, records, 0.0)))
    assert len(pairs) > 100
    bound_c, bound_r = names_bound(cases, records, model.splink_model)
    by_case = pd.Series(bound_c, index=cases["unique_id"])
    by_record = pd.Series(bound_r, index=records["unique_id"])
    names = np.log2(pairs[["surname_bf", "given_name_bf", "patronymic_bf"]].astype(float)).sum(axis=1)
    limit = np.minimum(by_case[pairs["case_id"]].to_numpy(), by_record[pairs["record_id"]].to_numpy())
    # The reasons round Bayes factors to 4 decimals, hence the small tolerance.
    assert (names.to_numpy() <= limit + 1e-3).all()


def test_pruning_keeps_every_pair_that_reaches_review(generated: tuple) -> None:
    # At the prior of a five-million-row list nearly every names-only pair is pruned; the pairs
    # above review must be exactly those scored without pruning.
    cases, records, model = generated
    tiny_prior = model.for_inputs(500_000, 5_000_000, "link_only")
    api = duckdb_api()
    pruned = pd.concat(list(lm.predict_chunks(api, tiny_prior, cases, records, 0.2)))
    c2, r2 = lm._with_counted_columns(cases, records, tiny_prior, 0.2)
    assert r2 is not None
    # The same blocks with every record allowed to reach review: nothing pruned.
    everyone = (c2.assign(names_reach="1"), r2.assign(names_reach="1"))
    settings = lm.splink_settings_for(tiny_prior, api, counted_columns=True)
    full = lm._linker(api, *everyone, settings).inference.predict(
        threshold_match_probability=0.2, warning_mode="never"
    )
    full = lm._tidy(full.as_pandas_dataframe(), tiny_prior.splink_model)
    kept = set(zip(pruned["case_id"], pruned["record_id"], strict=True))
    assert kept == set(zip(full["case_id"], full["record_id"], strict=True))
    assert len(full) > 0

    def candidates(frames: tuple[pd.DataFrame, pd.DataFrame]) -> int:
        scored = lm._linker(api, *frames, settings).inference.predict(warning_mode="never")
        return len(scored.as_pandas_dataframe())

    # ...while it does skip pairs: otherwise the test above proves nothing.
    assert candidates((c2, r2)) < 0.8 * candidates(everyone)


def test_rare_spelling_one_typo_from_a_common_one_is_read_as_it() -> None:
    rows = [(f"c{i}", "Мельник", "Иван", "", "1971", "") for i in range(5)]
    cases = frame(rows)
    records = frame(
        [("l", "еМльник", "І.", "Олегович", "1971-08-26", ""), ("m", "Шевчук", "Иван", "", "", "")]
    )
    flagged_cases, flagged_records = with_corrected_surnames(cases, records)
    assert flagged_records is not None
    assert (flagged_cases[BLOCK_COLUMN] == flagged_cases["last_key"]).all()
    melnik = flagged_cases["last_key"].iloc[0]
    assert list(flagged_records[BLOCK_COLUMN]) == [melnik, flagged_records["last_key"].iloc[1]]
    # The initials key is rebuilt on the corrected surname: "еМльник І." meets "Мельник Иван".
    assert flagged_records["initial_key"].iloc[0] == flagged_cases["last_first_initial"].iloc[0]
    # Switched off (the benchmark's ablation), the block key is the surname as written.
    _, as_written = with_corrected_surnames(cases, records, correct=False)
    assert as_written is not None
    assert list(as_written[BLOCK_COLUMN]) == list(records["last_key"])


def test_corrections_need_a_fourfold_commoner_spelling_one_typo_away() -> None:
    counts = pd.Series(
        {"morozov": 40, "mornozov": 1, "mrozov": 1, "morozvo": 2, "morozova": 10, "morzov": 11, "moroz": 3}
    )
    fixes = corrected_surnames(counts)
    # A letter added, dropped, two swapped, or a spelling a quarter as common: all read as morozov.
    assert fixes == {"mornozov": "morozov", "mrozov": "morozov", "morozvo": "morozov", "morozova": "morozov"}
    # Not "morzov" (40 < 4 x 11: two real surnames, perhaps) and not "moroz" (two letters away).


def test_no_corrections_where_no_spelling_is_near_another() -> None:
    assert corrected_surnames(pd.Series({"shevchuk": 5, "melnik": 1})) == {}
    assert corrected_surnames(pd.Series([], dtype="int64")) == {}


def test_corrections_follow_a_chain_to_its_end() -> None:
    counts = pd.Series({"kovalenko": 100, "kovalenk": 20, "kvalenk": 1})
    assert corrected_surnames(counts) == {"kovalenk": "kovalenko", "kvalenk": "kovalenko"}


@given(st.text("абвгд", max_size=7), st.text("абвгд", max_size=7))
@settings(max_examples=300, deadline=None)
def test_one_typo_apart_is_damerau_levenshtein_one(a: str, b: str) -> None:
    # Checked against DuckDB's own damerau_levenshtein, which the "one_typo" level uses.
    import duckdb

    ((distance,),) = duckdb.execute("SELECT damerau_levenshtein(?, ?)", [a, b]).fetchall()
    assert one_typo_apart(a, b) == (distance == 1)


def test_mistyped_surname_meets_its_man_by_the_corrected_surname() -> None:
    # "Бляев Д." gives neither the surname as written nor a full given name: read as "Беляев" (four
    # of them against one), its surname and year bring it to "Беляев Дмитрий".
    others = [(f"c{i}", "Беляев", name, "", "1980", "") for i, name in enumerate(["Иван", "Олег", "Пётр"])]
    cases = frame([("c", "Беляев", "Дмитрий", "Анатольевич", "1972-02-18", ""), *others])
    records = frame([("l", "Бляев", "Д.", "Анатольевич", "1972", "")])
    api = duckdb_api()
    pairs = lm.predict(api, lm.fit(api, cases, records), cases, records, review_threshold=0.0)
    found = pairs[(pairs["case_id"] == "c") & (pairs["record_id"] == "l")]
    assert len(found) == 1 and found.iloc[0]["surname_level"] == "one_typo"
