"""The baseline for `bench_dna_match_e2e`: what a competent analyst would write with NumPy and pandas.

Reads the same two CSV files as `kintrace dna match` (profiles in the long layout, single-parent
pedigrees), computes the textbook parent-child LR of every profile against every family, marker by
marker, vectorised over a block of families x all profiles, keeps the top 10 families per profile,
the top 10 profiles per family and every pair with LR >= 1e4, and writes them as CSV.

    python benchmarks/dna_match_numpy_baseline.py PROFILES PEDIGREES FREQS OUT
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

TOP_K = 10
THRESHOLD = 1e4
BLOCK = 256  # families per block: a block's LR matrix is BLOCK x profiles floats


def main(profiles_csv: str, pedigrees_csv: str, freqs_csv: str, out_csv: str) -> None:
    freqs = pd.read_csv(freqs_csv, dtype={"marker": str, "allele": str})
    markers = list(dict.fromkeys(freqs["marker"]))
    prof = pd.read_csv(profiles_csv, dtype=str)
    ped = pd.read_csv(pedigrees_csv, dtype=str, keep_default_na=False)

    typed = ped[ped["sample_id"] != ""]
    family_ids = typed["family_id"].to_numpy()
    ref_samples = typed["sample_id"].to_numpy()
    unknown = np.setdiff1d(prof["sample_id"].unique(), ref_samples)
    samples = pd.Index(np.concatenate([ref_samples, unknown]))
    n_ref = len(ref_samples)

    # allele indices per sample and marker: (samples, markers, 2)
    alleles = np.full((len(samples), len(markers), 2), -1)
    p_of = []
    for m, name in enumerate(markers):
        table = freqs[freqs["marker"] == name]
        index = pd.Index(table["allele"])
        p_of.append(table["frequency"].to_numpy())
        rows = prof[prof["marker"] == name]
        at = samples.get_indexer(rows["sample_id"])
        alleles[at, m, 0] = index.get_indexer(rows["allele1"])
        alleles[at, m, 1] = index.get_indexer(rows["allele2"])
    fathers = alleles[:n_ref]
    children = alleles[n_ref:]

    best_p_lr = np.zeros((len(unknown), 0))
    best_p_fam = np.zeros((len(unknown), 0), dtype=int)
    out_rows = []
    for start in range(0, n_ref, BLOCK):
        fa = fathers[start : start + BLOCK]
        lr = np.ones((len(fa), len(unknown)))
        for m in range(len(markers)):
            p = p_of[m]
            a, b = fa[:, m, 0][:, None], fa[:, m, 1][:, None]
            c, d = children[:, m, 0][None, :], children[:, m, 1][None, :]
            t_c = ((a == c).astype(float) + (b == c)) / 2
            t_d = ((a == d).astype(float) + (b == d)) / 2
            hom = c == d
            num = np.where(hom, t_c * p[c], t_c * p[d] + t_d * p[c])
            den = np.where(hom, p[c] ** 2, 2 * p[c] * p[d])
            lr *= num / den
        # top k profiles of each family of the block, and pairs over the threshold
        top = np.argsort(-lr, axis=1)[:, :TOP_K]
        for f in range(len(fa)):
            for r, q in enumerate(top[f], start=1):
                if lr[f, q] > 0:
                    out_rows.append((unknown[q], family_ids[start + f], lr[f, q], "", r))
        f_hit, q_hit = np.nonzero(lr >= THRESHOLD)
        for f, q in zip(f_hit, q_hit, strict=True):
            out_rows.append((unknown[q], family_ids[start + f], lr[f, q], "", ""))
        # running top k families of each profile
        cand_lr = np.concatenate([best_p_lr, lr.T], axis=1)
        cand_fam = np.concatenate(
            [best_p_fam, np.broadcast_to(np.arange(start, start + len(fa)), lr.T.shape)], axis=1
        )
        keep = np.argsort(-cand_lr, axis=1)[:, :TOP_K]
        best_p_lr = np.take_along_axis(cand_lr, keep, axis=1)
        best_p_fam = np.take_along_axis(cand_fam, keep, axis=1)
    for q in range(len(unknown)):
        for r in range(best_p_lr.shape[1]):
            if best_p_lr[q, r] > 0:
                out_rows.append((unknown[q], family_ids[best_p_fam[q, r]], best_p_lr[q, r], r + 1, ""))
    table = pd.DataFrame(
        out_rows, columns=["sample_id", "family_id", "LR", "rank_in_profile", "rank_in_family"]
    )
    table["log10_LR"] = np.log10(table["LR"])
    table.sort_values("LR", ascending=False).to_csv(out_csv, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:5])
