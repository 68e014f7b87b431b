"""Candidate pairs from the union of the blocking rules: the same pairs, and the same first rule for
each, as Splink's own rule-by-rule blocking."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from benchmarks.linkage_data.generator import generate
from splink import Linker

from kintrace.linkage import model as lm
from kintrace.linkage.blocking import CHUNK_COLUMN, blocked_pairs_sql
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import build_features
from kintrace.linkage.io import records_from_frame


def _pairs(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {
        (left, right): str(key)
        for key, left, right in zip(frame["match_key"], frame["join_key_l"], frame["join_key_r"], strict=True)
    }


def test_union_of_rules_gives_splinks_pairs_and_first_rules() -> None:
    cases, records, _, _ = generate(1000, 3000, seed=5)
    cf = build_features(records_from_frame(cases, "cases"))
    lf = build_features(records_from_frame(records, "list"))
    model = lm.bundled_model().for_inputs(len(cf), len(lf), "link_only")
    api = duckdb_api()
    cf, lf = lm._with_counted_columns(cf, lf, model, 0.2)
    assert lf is not None
    lf = lf.assign(**{CHUNK_COLUMN: "1"})
    settings = lm.splink_settings_for(model, api, counted_columns=True)
    case_table, list_table = lm._register(api, cf, lm.CASES), lm._register(api, lf, lm.LIST)
    linker = Linker([case_table, list_table], settings, log_level=logging.ERROR)
    splinks = _pairs(linker.inference.compute_blocked_pairs_for_predict().as_pandas_dataframe())

    rules = [rule["blocking_rule"] for rule in settings["blocking_rules_to_generate_predictions"]]
    sql = blocked_pairs_sql(rules, case_table.physical_name, list_table.physical_name, lm.CASES, lm.LIST)
    ours = _pairs(api.query_sql(sql, output_type="pandas"))
    assert len(splinks) > 500 and len(set(splinks.values())) > 5  # many pairs, from many rules
    assert ours == splinks


def test_chunks_split_the_pairs_without_losing_any() -> None:
    cases, records, _, _ = generate(200, 600, seed=6)
    cf = build_features(records_from_frame(cases, "cases"))
    lf = build_features(records_from_frame(records, "list"))
    api = duckdb_api()
    model = lm.fit(api, cf, lf)
    whole = pd.concat(list(lm.predict_chunks(api, model, cf, lf, 0.0, chunks=1)))
    split = pd.concat(list(lm.predict_chunks(api, model, cf, lf, 0.0, chunks=3)))
    key = ["case_id", "record_id"]
    assert len(whole) > 100 and not split.duplicated(key).any()
    merged = whole.merge(split, on=key, suffixes=("", "_split"), validate="one_to_one")
    assert len(merged) == len(whole) == len(split)
    assert (merged["match_weight"] - merged["match_weight_split"]).abs().max() < 1e-9


def test_no_rules_is_an_error() -> None:
    with pytest.raises(ValueError, match="no blocking rules"):
        blocked_pairs_sql([], "a", "b", "cases", "list")
