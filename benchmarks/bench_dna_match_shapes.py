"""The fast path for families with several references: a mix of shapes, 23 markers, N x N.

Families of four shapes in turn (both parents; one parent and a full sibling; a paternal grandfather
and an uncle; a child and the spouse), genotypes simulated by gene dropping with the Norwegian table;
the first N/2 profiles are the families' missing persons, the rest unrelated. Reports the table build
(per family), the streaming scan (pairs per second, wall and CPU) and the whole (tables + scan), with
and without a mutation model, and checks a sample of kept pairs against the exact per-pair path. The
tables are built once and scanned three times in the same run: by the family-row kernel of before
(``match_all(kernel="rows")``), by the tiles alone (``"tiles"``) and by the default (``"auto"``:
families that exclude in rows, the others in tiles; the ``scan_*`` figures), which must all keep the
same pairs.

`python -m benchmarks dna_match_shapes`; `BENCH_DNA_SHAPES_N=2000` for a quick run;
`BENCH_DNA_SHAPES_PER_SHAPE=1 BENCH_DNA_SHAPES_N=8000` for the scan rate of each shape alone. The 2-core
machine is shared with other engineers: CPU seconds are reported next to wall seconds.
"""

from __future__ import annotations

import json
import os
import time

import numba
import numpy as np

from benchmarks.bench_dna_match import peak_rss_gb
from benchmarks.dna_match_files import FREQS
from kintrace.dna.families import Family
from kintrace.dna.genotypes import Genotype
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.lr_table import SlotLayout, TableBlock, TableCache, build_tables
from kintrace.dna.markers import Marker, load_frequency_table
from kintrace.dna.match import MatchResult, match_all
from kintrace.dna.mutation import mutation_model
from kintrace.dna.pedigree import Pedigree, Person

BLOCK = 2048
# The figures of benchmarks/results/dna_match_shapes.json before the tiles (commit 54c6944, N=20000,
# tables streamed into match_all; scan = total - tables), kept beside the new ones.
PREVIOUS = {
    "no_mutation": {"scan_s": 6.458, "scan_cpu_s": 8.265, "scan_pairs_per_s": 61940761},
    "proportional_mutation": {"scan_s": 28.154, "scan_cpu_s": 27.239, "scan_pairs_per_s": 14207636},
}
P = Person
FA, MO = P("fa", None, None, 1), P("mo", None, None, 2)
SHAPES = [
    (Pedigree([FA, MO, P("mp", "fa", "mo", 1)]), ("fa", "mo")),
    (Pedigree([FA, MO, P("mp", "fa", "mo", 2), P("sib", "fa", "mo", 1)]), ("mo", "sib")),
    (
        Pedigree(
            [P("gf", None, None, 1), P("gm", None, None, 2), P("fa", "gf", "gm", 1),
             P("uncle", "gf", "gm", 1), MO, P("mp", "fa", "mo", 1)]
        ),
        ("gf", "uncle"),
    ),
    (
        Pedigree([P("mp", None, None, 1), P("spouse", None, None, 2), P("kid", "mp", "spouse", 2)]),
        ("kid", "spouse"),
    ),
]  # fmt: skip


def simulate(
    n: int, markers: list[Marker], seed: int = 12
) -> tuple[list[Family], dict, list[dict[str, Genotype]]]:
    rng = np.random.default_rng(seed)
    families = []
    refs: dict[str, dict[str, dict[str, Genotype]]] = {}
    profiles: list[dict[str, Genotype]] = [{} for _ in range(n)]
    by_shape = [list(range(s, n, len(SHAPES))) for s in range(len(SHAPES))]
    for i in range(n):
        pedigree, typed = SHAPES[i % len(SHAPES)]
        fid = f"FAM{i:06d}"
        families.append(Family(fid, pedigree, "mp", {pid: f"{fid}-{pid}" for pid in typed}))
        refs[fid] = {pid: {} for pid in typed}
    for m in markers:
        p = m.freqs / m.freqs.sum()
        labels = np.array(m.alleles)
        for s, (pedigree, typed) in enumerate(SHAPES):
            idx = by_shape[s]
            k = len(idx)
            genos: dict[str, np.ndarray] = {}
            for pid in pedigree.ids:  # parents first: gene dropping, vectorised over the families
                person = pedigree.person(pid)
                if person.is_founder:
                    genos[pid] = rng.choice(m.n_alleles, size=(k, 2), p=p)
                else:
                    assert person.father is not None and person.mother is not None
                    pick = rng.integers(0, 2, size=(k, 2))
                    rows = np.arange(k)
                    from_father = genos[person.father][rows, pick[:, 0]]
                    from_mother = genos[person.mother][rows, pick[:, 1]]
                    genos[pid] = np.stack([from_father, from_mother], axis=1)
            for j, i in enumerate(idx):
                fid = families[i].family_id
                for pid in typed:
                    refs[fid][pid][m.name] = (labels[genos[pid][j, 0]], labels[genos[pid][j, 1]])
                if i < n // 2:
                    profiles[i][m.name] = (labels[genos["mp"][j, 0]], labels[genos["mp"][j, 1]])
        unrelated = rng.choice(m.n_alleles, size=(n, 2), p=p)
        for i in range(n // 2, n):
            profiles[i][m.name] = (labels[unrelated[i, 0]], labels[unrelated[i, 1]])
    return families, refs, profiles


def scan(
    ids: list[str], slots: np.ndarray, layout: SlotLayout, blocks: list[TableBlock], kernel: str
) -> tuple[MatchResult, float, float]:
    t, c = time.perf_counter(), time.process_time()
    result = match_all(ids, slots, layout, blocks, top_k=10, threshold=1e4, kernel=kernel)
    return result, time.perf_counter() - t, time.process_time() - c


def run(n: int, markers: list[Marker]) -> dict[str, object]:
    """Tables built once (timed), then scanned with the family-row kernel of before (``rows``) and
    with the tiles (``tiles``, the default) over the same tables, in this order."""
    families, refs, profiles = simulate(n, markers)
    layout = SlotLayout.by_exclusion_power(markers)
    slots = layout.encode(profiles)
    sample_ids = [f"U{i:06d}" for i in range(n)]
    warm = build_tables(families[:8], refs, layout)
    for kernel in ("rows", "tiles", "auto"):
        match_all(sample_ids[:64], slots[:, :64], layout, [warm], kernel=kernel)
    cache = TableCache()
    t, c = time.perf_counter(), time.process_time()
    blocks = [build_tables(families[s : s + BLOCK], refs, layout, cache) for s in range(0, n, BLOCK)]
    build, build_cpu = time.perf_counter() - t, time.process_time() - c
    before, before_s, before_cpu = scan(sample_ids, slots, layout, blocks, "rows")
    tiled, tiles_s, tiles_cpu = scan(sample_ids, slots, layout, blocks, "tiles")
    result, scan_s, scan_cpu = scan(sample_ids, slots, layout, blocks, "auto")
    pairs = result.n_pairs
    fam_by_id = {f.family_id: f for f in families}
    worst = 0.0
    checked = [m for m in result.matches if m.rank_in_profile == 1][:8]
    for m in checked:
        fam = fam_by_id[m.family_id]
        exact = missing_person_lr(
            fam.pedigree, markers, refs[fam.family_id], profiles[int(m.sample_id[1:])], "mp"
        )
        worst = max(worst, abs(m.lr - exact.lr_total) / exact.lr_total)
    top1 = sum(
        1
        for m in result.matches
        if m.rank_in_profile == 1 and m.family_id == f"FAM{m.sample_id[1:]}" and int(m.sample_id[1:]) < n // 2
    )
    return {
        "pairs": pairs,
        "tables_s": round(build, 2),
        "tables_cpu_s": round(build_cpu, 2),
        "tables_ms_per_family": round(1000 * build / n, 3),
        "scan_s": round(scan_s, 3),
        "scan_cpu_s": round(scan_cpu, 3),
        "scan_pairs_per_s": round(pairs / scan_s),
        "scan_pairs_per_cpu_s": round(pairs / scan_cpu),
        "tables_and_scan_pairs_per_s": round(pairs / (build + scan_s)),
        "before_rows_kernel_same_run": {
            "scan_s": round(before_s, 3),
            "scan_cpu_s": round(before_cpu, 3),
            "scan_pairs_per_s": round(pairs / before_s),
            "scan_pairs_per_cpu_s": round(pairs / before_cpu),
        },
        "tiles_only_same_run": {
            "scan_s": round(tiles_s, 3),
            "scan_cpu_s": round(tiles_cpu, 3),
            "scan_pairs_per_s": round(pairs / tiles_s),
            "scan_pairs_per_cpu_s": round(pairs / tiles_cpu),
        },
        "scan_speedup_wall": round(before_s / scan_s, 2),
        "scan_speedup_cpu": round(before_cpu / scan_cpu, 2),
        "same_matches_as_rows_kernel": result.matches == before.matches == tiled.matches,
        "kept_pairs": len(result.matches),
        "missing_persons_ranked_first": f"{top1}/{n // 2}",
        "max_rel_err_vs_exact_8_pairs": worst,  # frequencies sum to 1 +- 2e-10 (pedprobr lumps unseen)
    }


def per_shape(n: int, markers: list[Marker]) -> dict[str, dict[str, int]]:
    """Scan rate of each shape alone (n/4 families x n profiles): the shapes whose references can
    exclude an unrelated person (parents, child) drop most pairs at the first markers; a grandfather
    and an uncle never exclude, so every pair is scored on every marker and ranked."""
    families, refs, profiles = simulate(n, markers)
    layout = SlotLayout.by_exclusion_power(markers)
    slots = layout.encode(profiles)
    ids = [f"U{i:06d}" for i in range(n)]
    warm = build_tables(families[:8], refs, layout)
    for kernel in ("rows", "auto"):
        match_all(ids[:64], slots[:, :64], layout, [warm], kernel=kernel)  # JIT load
    out: dict[str, dict[str, int]] = {}
    for s, (_, typed) in enumerate(SHAPES):
        block = build_tables([f for i, f in enumerate(families) if i % len(SHAPES) == s], refs, layout)
        figures: dict[str, int] = {}
        for kernel in ("rows", "auto"):
            result, wall, cpu = scan(ids, slots, layout, [block], kernel)
            figures["pairs"] = result.n_pairs
            prefix = "" if kernel == "auto" else "before_rows_"
            figures[prefix + "scan_pairs_per_s"] = round(result.n_pairs / wall)
            figures[prefix + "scan_pairs_per_cpu_s"] = round(result.n_pairs / cpu)
        out["+".join(typed)] = figures
    return out


def main() -> None:
    n = int(os.environ.get("BENCH_DNA_SHAPES_N", "20000"))
    if os.environ.get("BENCH_DNA_SHAPES_PER_SHAPE"):
        plain = list(load_frequency_table(FREQS).values())
        alone: dict[str, object] = {"profiles": n, "families_per_shape": n // 4}
        alone |= {"threads": numba.get_num_threads(), **per_shape(n, plain)}
        alone["load_average_1min_at_end"] = os.getloadavg()[0]
        print(alone)
        out = os.path.join(os.path.dirname(__file__), "results", f"dna_match_shapes_per_shape_n{n}.json")
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(alone, indent=2) + "\n")
        print(f"written {out}")
        return
    plain = list(load_frequency_table(FREQS).values())
    # `proportional` is of proportional type (tables over a few alleles per family); `equal` and
    # `stepwise` are not and take the full computation over every allele (22 ms per family for
    # `equal` in this benchmark on the shared machine; see dna/lr_lumped.py).
    mutated = [m.with_mutation(mutation_model("proportional", m.alleles, m.freqs, rate=0.002)) for m in plain]
    figures: dict[str, object] = {
        "families": n,
        "profiles": n,
        "markers": len(plain),
        "threads": numba.get_num_threads(),
    }
    figures["no_mutation"] = run(n, plain)
    print(figures["no_mutation"], flush=True)
    figures["proportional_mutation"] = run(n, mutated)
    print(figures["proportional_mutation"], flush=True)
    figures["peak_rss_gb"] = round(peak_rss_gb(), 3)
    figures["load_average_1min_at_end"] = os.getloadavg()[0]
    figures["previous_json_before_this_change"] = PREVIOUS
    figures["note"] = (
        "2-core machine shared with other engineers' jobs; CPU seconds beside wall seconds. scan_*: "
        "match_all over the tables already built (kernel 'auto', the default); before_rows_kernel_same_run: "
        "the same tables scanned by the family-row kernel of before (kernel='rows') in the same run; "
        "tiles_only_same_run: kernel='tiles'."
    )
    out = os.path.join(
        os.path.dirname(__file__),
        "results",
        "dna_match_shapes.json" if n == 20000 else f"dna_match_shapes_n{n}.json",
    )
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(figures, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
