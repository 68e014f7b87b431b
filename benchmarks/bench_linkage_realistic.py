"""Linkage on lists drawn from a population of a million men (benchmarks/linkage_data/population.py):
precision and recall of `kintrace link` over several seeds and namesake densities, and how well
its probabilities are calibrated.

A namesake density is the list's size relative to the population: the longer the list, the more
other men on it share a missing man's full name. For every seed and density the run reports the
precision of the link band (goal >= 0.98 on every one), recall overall (goal >= 0.86), on the links
with distinguishing evidence (>= 0.97), link + review recall (>= 0.97), and the same split for links
that rest on the name alone. The reliability diagram (predicted probability against the observed
share of true pairs, by tenth of probability) is drawn to `results/linkage_realistic_reliability.png`.

    python -m benchmarks linkage_realistic                     # 5 seeds x 3 densities
    python -m benchmarks.bench_linkage_realistic --quick       # 2 seeds, the smallest density
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.linkage_data.population import POPULATION, build_population, draw
from kintrace.linkage import model as lm
from kintrace.linkage.defaults import DEFAULT_REVIEW_THRESHOLD, DEFAULT_THRESHOLD
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import build_features
from kintrace.linkage.io import records_from_frame

RESULTS = Path(__file__).parent / "results"
N_CASES = 2000
# List rows: 0.8%, 2.5% and 8% of the population.
DENSITIES = {"low": 8_000, "mid": 25_000, "high": 80_000}
SEEDS = (1, 2, 3, 4, 5)
# Pairs down to this probability are kept for the reliability diagram (the bands use the defaults).
CALIBRATION_FLOOR = 0.05


def run_kintrace(cases: pd.DataFrame, records: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """What `kintrace link` runs, end to end from the frames."""
    start = time.perf_counter()
    cf = build_features(records_from_frame(cases, "cases"))
    lf = build_features(records_from_frame(records, "list"))
    api = duckdb_api()
    trained = lm.fit(api, cf, lf)
    pairs = lm.predict(api, trained, cf, lf, threshold=DEFAULT_THRESHOLD, review_threshold=CALIBRATION_FLOOR)
    return pairs, time.perf_counter() - start


def score(pairs: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    true = set(zip(truth["case_id"], truth["record_id"], strict=True))
    dist = truth[truth["distinguishable"]]
    true_dist = set(zip(dist["case_id"], dist["record_id"], strict=True))
    names = truth[~truth["more_than_names"]]
    evidence = truth[truth["more_than_names"] & truth["distinguishable"]]
    true_evidence = set(zip(evidence["case_id"], evidence["record_id"], strict=True))
    true_names = set(zip(names["case_id"], names["record_id"], strict=True))
    links = pairs[pairs["band"] == "link"]
    reached = pairs[(pairs["band"] == "link") | (pairs["match_probability"] > DEFAULT_REVIEW_THRESHOLD)]
    link_set = set(zip(links["case_id"], links["record_id"], strict=True))
    reach_set = set(zip(reached["case_id"], reached["record_id"], strict=True))
    tp = len(link_set & true)
    name_only = links[links["reasons"].str.contains("name alone", regex=False, na=False)]
    name_only_set = set(zip(name_only["case_id"], name_only["record_id"], strict=True))

    def share(a: set[Any], b: set[Any]) -> float:
        return len(a & b) / len(b) if b else 1.0

    return {
        "true_links": len(true),
        "links": len(link_set),
        "false_links": len(link_set) - tp,
        "precision": tp / len(link_set) if link_set else 1.0,
        "recall": share(link_set, true),
        "recall_distinguishable": share(link_set, true_dist),
        "recall_link_or_review": share(reach_set, true),
        # Distinguishing evidence beside the names: a birth date or the man's unit on both records,
        # and with it fewer than 0.1 namesakes expected.
        "recall_more_than_names": share(link_set, true_evidence),
        "true_links_on_names_only": len(true_names),
        "recall_names_only": share(link_set, true_names),
        "links_resting_on_name_alone": len(name_only_set),
        "precision_name_alone": len(name_only_set & true) / len(name_only_set) if name_only_set else 1.0,
    }


def calibration_bins(frames: list[tuple[np.ndarray, np.ndarray]]) -> list[dict[str, float | int]]:
    """Observed share of true pairs among the pairs whose probability falls in each tenth."""
    prob = np.concatenate([p for p, _ in frames]) if frames else np.array([])
    hit = np.concatenate([h for _, h in frames]) if frames else np.array([])
    out: list[dict[str, float | int]] = []
    for lo in np.arange(0.0, 1.0, 0.1):
        inside = (prob >= lo) & ((prob < lo + 0.1) | (lo >= 0.9))
        n = int(inside.sum())
        out.append(
            {
                "from": round(float(lo), 1),
                "to": round(float(lo) + 0.1, 1),
                "pairs": n,
                "mean_predicted": float(prob[inside].mean()) if n else float("nan"),
                "observed_precision": float(hit[inside].mean()) if n else float("nan"),
            }
        )
    return out


def draw_reliability(bins: dict[str, list[dict[str, float | int]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    for label, rows in bins.items():
        xs = [r["mean_predicted"] for r in rows if r["pairs"] and r["from"] >= CALIBRATION_FLOOR - 1e-9]
        ys = [r["observed_precision"] for r in rows if r["pairs"] and r["from"] >= CALIBRATION_FLOOR - 1e-9]
        ax.plot(xs, ys, marker="o", label=label)
    ax.axvline(DEFAULT_THRESHOLD, color="red", linewidth=0.8, label=f"link threshold {DEFAULT_THRESHOLD}")
    ax.set_xlabel("predicted match probability (mean in each tenth)")
    ax.set_ylabel("observed precision (share of true pairs)")
    ax.set_title("kintrace link: reliability on population lists")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 seeds, the lowest density")
    parser.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS))
    parser.add_argument("--densities", nargs="*", default=list(DENSITIES), choices=list(DENSITIES))
    parser.add_argument("--cases", type=int, default=N_CASES)
    parser.add_argument("--tag", default="", help="written to results/linkage_realistic_TAG.json")
    args = parser.parse_args(argv if argv is not None else [])
    seeds = args.seeds[:2] if args.quick else args.seeds
    densities = ["low"] if args.quick else args.densities

    runs: list[dict[str, Any]] = []
    calib: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {d: [] for d in densities}
    for seed in seeds:
        pop = build_population(POPULATION, seed=seed)
        for density in densities:
            n_list = DENSITIES[density]
            cases, records, truth = draw(pop, args.cases, n_list, seed=seed * 100 + n_list % 97)
            pairs, seconds = run_kintrace(cases, records)
            result = {"seed": seed, "density": density, "list_rows": n_list, "cases": args.cases}
            result |= score(pairs, truth) | {"seconds": round(seconds, 1)}
            # The same scores banded as before in-list clusters and the namesake rule: every other
            # row passing the threshold is a rival, and the name alone is enough.
            before = lm.band(
                pairs.drop(columns=["list_cluster", "namesakes_expected"]),
                DEFAULT_THRESHOLD,
                CALIBRATION_FLOOR,
            )
            result["before_clusters_and_namesakes"] = score(before, truth)
            runs.append(result)
            true = set(zip(truth["case_id"], truth["record_id"], strict=True))
            hit = np.array([k in true for k in zip(pairs["case_id"], pairs["record_id"], strict=True)])
            calib[density].append((pairs["match_probability"].to_numpy(dtype=float), hit))
            _print_run(result)
    bins = {f"{d} ({DENSITIES[d]:,} rows)": calibration_bins(calib[d]) for d in densities}
    bins["all"] = calibration_bins([f for d in densities for f in calib[d]])
    summary = _summary(runs)
    result_all: dict[str, Any] = {
        "population": POPULATION,
        "threshold": DEFAULT_THRESHOLD,
        "review_threshold": DEFAULT_REVIEW_THRESHOLD,
        "summary": summary,
        "runs": runs,
        "reliability": bins,
    }
    RESULTS.mkdir(exist_ok=True)
    name = "linkage_realistic_quick" if args.quick else "linkage_realistic"
    name += f"_{args.tag}" if args.tag else ""
    (RESULTS / f"{name}.json").write_text(json.dumps(result_all, indent=2))
    draw_reliability(bins, RESULTS / f"{name}_reliability.png")
    print(json.dumps(summary, indent=2))
    return result_all


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def total(key: str) -> int:
        return int(sum(r[key] for r in runs))

    true_links = total("true_links")
    return {
        "min_precision": min(r["precision"] for r in runs),
        "max_false_links_in_a_run": max(r["false_links"] for r in runs),
        "mean_recall": float(np.mean([r["recall"] for r in runs])),
        "min_recall": min(r["recall"] for r in runs),
        "min_recall_distinguishable": min(r["recall_distinguishable"] for r in runs),
        "mean_recall_distinguishable": float(np.mean([r["recall_distinguishable"] for r in runs])),
        "min_recall_link_or_review": min(r["recall_link_or_review"] for r in runs),
        "mean_recall_link_or_review": float(np.mean([r["recall_link_or_review"] for r in runs])),
        "mean_recall_more_than_names": float(np.mean([r["recall_more_than_names"] for r in runs])),
        "min_recall_more_than_names": min(r["recall_more_than_names"] for r in runs),
        "before_min_precision": min(r["before_clusters_and_namesakes"]["precision"] for r in runs),
        "before_mean_recall": float(np.mean([r["before_clusters_and_namesakes"]["recall"] for r in runs])),
        "true_links": true_links,
        "runs": len(runs),
    }


def _print_run(r: dict[str, Any]) -> None:
    print(
        f"seed {r['seed']} {r['density']:>4} ({r['list_rows']:>6} rows, {r['true_links']} true): "
        f"precision {r['precision']:.4f} ({r['false_links']} false of {r['links']}), "
        f"recall {r['recall']:.4f}, distinguishable {r['recall_distinguishable']:.4f} "
        f"(with a date or unit {r['recall_more_than_names']:.4f}), "
        f"link+review {r['recall_link_or_review']:.4f}, names-only recall {r['recall_names_only']:.3f}, "
        f"{r['seconds']} s; before: precision {r['before_clusters_and_namesakes']['precision']:.4f}, "
        f"recall {r['before_clusters_and_namesakes']['recall']:.4f}",
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
