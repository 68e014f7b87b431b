"""Linkage at scale on this machine: 1,000,000 list rows x 100,000 cases (goal < 2 min, < 4 GB peak)
and 5,000,000 x 500,000 (goal < 10 min, < 8 GB), DuckDB, chunked prediction.

The data come from benchmarks/linkage_data/generator.py (10% of the cases are on the list) and are
written to parquet first; the linkage itself (read, features, training on a sample, chunked
prediction, writing the pairs) then runs in a child process whose wall time and peak resident
memory are what is reported, so generating the data is not counted.

    python -m benchmarks.bench_linkage_scale --quick      # 100,000 x 10,000, for development
    python -m benchmarks.bench_linkage_scale              # 1,000,000 x 100,000
    python -m benchmarks.bench_linkage_scale --full       # both sizes
    python -m benchmarks.bench_linkage_scale --sizes 1m 2m  # any sizes, to see how time grows
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
SIZES = {
    "quick": (100_000, 10_000),
    "1m": (1_000_000, 100_000),
    "2m": (2_000_000, 200_000),
    "5m": (5_000_000, 500_000),
}
GOALS = {"1m": (120.0, 4.0), "5m": (600.0, 8.0)}


def make_data(n_list: int, n_cases: int, folder: Path, seed: int = 21) -> int:
    """Write cases.parquet, list.parquet and truth.parquet; return the number of planted links."""
    import pandas as pd

    from benchmarks.linkage_data.generator import HIDDEN_COLUMNS, World

    world = World(seed)
    rng = random.Random(seed)
    hidden = [*HIDDEN_COLUMNS, "source_note"]
    missing = [world.person() for _ in range(n_cases)]
    cases = pd.DataFrame([world.write(p, listing=False, rid=f"C{i:07d}") for i, p in enumerate(missing)])
    cases.drop(columns=hidden).to_parquet(folder / "cases.parquet")
    planted = rng.sample(range(n_cases), n_cases // 10)
    at = sorted(rng.sample(range(n_list), len(planted)))
    truth = {f"L{pos:08d}": f"C{case:07d}" for pos, case in zip(at, planted, strict=True)}
    person_at = {pos: missing[case] for pos, case in zip(at, planted, strict=True)}
    del cases
    parts = []
    chunk = 250_000
    for start in range(0, n_list, chunk):
        rows = []
        for pos in range(start, min(start + chunk, n_list)):
            person = person_at.get(pos) or world.person()
            rows.append(world.write(person, listing=True, rid=f"L{pos:08d}"))
        world.people.clear()  # people are only needed while they are written
        part = folder / f"list_{start // chunk:04d}.parquet"
        pd.DataFrame(rows).drop(columns=hidden).to_parquet(part)
        parts.append(part)
    pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True).to_parquet(folder / "list.parquet")
    for p in parts:
        p.unlink()
    pd.DataFrame({"record_id": list(truth), "case_id": list(truth.values())}).to_parquet(
        folder / "truth.parquet"
    )
    return len(truth)


def run_pipeline(folder: Path, memory_limit: str) -> dict[str, Any]:
    """The linkage as `kintrace link` runs it, timed step by step (runs in the child process)."""
    import pandas as pd

    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import duckdb_api
    from kintrace.linkage.features import build_features
    from kintrace.linkage.io import records_from_frame

    times: dict[str, float] = {}
    t = time.perf_counter()
    cases = build_features(records_from_frame(pd.read_parquet(folder / "cases.parquet"), "cases"))
    records = build_features(records_from_frame(pd.read_parquet(folder / "list.parquet"), "list"))
    times["read_and_features"] = time.perf_counter() - t
    t = time.perf_counter()
    api = duckdb_api(memory_limit=memory_limit)
    model = lm.fit(api, cases, records)
    times["training"] = time.perf_counter() - t
    t = time.perf_counter()
    # What `kintrace link` runs: chunked scoring, the list's own duplicates, namesakes, bands.
    pairs = lm.predict(api, model, cases, records)
    n_pairs = len(pairs)
    pairs[["case_id", "record_id", "match_probability", "match_weight", "band"]].to_parquet(
        folder / "pairs.parquet"
    )
    times["prediction"] = time.perf_counter() - t
    truth = pd.read_parquet(folder / "truth.parquet")
    found = truth.merge(pairs, on=["record_id", "case_id"], how="left")
    return {
        "times": times,
        "pairs_above_review": n_pairs,
        "links": int((pairs["band"] == "link").sum()),
        "planted_links": len(truth),
        "planted_found_as_link": int((found["band"] == "link").sum()),
        "planted_found_link_or_review": int(found["band"].notna().sum()),
        "chunks": lm.default_chunks(len(cases), len(records)),
    }


def measure(size: str, data_dir: Path | None = None) -> dict[str, Any]:
    n_list, n_cases = SIZES[size]
    with tempfile.TemporaryDirectory(prefix="kintrace_scale_") as tmp:
        # Generating 5M rows takes longer than linking them: --data-dir keeps them for the next run.
        folder = data_dir / size if data_dir else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        if not (folder / "truth.parquet").exists():
            make_data(n_list, n_cases, folder)
        generated = time.perf_counter() - t
        memory_limit = {"5m": "5GB"}.get(size, "3GB")
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_linkage_scale", "--run", str(folder), memory_limit],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        if child.returncode != 0:
            raise RuntimeError(f"linkage run failed:\n{child.stderr[-4000:]}")
        report = json.loads(child.stdout.strip().splitlines()[-1])
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    out: dict[str, Any] = {
        "list_rows": n_list,
        "cases": n_cases,
        "seconds": wall,
        "peak_rss_gb": peak_gb,
        "generation_seconds": generated,
        **report,
    }
    if size in GOALS:
        limit_s, limit_gb = GOALS[size]
        out["goal_seconds"], out["goal_gb"] = limit_s, limit_gb
        out["meets_goal"] = wall < limit_s and peak_gb < limit_gb
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 x 10,000 only")
    parser.add_argument("--full", action="store_true", help="1M x 100k and 5M x 500k")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), help="these sizes (e.g. 1m 2m)")
    parser.add_argument("--data-dir", type=Path, help="keep the generated data here and reuse it")
    parser.add_argument("--run", nargs=2, metavar=("FOLDER", "MEMORY_LIMIT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.run:
        print(json.dumps(run_pipeline(Path(args.run[0]), args.run[1])))
        return {}
    sizes = args.sizes or (["quick"] if args.quick else (["1m", "5m"] if args.full else ["1m"]))
    results = {size: measure(size, args.data_dir) for size in sizes}
    columns = (
        ("seconds", 9),
        ("peak GB", 9),
        ("pairs", 11),
        ("links", 9),
        ("planted", 9),
        ("found", 8),
        ("goal", 12),
    )
    header = f"{'size':<22}" + "".join(f"{name:>{width}}" for name, width in columns)
    print(header)
    print("-" * len(header))
    for r in results.values():
        goal = f"<{r['goal_seconds']:.0f}s <{r['goal_gb']:.0f}GB" if "goal_seconds" in r else ""
        label = f"{r['list_rows']:,} x {r['cases']:,}"
        print(
            f"{label:<22}{r['seconds']:>9.1f}{r['peak_rss_gb']:>9.2f}{r['pairs_above_review']:>11,}{r['links']:>9,}"
            f"{r['planted_links']:>9,}{r['planted_found_as_link']:>8,}{goal:>12}"
        )
        print("    steps: " + ", ".join(f"{k} {v:.1f}s" for k, v in r["times"].items()))
    RESULTS.mkdir(exist_ok=True)
    name = "linkage_scale_quick" if sizes == ["quick"] else "linkage_scale_" + "_".join(sizes)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
