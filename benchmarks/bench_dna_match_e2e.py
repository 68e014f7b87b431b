"""`kintrace dna match` end to end, as a user runs it, against a plain NumPy script over the same files.

Synthetic single-parent families (father typed, child missing) and profiles, 23 Norwegian markers,
written as CSV in the documented layouts (`dna_match_files.py`). Each run is the installed command in
a fresh process: reading the CSVs, building the tables, scanning, writing the ranked CSV; wall time and
peak RSS (of that process) are measured here, the per-step seconds come from its `--timings` file.

- sizes N x N (default 10k, 20k, 40k, 100k): per-step seconds, to show every step grows linearly;
- 20k x 20k: the same files through `dna_match_numpy_baseline.py` (pandas reading + vectorised
  textbook parent-child LR + top-k), in the same run: the ratio of the two wall times;
- 20k profiles x 100k families: peak RSS against 20k x 20k (families are streamed in blocks);
- 20k x 20k with `--threads 1`: the scan's seconds against the default (every core).

The Numba kernels are compiled (cached) by a small warm-up run first. `BENCH_DNA_E2E_SIZES=2000,4000`
and `BENCH_DNA_E2E_BASE=2000` for a quick run. The machine may be shared: the load average is recorded.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.dna_match_files import FREQS, write_files

HERE = Path(__file__).parent
KINTRACE = Path(sys.executable).with_name("kintrace")


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of one command in its own process; fails loudly."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    if status != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({status}): {err[-2000:]}")
    return wall, usage.ru_maxrss / 1024**2


def match(folder: Path, *extra: str) -> dict[str, object]:
    timings = folder / "timings.json"
    wall, rss = run(
        [
            str(KINTRACE), "dna", "match", "--profiles", str(folder / "profiles.csv"),
            "--pedigrees", str(folder / "pedigrees.csv"), "--freqs", str(FREQS),
            "--out", str(folder / "ranked.csv"), "--timings", str(timings), *extra,
        ]
    )  # fmt: skip
    return {
        "wall_s": round(wall, 2),
        "peak_rss_gb": round(rss, 3),
        "steps_s": json.loads(timings.read_text()),
    }


def best_per_profile(path: Path, rank_column: str) -> dict[str, tuple[str, float]]:
    with path.open(newline="") as fh:
        return {
            r["sample_id"]: (r["family_id"], float(r["LR"]))
            for r in csv.DictReader(fh)
            if r[rank_column] == "1"
        }


def main() -> None:
    sizes = [int(x) for x in os.environ.get("BENCH_DNA_E2E_SIZES", "10000,20000,40000,100000").split(",")]
    base_n = int(os.environ.get("BENCH_DNA_E2E_BASE", "20000"))
    root = Path(tempfile.mkdtemp(prefix="bench_dna_e2e_"))
    figures: dict[str, object] = {"cpu_count": os.cpu_count(), "markers": 23}
    try:
        warm = root / "warm"
        write_files(warm, 200)
        match(warm)

        scaling = {}
        for n in sizes:
            folder = root / f"n{n}"
            write_files(folder, n)
            scaling[f"{n}x{n}"] = match(folder)
            print(f"{n} x {n}: {scaling[f'{n}x{n}']}", flush=True)
            if n != base_n:
                shutil.rmtree(folder)
        figures["scaling"] = scaling

        folder = root / f"n{base_n}"
        if not folder.exists():
            write_files(folder, base_n)
        ours = match(folder)
        base_out = folder / "numpy.csv"
        baseline = HERE / "dna_match_numpy_baseline.py"
        np_wall, np_rss = run(
            [sys.executable, str(baseline), str(folder / "profiles.csv"), str(folder / "pedigrees.csv"),
             str(FREQS), str(base_out)]
        )  # fmt: skip
        a = best_per_profile(folder / "ranked.csv", "rank_in_profile")
        b = best_per_profile(base_out, "rank_in_profile")
        same_best = sum(1 for s, (f, _) in a.items() if b.get(s, ("",))[0] == f)
        rel = max(
            (abs(lr - b[s][1]) / lr for s, (f, lr) in a.items() if s in b and b[s][0] == f), default=0.0
        )
        figures["vs_numpy"] = {
            "n": base_n,
            "kintrace_wall_s": ours["wall_s"],
            "kintrace_steps_s": ours["steps_s"],
            "kintrace_peak_rss_gb": ours["peak_rss_gb"],
            "numpy_wall_s": round(np_wall, 2),
            "numpy_peak_rss_gb": round(np_rss, 3),
            "speedup": round(np_wall / float(ours["wall_s"]), 2),  # type: ignore[arg-type]
            "same_best_family": f"{same_best}/{len(a)}",
            "max_rel_diff_of_best_lr": rel,  # the frequency table's sums differ from 1 by up to 2e-10
        }
        print(f"vs numpy: {figures['vs_numpy']}", flush=True)
        one = match(folder, "--threads", "1")
        figures["threads"] = {
            "default": ours["steps_s"],
            "threads_1": one["steps_s"],
            "wall_1_s": one["wall_s"],
        }
        print(f"threads: {figures['threads']}", flush=True)
        shutil.rmtree(folder)

        wide_fams = root / "families"
        write_files(wide_fams, 5 * base_n, n_unknown=base_n)
        figures["families_x5"] = {"profiles": base_n, "families": 5 * base_n, **match(wide_fams)}
        print(f"families x5: {figures['families_x5']}", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    figures["load_average_1min_at_end"] = os.getloadavg()[0]
    figures["note"] = "2-core machine shared with other engineers' jobs; wall times include their load"
    name = "dna_match_e2e.json" if base_n == 20000 else f"dna_match_e2e_n{base_n}.json"
    out = HERE / "results" / name
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
