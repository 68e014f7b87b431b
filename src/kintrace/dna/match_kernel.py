"""Numba kernels that score profiles x families by table lookups (see ``lr_table`` for the tables).

A pair's LR is the product over markers of ``ratio[family, slot[marker, profile]]``; a marker the
profile lacks points at a slot holding 1. Profiles are marker-major (``slots[m, p]``) so that the inner
loop over profiles is a contiguous gather the compiler can vectorise; each thread takes a chunk of
profiles and runs through every family of the block, so one family's table stays in L1 while a chunk
is scored against it.

``score_block`` writes every figure of every pair (for tests, small jobs and the exact comparison);
``scan_block`` is the streaming path: it keeps only the top k per profile and per family and the pairs
at or above a threshold, so memory does not grow with the number of pairs.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(nogil=True, cache=True)
def _details(
    slots: np.ndarray, p: int, inconsistent_row: np.ndarray, typed_row: np.ndarray, untyped: np.ndarray
) -> tuple[int, int]:
    """Markers compared (typed in the profile and in some reference) and markers inconsistent."""
    compared = 0
    bad = 0
    for m in range(slots.shape[0]):
        s = slots[m, p]
        if s != untyped[m] and typed_row[m]:
            compared += 1
        if inconsistent_row[s]:
            bad += 1
    return compared, bad


@njit(parallel=True, nogil=True, cache=True)
def score_block(
    slots: np.ndarray,
    ratio: np.ndarray,
    inconsistent: np.ndarray,
    typed: np.ndarray,
    untyped: np.ndarray,
    lr: np.ndarray,
    log10_lr: np.ndarray,
    compared: np.ndarray,
    n_inconsistent: np.ndarray,
) -> None:
    """Every pair of a block: outputs are (n_families, n_profiles)."""
    n_markers, n_prof = slots.shape
    n_fam = ratio.shape[0]
    for p in prange(n_prof):
        for f in range(n_fam):
            row = ratio[f]
            v = 1.0
            for m in range(n_markers):
                v *= row[slots[m, p]]
            lr[f, p] = v
            log10_lr[f, p] = np.log10(v) if v > 0.0 else -np.inf
            c, b = _details(slots, p, inconsistent[f], typed[f], untyped)
            compared[f, p] = c
            n_inconsistent[f, p] = b


@njit(nogil=True, cache=True)
def _replace_min(
    values: np.ndarray,
    ids: np.ndarray,
    cmp: np.ndarray,
    bad: np.ndarray,
    v: float,
    ident: int,
    c: int,
    b: int,
) -> float:
    """Put (v, ident) in place of the smallest kept value; return the new smallest (the entry floor)."""
    # Among equal smallest values evict the latest id (ids grow in scan order): ties keep the earlier.
    worst = 0
    for j in range(1, values.shape[0]):
        if values[j] < values[worst] or (values[j] == values[worst] and ids[j] > ids[worst]):
            worst = j
    values[worst] = v
    ids[worst] = ident
    cmp[worst] = c
    bad[worst] = b
    floor = values[0]
    for j in range(1, values.shape[0]):
        if values[j] < floor:
            floor = values[j]
    return floor


@njit(parallel=True, nogil=True, cache=True)
def scan_block(
    slots: np.ndarray,
    ratio: np.ndarray,
    inconsistent: np.ndarray,
    typed: np.ndarray,
    untyped: np.ndarray,
    family_base: int,
    chunk: int,
    collect_top: bool,
    prof_lr: np.ndarray,
    prof_fam: np.ndarray,
    prof_cmp: np.ndarray,
    prof_bad: np.ndarray,
    prof_floor: np.ndarray,
    fam_lr: np.ndarray,
    fam_prof: np.ndarray,
    fam_cmp: np.ndarray,
    fam_bad: np.ndarray,
    min_lr: float,
    hit_prof: np.ndarray,
    hit_fam: np.ndarray,
    hit_lr: np.ndarray,
    hit_cmp: np.ndarray,
    hit_bad: np.ndarray,
    hit_count: np.ndarray,
) -> None:
    """Score a block of families against all profiles, keeping the best pairs.

    Per profile p (state carried across blocks): ``prof_*[p, :k]`` with ``prof_floor[p]`` its smallest
    LR (entry needs a strictly larger LR, so LR 0 never enters and ties keep the earlier family).
    Per chunk c and family f of this block: ``fam_*[c, f, :k]``, merged by the caller. Pairs with
    ``LR >= min_lr`` go to ``hit_*[c, :]``; ``hit_count[c]`` counts them all, stored or not.
    """
    n_markers, n_prof = slots.shape
    n_fam = ratio.shape[0]
    n_chunks = (n_prof + chunk - 1) // chunk
    k = fam_lr.shape[2]
    cap = hit_prof.shape[1]
    for c in prange(n_chunks):
        p0 = c * chunk
        p1 = min(p0 + chunk, n_prof)
        n = p1 - p0
        acc = np.empty(n)
        count = 0
        for f in range(n_fam):
            row = ratio[f]
            s0 = slots[0]
            for i in range(n):
                acc[i] = row[s0[p0 + i]]
            for m in range(1, n_markers):
                sm = slots[m]
                for i in range(n):
                    acc[i] *= row[sm[p0 + i]]
            fam_floor = 0.0
            if collect_top:
                fam_floor = fam_lr[c, f, 0]
                for j in range(1, k):
                    if fam_lr[c, f, j] < fam_floor:
                        fam_floor = fam_lr[c, f, j]
            for i in range(n):
                v = acc[i]
                if collect_top and (v > prof_floor[p0 + i] or v > fam_floor):
                    p = p0 + i
                    cc, bb = _details(slots, p, inconsistent[f], typed[f], untyped)
                    if v > prof_floor[p]:
                        prof_floor[p] = _replace_min(
                            prof_lr[p], prof_fam[p], prof_cmp[p], prof_bad[p], v, family_base + f, cc, bb
                        )
                    if v > fam_floor:
                        fam_floor = _replace_min(
                            fam_lr[c, f], fam_prof[c, f], fam_cmp[c, f], fam_bad[c, f], v, p, cc, bb
                        )
                if v >= min_lr:
                    if count < cap:
                        p = p0 + i
                        cc, bb = _details(slots, p, inconsistent[f], typed[f], untyped)
                        hit_prof[c, count] = p
                        hit_fam[c, count] = family_base + f
                        hit_lr[c, count] = v
                        hit_cmp[c, count] = cc
                        hit_bad[c, count] = bb
                    count += 1
        hit_count[c] = count


def score_block_numpy(slots: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """The plain NumPy baseline: a vectorised gather and product, (n_families, n_profiles) LRs."""
    return np.prod(ratio[:, slots], axis=1)
