"""Exact per-pair LR, one unidentified profile against a parent-child reference, 23 loci.

The setup of the oracle's timing ``a_single_reference_parent_child_1000_pairs``: pedigree FA-MO-MP with
FA typed, 23 loci (forrel::NorwegianFrequencies, frequencies taken from the oracle case
PUB-01-parent-child), 1000 (reference, POI) pairs, half with the POI the true child, half unrelated;
without mutation and with a proportional model of rate 0.001 for both sexes.

Measured, in one run:
* ``MissingPersonScorer.lr`` per pair (the structure's tables are built once and reused; the build time
  is reported apart), returning total and per-marker LRs;
* ``MissingPersonScorer.lr_codes`` on all pairs at once (profiles encoded once; encoding reported apart);
* the general oracle path ``missing_person_lr`` (variable elimination per marker per pair) on a sample,
  which also checks that both agree.

forrel's figures (ms per pair with ``missingPersonLR``, same kind of 2-core machine, "clean" runs) are
copied from ``../shared/oracle/timings.json``: no_mutation.ms_per_pair = 5.97 and
proportional_0.001.ms_per_pair = 11.99.

`python -m benchmarks dna_exact`; writes ``benchmarks/results/dna_exact.json``.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from kintrace.dna.exact_pairs import MissingPersonScorer
from kintrace.dna.genotypes import Genotype
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.markers import Marker
from kintrace.dna.mutation import MutationModel, mutation_matrix
from kintrace.dna.pedigree import Pedigree, Person

HERE = Path(__file__).parent
CASES = HERE.parent / "tests" / "data" / "oracle" / "public_cases.json"
RESULTS = HERE / "results" / "dna_exact.json"

# Source: ../shared/oracle/timings.json, a_single_reference_parent_child_1000_pairs (forrel 1.9.0).
FORREL_MS_PER_PAIR = {"no_mutation": 5.97, "proportional_0.001": 11.99}

N_PAIRS = 1000
N_GENERAL = 30  # pairs through the general path (slow; a sample)


def _markers(mutation: bool) -> list[Marker]:
    case = next(c for c in json.loads(CASES.read_text())["cases"] if c["id"] == "PUB-01-parent-child")
    out = []
    for name in case["markers"]:
        alleles = tuple(case["afreq"][name]["alleles"])
        freqs = np.array(case["afreq"][name]["freqs"])
        model = None
        if mutation:
            m = mutation_matrix("proportional", alleles, freqs, rate=0.001)
            model = MutationModel(female=m, male=m)
        out.append(Marker(name, alleles, freqs, model))
    return out


def _simulate(
    markers: list[Marker], rng: np.random.Generator
) -> list[tuple[dict[str, Genotype], dict[str, Genotype]]]:
    pairs = []
    for i in range(N_PAIRS):
        father: dict[str, Genotype] = {}
        poi: dict[str, Genotype] = {}
        for m in markers:
            p = m.freqs / m.freqs.sum()
            a, b, c, d = rng.choice(len(m.alleles), size=4, p=p)
            father[m.name] = (m.alleles[a], m.alleles[b])
            # even pairs: POI is the child (one paternal allele); odd pairs: unrelated
            first = (a if rng.random() < 0.5 else b) if i % 2 == 0 else c
            poi[m.name] = (m.alleles[first], m.alleles[d])
        pairs.append((father, poi))
    return pairs


def _best(fn: Any, repeats: int = 3) -> tuple[Any, float]:
    best = math.inf
    out = None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def run_setting(label: str, mutation: bool, rng: np.random.Generator) -> dict[str, Any]:
    ped = Pedigree([Person("FA", None, None, 1), Person("MO", None, None, 2), Person("MP", "FA", "MO", 1)])
    markers = _markers(mutation)
    pairs = _simulate(markers, rng)

    scorer, build_s = _best(lambda: MissingPersonScorer(ped, markers, "MP", ["FA"]), repeats=1)
    totals, single_s = _best(lambda: [scorer.lr({"FA": f}, p).lr_total for f, p in pairs])

    def encode() -> tuple[np.ndarray, np.ndarray]:
        refs = np.stack([scorer.encode(f)[None, :] for f, _ in pairs])
        pois = np.stack([scorer.encode(p) for _, p in pairs])
        return refs, pois

    (refs, pois), encode_s = _best(encode, repeats=1)
    batch, batch_s = _best(lambda: scorer.lr_codes(refs, pois))

    sample = pairs[:N_GENERAL]
    general, general_s = _best(
        lambda: [missing_person_lr(ped, markers, {"FA": f}, p, "MP").lr_total for f, p in sample], repeats=1
    )
    worst_vs_general = max(
        0.0 if g == s == 0.0 else abs(s - g) / abs(g)
        for s, g in zip(totals[:N_GENERAL], general, strict=True)
    )
    worst_batch = max(
        0.0 if a == b == 0.0 else abs(a - b) / abs(b) for a, b in zip(batch, totals, strict=True)
    )
    forrel_ms = FORREL_MS_PER_PAIR[label]
    single_us = 1e6 * single_s / N_PAIRS
    batch_us = 1e6 * batch_s / N_PAIRS
    return {
        "setting": label,
        "pairs": N_PAIRS,
        "build_structure_ms": 1e3 * build_s,
        "single_pair_us": single_us,
        "batch_us_per_pair": batch_us,
        "encode_us_per_pair": 1e6 * encode_s / N_PAIRS,
        "general_path_ms_per_pair": 1e3 * general_s / N_GENERAL,
        "forrel_ms_per_pair": forrel_ms,
        "speedup_single_vs_forrel": forrel_ms * 1e3 / single_us,
        "speedup_batch_vs_forrel": forrel_ms * 1e3 / batch_us,
        "speedup_general_vs_forrel": forrel_ms / (1e3 * general_s / N_GENERAL),
        "max_rel_diff_scorer_vs_general": worst_vs_general,
        "max_rel_diff_batch_vs_single": worst_batch,
        "true_child_median_log10_lr": float(np.median(np.log10(np.maximum(totals[0::2], 1e-300)))),
        "unrelated_median_log10_lr": float(np.median(np.log10(np.maximum(totals[1::2], 1e-300)))),
    }


def main() -> None:
    rng = np.random.default_rng(20261129)
    rows = [run_setting("no_mutation", False, rng), run_setting("proportional_0.001", True, rng)]
    header = (
        f"{'setting':20s} {'single us':>10s} {'x forrel':>9s} {'batch us':>9s} {'x forrel':>9s} "
        f"{'general ms':>10s} {'x forrel':>9s} {'build ms':>9s} {'max diff':>9s}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['setting']:20s} {r['single_pair_us']:10.1f} {r['speedup_single_vs_forrel']:9.0f} "
            f"{r['batch_us_per_pair']:9.2f} {r['speedup_batch_vs_forrel']:9.0f} "
            f"{r['general_path_ms_per_pair']:10.2f} {r['speedup_general_vs_forrel']:9.1f} "
            f"{r['build_structure_ms']:9.0f} {r['max_rel_diff_scorer_vs_general']:9.1e}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "dna_exact",
                "forrel_source": "../shared/oracle/timings.json a_single_reference_parent_child_1000_pairs",
                "rows": rows,
            },
            indent=1,
        )
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
