"""The baseline for `bench_dna_match_e2e`: what a competent analyst would write with NumPy and pandas.

Reads the same two CSV files as `kintrace dna match` (profiles in the long layout, single-parent
pedigrees); for a block of families computes, per marker, the textbook parent-child LR of every
ordered child genotype (c, d) and scores the block against all profiles with one gather and product
per marker; keeps the top 10 families per profile, the top 10 profiles per family and every pair
with LR >= 1e4, and writes them as CSV.

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

    def lr_tables(fa: np.ndarray, m: int) -> np.ndarray:
        """(families, n*n): the parent-child LR of each ordered child genotype (c, d) at marker m."""
        p = p_of[m]
        n = len(p)
        x = np.arange(n)
        a, b = fa[:, m, 0][:, None], fa[:, m, 1][:, None]
        t = ((a == x).astype(float) + (b == x)) / 2  # P(father transmits x)
        hom = np.eye(n, dtype=bool)
        num = np.where(hom, t[:, :, None] * p[None, None, :], t[:, :, None] * p + t[:, None, :] * p[:, None])
        den = np.where(hom, p[:, None] ** 2, 2 * np.outer(p, p))
        return (num / den).reshape(len(fa), n * n)

    child_codes = [children[:, m, 0] * len(p_of[m]) + children[:, m, 1] for m in range(len(markers))]

    best_p_lr = np.zeros((len(unknown), 0))
    best_p_fam = np.zeros((len(unknown), 0), dtype=int)
    out_rows = []
    for start in range(0, n_ref, BLOCK):
        stop = min(start + BLOCK, n_ref)
        lr = np.ones((stop - start, len(unknown)))
        for m in range(len(markers)):
            lr *= lr_tables(fathers[start:stop], m)[:, child_codes[m]]
        # top k profiles of each family of the block, and pairs over the threshold
        top = np.argpartition(-lr, TOP_K, axis=1)[:, :TOP_K]
        for f in range(stop - start):
            order = top[f][np.argsort(-lr[f, top[f]])]
            for r, q in enumerate(order, start=1):
                if lr[f, q] > 0:
                    out_rows.append((unknown[q], family_ids[start + f], lr[f, q], "", r))
        f_hit, q_hit = np.nonzero(lr >= THRESHOLD)
        for f, q in zip(f_hit, q_hit, strict=True):
            out_rows.append((unknown[q], family_ids[start + f], lr[f, q], "", ""))
        # running top k families of each profile
        cand_lr = np.concatenate([best_p_lr, lr.T], axis=1)
        fams = np.broadcast_to(np.arange(start, stop), lr.T.shape)
        cand_fam = np.concatenate([best_p_fam, fams], axis=1)
        keep = np.argpartition(-cand_lr, TOP_K, axis=1)[:, :TOP_K]
        best_p_lr = np.take_along_axis(cand_lr, keep, axis=1)
        best_p_fam = np.take_along_axis(cand_fam, keep, axis=1)
    order = np.argsort(-best_p_lr, axis=1)
    best_p_lr = np.take_along_axis(best_p_lr, order, axis=1)
    best_p_fam = np.take_along_axis(best_p_fam, order, axis=1)
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
