"""One model, two engines: Spark (local mode) gives the same links as DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kintrace.linkage import model as lm
from kintrace.linkage.engines import duckdb_api, spark_api, spark_session
from kintrace.linkage.features import build_features
from kintrace.linkage.io import read_records, records_from_frame

# One Spark JVM at a time: two beside each other on a 2-core machine starve one another of memory.
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

DATA = Path(__file__).parents[1] / "data" / "linkage"


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    spark = spark_session(master="local[2]")
    yield spark
    spark.stop()


def _run(api: Any, cases: pd.DataFrame, records: pd.DataFrame, model: lm.TrainedModel) -> pd.DataFrame:
    pairs = lm.predict(api, model, cases, records, review_threshold=0.01, chunks=1)
    return pairs.sort_values(["case_id", "record_id"]).reset_index(drop=True)


def test_spark_and_duckdb_give_the_same_links(session: Any) -> None:
    from benchmarks.linkage_data.generator import generate

    hand_cases = build_features(read_records(DATA / "cases.csv"))
    hand_list = build_features(read_records(DATA / "list.csv"))
    gen_cases, gen_list, _, _ = generate(60, 150, seed=5)
    cases = pd.concat([hand_cases, build_features(records_from_frame(gen_cases))], ignore_index=True)
    records = pd.concat([hand_list, build_features(records_from_frame(gen_list))], ignore_index=True)
    model = lm.fit(duckdb_api(), cases, records)

    on_duckdb = _run(duckdb_api(), cases, records, model)
    on_spark = _run(spark_api(session), cases, records, model)

    assert len(on_duckdb) > 20
    assert list(zip(on_spark["case_id"], on_spark["record_id"], on_spark["band"], strict=True)) == list(
        zip(on_duckdb["case_id"], on_duckdb["record_id"], on_duckdb["band"], strict=True)
    )
    assert on_spark["match_weight"].to_numpy() == pytest.approx(
        on_duckdb["match_weight"].to_numpy(), abs=1e-6
    )
    for column in [c for c in on_duckdb.columns if c.endswith("_level")]:
        assert list(on_spark[column]) == list(on_duckdb[column]), column
    links = on_duckdb[on_duckdb["band"] == "link"]
    assert {("C1", "L01"), ("C5", "L05")} <= set(zip(links["case_id"], links["record_id"], strict=True))


def test_a_saved_model_with_an_extra_column_gives_the_same_pairs_on_both_engines(
    session: Any, tmp_path: Path
) -> None:
    """Train once (DuckDB), save the model as a file, predict with it on either engine."""
    import random

    from benchmarks.linkage_data.generator import generate

    cases, records, _, owner = generate(600, 1800, seed=11)
    rng = random.Random(3)
    for frame in (cases, records):
        frame["service_number"] = [
            f"ВС-{100000 + owner[r]}" if rng.random() < 0.6 else "" for r in frame["record_id"]
        ]
    cf = build_features(records_from_frame(cases))
    lf = build_features(records_from_frame(records))
    lm.fit(duckdb_api(), cf, lf).save(tmp_path / "model.json")
    model = lm.TrainedModel.load(tmp_path / "model.json")
    assert [e.column for e in model.extras] == ["service_number"]
    # A small input for Spark: the first cases and the list rows of the same men and others.
    small_cases, small_list = cf.iloc[:80], lf.iloc[:300]

    on_duckdb = _run(duckdb_api(), small_cases, small_list, model)
    on_spark = _run(spark_api(session), small_cases, small_list, model)

    assert (on_duckdb["service_number_level"] == "exact").sum() > 0
    columns = ["case_id", "record_id", "band", "list_cluster", "service_number_level"]
    assert on_spark[columns].to_dict("records") == on_duckdb[columns].to_dict("records")
    assert on_spark["match_weight"].to_numpy() == pytest.approx(
        on_duckdb["match_weight"].to_numpy(), abs=1e-6
    )
