"""All-against-all DNA matching through the fast path: synthetic profiles x parent-child families.

N profiles x N single-reference families (father typed, child missing), 23 markers of the Norwegian
table. The first N/2 profiles are children of families 0..N/2-1, the rest unrelated. Reports pairs per
second of the streaming scan (Numba kernel + top-k + threshold selection), the table build time, peak
RSS, and the ratio to the plain NumPy gather + product scoring measured in the same run on a subset
(extrapolated per pair). A few pairs are checked against the exact per-pair path.

`python -m benchmarks dna_match` (full 20,000 x 20,000); `BENCH_DNA_MATCH_N=2000` for a quick run.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import numba
import numpy as np

from kintrace.dna.families import Family
from kintrace.dna.genotypes import Genotype
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.lr_table import SlotLayout, TableBlock, TableCache, build_tables
from kintrace.dna.markers import Marker, load_frequency_table
from kintrace.dna.match import match_all
from kintrace.dna.match_kernel import score_block_numpy
from kintrace.dna.pedigree import Pedigree, Person

HERE = Path(__file__).parent
FREQS = HERE / "data" / "freqs_norwegian_23.csv"
BLOCK = 2048


def _draw(rng: np.random.Generator, marker: Marker, n: int) -> np.ndarray:
    p = marker.freqs / marker.freqs.sum()
    return rng.choice(marker.n_alleles, size=(n, 2), p=p)


def synthetic(n: int, seed: int = 2026) -> tuple[list[Marker], list[Family], dict, list[dict[str, Genotype]]]:
    rng = np.random.default_rng(seed)
    markers = list(load_frequency_table(FREQS).values())
    pedigree = Pedigree(
        [Person("fa", None, None, 1), Person("mo", None, None, 2), Person("ch", "fa", "mo", 1)]
    )
    families = [Family(f"FAM{i:05d}", pedigree, "ch", {"fa": f"REF{i:05d}"}) for i in range(n)]
    refs: dict[str, dict[str, dict[str, Genotype]]] = {f.family_id: {"fa": {}} for f in families}
    profiles: list[dict[str, Genotype]] = [{} for _ in range(n)]
    half = n // 2
    for m in markers:
        fathers = _draw(rng, m, n)
        others = _draw(rng, m, n)
        from_father = fathers[np.arange(n), rng.integers(0, 2, n)]
        a = m.alleles
        for i in range(n):
            refs[families[i].family_id]["fa"][m.name] = (a[fathers[i, 0]], a[fathers[i, 1]])
            child = (a[from_father[i]], a[others[i, 0]]) if i < half else (a[others[i, 0]], a[others[i, 1]])
            profiles[i][m.name] = child
    return markers, families, refs, profiles


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def main() -> None:
    n = int(os.environ.get("BENCH_DNA_MATCH_N", "20000"))
    t0 = time.perf_counter()
    markers, families, refs, profiles = synthetic(n)
    t_data = time.perf_counter() - t0
    layout = SlotLayout.by_exclusion_power(markers)
    slots = layout.encode(profiles)
    sample_ids = [f"U{i:05d}" for i in range(n)]

    # Warm the JIT on a tiny problem so compile time is not counted as scanning.
    warm = build_tables(families[:4], refs, layout)
    match_all(sample_ids[:64], slots[:, :64], layout, [warm], top_k=10, threshold=1e4)

    cache = TableCache()
    build_s = 0.0
    build_cpu_s = 0.0

    def blocks() -> Iterator[TableBlock]:
        nonlocal build_s, build_cpu_s
        for start in range(0, n, BLOCK):
            t, c = time.perf_counter(), time.process_time()
            block = build_tables(families[start : start + BLOCK], refs, layout, cache)
            build_s += time.perf_counter() - t
            build_cpu_s += time.process_time() - c
            yield block

    t = time.perf_counter()
    cpu = time.process_time()
    result = match_all(sample_ids, slots, layout, blocks(), top_k=10, threshold=1e4)
    total_s = time.perf_counter() - t
    scan_s = total_s - build_s
    # CPU seconds of the scan (all threads): on a shared machine the wall clock also counts waiting.
    scan_cpu_s = time.process_time() - cpu - build_cpu_s
    pairs = result.n_pairs

    # Plain NumPy baseline on a subset of families (all profiles), per pair.
    sub = build_tables(families[: max(1, min(n, 64))], refs, layout, cache)
    np_fams = len(sub.family_ids)
    t, c = time.perf_counter(), time.process_time()
    for f in range(0, np_fams, 8):
        score_block_numpy(slots, sub.ratio[f : f + 8])
    numpy_s = time.perf_counter() - t
    numpy_cpu_s = time.process_time() - c
    numpy_rate = np_fams * n / numpy_s

    # Exactness on a few kept pairs and identification quality on the related half.
    by_sample = {}
    for m in result.matches:
        if m.rank_in_profile == 1:
            by_sample[m.sample_id] = m
    fam_by_id = {f.family_id: f for f in families}
    checked = list(by_sample.values())[:10]
    worst = 0.0
    for m in checked:
        fam = fam_by_id[m.family_id]
        exact = missing_person_lr(
            fam.pedigree, markers, refs[fam.family_id], profiles[int(m.sample_id[1:])], "ch"
        )
        worst = max(worst, abs(m.lr - exact.lr_total) / exact.lr_total)
    half = n // 2
    top1 = sum(
        1 for i in range(half) if (m := by_sample.get(sample_ids[i])) and m.family_id == families[i].family_id
    )

    figures = {
        "profiles": n,
        "families": n,
        "markers": len(markers),
        "pairs": pairs,
        "threads": numba.get_num_threads(),
        "table_slots_per_family": layout.size,
        "synthetic_data_s": round(t_data, 2),
        "table_build_s": round(build_s, 2),
        "scan_s": round(scan_s, 3),
        "end_to_end_s": round(total_s, 2),
        "scan_pairs_per_s": pairs / scan_s,
        "end_to_end_pairs_per_s": pairs / total_s,
        "numpy_pairs_per_s": numpy_rate,
        "numpy_subset_pairs": np_fams * n,
        "speedup_scan_vs_numpy": (pairs / scan_s) / numpy_rate,
        "scan_cpu_s": round(scan_cpu_s, 3),
        "scan_pairs_per_cpu_s": pairs / scan_cpu_s,
        "numpy_pairs_per_cpu_s": np_fams * n / numpy_cpu_s,
        "load_average_1min_at_end": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
        "peak_rss_gb": round(peak_rss_gb(), 3),
        "rows_kept": len(result.matches),
        "pairs_lr_ge_1e4": result.n_above_threshold,
        "true_children_ranked_first": f"{top1}/{half}",
        "max_rel_err_vs_exact_path_10_pairs": worst,
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        shown = f"{value:,.0f}" if isinstance(value, float) and value > 1000 else value
        print(f"{key:<{width}}  {shown}")
    out = HERE / "results" / ("dna_match.json" if n == 20000 else f"dna_match_n{n}.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
