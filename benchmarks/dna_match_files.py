"""Synthetic input files for the end-to-end `kintrace dna match` benchmarks, in the documented layouts.

N single-parent families (father typed, child missing; pedigree CSV) and their N reference profiles
plus N unidentified profiles (profiles CSV, long or wide layout), 23 markers of the Norwegian table.
The first N/2 unidentified profiles are children of families 0..N/2-1, the rest unrelated.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from kintrace.dna.markers import load_frequency_table

HERE = Path(__file__).parent
FREQS = HERE / "data" / "freqs_norwegian_23.csv"


def write_files(
    folder: Path, n: int, *, n_unknown: int | None = None, layout: str = "long", seed: int = 2026
) -> tuple[Path, Path]:
    """Write ``pedigrees.csv`` (n families) and ``profiles.csv`` (n references and ``n_unknown``,
    default n, unidentified profiles) under ``folder``; return their paths."""
    n_unknown = n if n_unknown is None else n_unknown
    rng = np.random.default_rng(seed)
    markers = list(load_frequency_table(FREQS).values())
    folder.mkdir(parents=True, exist_ok=True)
    half = min(n, n_unknown) // 2
    fathers, children = [], []
    for m in markers:
        p = m.freqs / m.freqs.sum()
        fa = rng.choice(m.n_alleles, size=(n, 2), p=p)
        other = rng.choice(m.n_alleles, size=(max(n, n_unknown), 2), p=p)
        from_father = fa[np.arange(n), rng.integers(0, 2, n)]
        ch = other.copy()
        ch[:half, 0] = from_father[:half]  # children of the first families; the rest unrelated
        labels = np.array(m.alleles)
        fathers.append(labels[fa])
        children.append(labels[ch])
    ped = folder / "pedigrees.csv"
    with ped.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["family_id", "person_id", "father_id", "mother_id", "sex", "sample_id", "missing"])
        for i in range(n):
            fam = f"FAM{i:06d}"
            out.writerow([fam, "fa", "", "", "1", f"REF{i:06d}", ""])
            out.writerow([fam, "mo", "", "", "2", "", ""])
            out.writerow([fam, "ch", "fa", "mo", "1", "", "1"])
    prof = folder / "profiles.csv"
    samples = [(f"REF{i:06d}", fathers, i) for i in range(n)]
    samples += [(f"U{i:06d}", children, i) for i in range(n_unknown)]
    with prof.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        if layout == "long":
            out.writerow(["sample_id", "marker", "allele1", "allele2"])
            for sid, table, i in samples:
                for k, m in enumerate(markers):
                    out.writerow([sid, m.name, table[k][i, 0], table[k][i, 1]])
        else:
            out.writerow(["Sample Name"] + [f"{m.name} {j}" for m in markers for j in (1, 2)])
            for sid, table, i in samples:
                out.writerow([sid] + [table[k][i, j] for k in range(len(markers)) for j in (0, 1)])
    return ped, prof
