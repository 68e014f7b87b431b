"""The columns counted over both inputs at prediction time: pruning names-only pairs that cannot reach
review (never one that could), and surname spellings that are probable typos."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from benchmarks.linkage_data.generator import generate

from kintrace.linkage import model as lm
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import build_features
from kintrace.linkage.io import records_from_frame
from kintrace.linkage.pruning import SLACK_BITS, names_bound, names_floor
from kintrace.linkage.typos import MINORITY_COLUMN, with_minority_skeleton

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
    settings = lm.splink_settings_for(tiny_prior, api, counted_columns=False)
    linker = lm._linker(api, c2, r2, settings)
    full = linker.inference.predict(
        threshold_match_probability=0.2, warning_mode="never"
    ).as_pandas_dataframe()
    full = lm._tidy(full, tiny_prior.splink_model)
    kept = set(zip(pruned["case_id"], pruned["record_id"], strict=True))
    assert kept == set(zip(full["case_id"], full["record_id"], strict=True))
    assert len(full) > 0

    def candidates(counted: bool) -> int:
        settings = lm.splink_settings_for(tiny_prior, api, counted_columns=counted)
        scored = lm._linker(api, c2, r2, settings).inference.predict(warning_mode="never")
        return len(scored.as_pandas_dataframe())

    # ...while it does skip pairs: otherwise the test above proves nothing.
    assert candidates(True) < 0.8 * candidates(False)


def test_minority_spelling_of_a_skeleton_is_a_probable_typo() -> None:
    rows = [(f"c{i}", "Мельник", "Иван", "", "1971", "") for i in range(5)]
    cases = frame(rows)
    records = frame(
        [("l", "еМльник", "І.", "Олегович", "1971-08-26", ""), ("m", "Шевчук", "Иван", "", "", "")]
    )
    flagged_cases, flagged_records = with_minority_skeleton(cases, records)
    assert flagged_records is not None
    assert flagged_cases[MINORITY_COLUMN].isna().all()
    assert list(flagged_records[MINORITY_COLUMN]) == ["mlnk", None]


def test_mistyped_surname_meets_its_man_by_skeleton_and_year() -> None:
    # "Бляев Д." has neither the surname's first letters in common order nor a full given name:
    # only the skeleton (blv) and the year bring it to "Беляев Дмитрий".
    others = [(f"c{i}", "Беляев", name, "", "1980", "") for i, name in enumerate(["Иван", "Олег", "Пётр"])]
    cases = frame([("c", "Беляев", "Дмитрий", "Анатольевич", "1972-02-18", ""), *others])
    records = frame([("l", "Бляев", "Д.", "Анатольевич", "1972", "")])
    api = duckdb_api()
    pairs = lm.predict(api, lm.fit(api, cases, records), cases, records, review_threshold=0.0)
    found = pairs[(pairs["case_id"] == "c") & (pairs["record_id"] == "l")]
    assert len(found) == 1 and found.iloc[0]["surname_level"] == "one_typo"
