"""Synthetic Cyrillic/Latin linkage: kintrace against Splink with naive settings on raw names, and the
gain of each name rule (switch one off, re-measure), all on one generated dataset in one run.

Figures: precision of the `link` band at the default threshold (goal >= 0.98), recall overall and on
the true links that carry distinguishing evidence (goal >= 0.97), the count of links nothing can
distinguish from a namesake, and how many true links at least reach the review band.

    python -m benchmarks linkage_synthetic            # 4,000 cases x 16,000 list rows
    python -m benchmarks.bench_linkage_synthetic --quick
    python -m benchmarks.bench_linkage_synthetic --seed 8 --no-ablation   # another draw
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.linkage_data.generator import generate
from kintrace.linkage import model as lm
from kintrace.linkage.defaults import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import ALL_RULES, FeatureRules, build_features
from kintrace.linkage.io import records_from_frame

RESULTS = Path(__file__).parent / "results"


def score(pairs: pd.DataFrame, truth: pd.DataFrame, band: str = "link") -> dict[str, float | int]:
    """Precision and recalls of the pairs in `band` (or any band with band='any')."""
    chosen = pairs if band == "any" else pairs[pairs["band"] == band]
    predicted = set(zip(chosen["case_id"], chosen["record_id"], strict=True))
    true_all = set(zip(truth["case_id"], truth["record_id"], strict=True))
    dist = truth[truth["distinguishable"]]
    true_dist = set(zip(dist["case_id"], dist["record_id"], strict=True))
    loose = truth[truth["distinguishable_loose"]]
    true_loose = set(zip(loose["case_id"], loose["record_id"], strict=True))
    tp = len(predicted & true_all)
    return {
        "predicted": len(predicted),
        "true_positives": tp,
        "false_positives": len(predicted) - tp,
        "precision": tp / len(predicted) if predicted else 1.0,
        "recall": tp / len(true_all) if true_all else 1.0,
        "recall_distinguishable": len(predicted & true_dist) / len(true_dist) if true_dist else 1.0,
        "recall_distinguishable_loose": len(predicted & true_loose) / len(true_loose) if true_loose else 1.0,
    }


def run_kintrace(
    cases: pd.DataFrame, records: pd.DataFrame, rules: FeatureRules = ALL_RULES
) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    cf = build_features(records_from_frame(cases, "cases"), rules)
    lf = build_features(records_from_frame(records, "list"), rules)
    api = duckdb_api()
    trained = lm.train(api, cf, lf, rules=rules)
    pairs = lm.predict(api, trained, cf, lf)
    return pairs, time.perf_counter() - start


def run_naive_splink(cases: pd.DataFrame, records: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Splink as a newcomer would set it up: raw names lower-cased, Jaro-Winkler, the date as typed."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    start = time.perf_counter()
    api = duckdb_api()

    def raw(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame({"unique_id": frame["record_id"]})
        for col in ("last_name", "first_name", "patronymic", "birth_date"):
            out[col] = frame[col].fillna("").str.lower().replace("", None)
        return out

    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("last_name"),
            cl.JaroWinklerAtThresholds("first_name"),
            cl.JaroWinklerAtThresholds("patronymic"),
            cl.ExactMatch("birth_date"),
        ],
        blocking_rules_to_generate_predictions=[block_on("last_name"), block_on("birth_date")],
    )
    linker = Linker(
        [
            api.register(raw(cases), dataset_display_name="cases"),
            api.register(raw(records), dataset_display_name="list"),
        ],
        settings,
        log_level="ERROR",
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1_000_000, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("last_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    scored = linker.inference.predict(threshold_match_probability=DEFAULT_THRESHOLD).as_pandas_dataframe()
    flip = scored["source_dataset_l"] != "cases"
    pairs = pd.DataFrame(
        {
            "case_id": scored["unique_id_l"].where(~flip, scored["unique_id_r"]),
            "record_id": scored["unique_id_r"].where(~flip, scored["unique_id_l"]),
            "band": "link",
        }
    )
    return pairs, time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 x 4,000 and no ablation")
    parser.add_argument("--cases", type=int, default=4000)
    parser.add_argument("--list", type=int, default=16000)
    parser.add_argument("--no-ablation", action="store_true")
    parser.add_argument("--seed", type=int, default=7, help="another draw of the same generator")
    args = parser.parse_args(argv if argv is not None else [])
    n_cases, n_list = (1000, 4000) if args.quick else (args.cases, args.list)

    cases, records, truth, _ = generate(n_cases, n_list, seed=args.seed)
    indistinguishable = int((~truth["distinguishable"]).sum())
    indistinguishable_loose = int((~truth["distinguishable_loose"]).sum())
    pairs, seconds = run_kintrace(cases, records)
    ours = score(pairs, truth)
    reachable = score(pairs, truth, band="any")
    sweep = {
        f"{t:.2f}": score(lm.band(pairs, t, min(t, DEFAULT_REVIEW_THRESHOLD)), truth)
        for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)
    }
    naive_pairs, naive_seconds = run_naive_splink(cases, records)
    naive = score(naive_pairs, truth)

    ablation: dict[str, dict[str, float | int]] = {}
    if not (args.quick or args.no_ablation):
        for rule in FeatureRules.names():
            off_pairs, _ = run_kintrace(cases, records, ALL_RULES.without(rule))
            ablation[rule] = score(off_pairs, truth)

    result: dict[str, Any] = {
        "seed": args.seed,
        "cases": n_cases,
        "list_rows": n_list,
        "true_links": len(truth),
        "indistinguishable_links": indistinguishable,
        "indistinguishable_links_loose_rule": indistinguishable_loose,
        "threshold": DEFAULT_THRESHOLD,
        "kintrace": {**ours, "seconds": seconds},
        "kintrace_link_or_review": reachable,
        "splink_naive": {**naive, "seconds": naive_seconds},
        "threshold_sweep": sweep,
        "ablation_rule_off": ablation,
        "rule_gain_recall_distinguishable": {
            rule: ours["recall_distinguishable"] - v["recall_distinguishable"] for rule, v in ablation.items()
        },
        "rule_gain_precision": {rule: ours["precision"] - v["precision"] for rule, v in ablation.items()},
    }
    _print(result)
    RESULTS.mkdir(exist_ok=True)
    # Only the full run (with the ablation) on the usual draw writes the reported figures.
    name = "linkage_synthetic" if ablation else "linkage_synthetic_quick"
    if args.seed != 7:
        name = f"linkage_synthetic_seed{args.seed}"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    return result


def _print(result: dict[str, Any]) -> None:
    print(
        f"{result['cases']} cases x {result['list_rows']} list rows; {result['true_links']} true links, "
        f"{result['indistinguishable_links']} indistinguishable from namesakes "
        f"({result['indistinguishable_links_loose_rule']} by the earlier, looser rule); "
        f"threshold {result['threshold']}"
    )
    header = (
        f"{'method':<34}{'precision':>10}{'recall':>9}{'rec.dist':>10}{'(loose)':>9}{'FP':>6}{'seconds':>9}"
    )
    print(header)
    print("-" * len(header))
    rows = [
        ("kintrace (link band)", result["kintrace"]),
        ("kintrace (link or review)", result["kintrace_link_or_review"]),
    ]
    rows.append(("splink naive, raw names", result["splink_naive"]))
    rows += [(f"kintrace without {rule}", v) for rule, v in result["ablation_rule_off"].items()]
    rows += [(f"kintrace at threshold {t}", v) for t, v in result["threshold_sweep"].items()]
    for label, v in rows:
        secs = f"{v['seconds']:.1f}" if "seconds" in v else ""
        print(
            f"{label:<34}{v['precision']:>10.4f}{v['recall']:>9.4f}{v['recall_distinguishable']:>10.4f}"
            f"{v['recall_distinguishable_loose']:>9.4f}{v['false_positives']:>6}{secs:>9}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
