"""Numba kernels that score profiles x families by table lookups (see ``lr_table`` for the tables).

A pair's LR is the product over markers of ``ratio[family, slot[marker, profile]]``; a marker the
profile lacks points at a slot holding 1. Two layouts of a block's tables:

- rows (``scan_block``): one family's row after another; profiles are marker-major (``slots[m, p]``),
  sorted by their marker-0 slot, and each pair is dropped at its first excluding marker (LR 0). Best
  for families whose references exclude most unrelated people within a marker or two (parents, a
  child): most pairs cost one or two lookups.
- tiles (``tile_tables``, ``scan_tiles``): TILE families side by side, ``tiles[t, slot, lane]``;
  scoring a profile against a tile is one contiguous TILE-wide load and multiply per marker (vector
  instructions, no gather), whatever the pedigree shape. Best where pairs are rarely excluded (a
  grandfather and an uncle never exclude; a mutation model makes no pair exactly 0), where the rows
  layout looks up every marker of every pair one at a time.

Both multiply the markers in the same order, so the LRs are bit for bit equal; ``match.match_all``
(``kernel="auto"``) gives each family the layout where it is faster (``expected_lookups``).

``score_block`` writes every figure of every pair (for tests, small jobs and the exact comparison);
``scan_block`` and ``scan_tiles`` are the streaming path: they keep only the top k per profile and per
family and the pairs at or above a threshold, so memory does not grow with the number of pairs.
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
def _worst(values: np.ndarray, ids: np.ndarray) -> int:
    """Position of the entry to evict: the smallest value, among equal values the largest id."""
    worst = 0
    for j in range(1, values.shape[0]):
        if values[j] < values[worst] or (values[j] == values[worst] and ids[j] > ids[worst]):
            worst = j
    return worst


@njit(nogil=True, cache=True)
def _beats(v: float, ident: int, values: np.ndarray, ids: np.ndarray, worst: int) -> bool:
    """Does (v, ident) outrank the worst kept entry? Higher LR first, then the smaller id."""
    w = values[worst]
    return v > w or (v == w and ids[worst] >= 0 and ident < ids[worst])


@njit(nogil=True, cache=True)
def _put(
    values: np.ndarray,
    ids: np.ndarray,
    cmp: np.ndarray,
    bad: np.ndarray,
    at: int,
    v: float,
    ident: int,
    c: int,
    b: int,
) -> int:
    """Overwrite entry ``at``; return the new worst position."""
    values[at] = v
    ids[at] = ident
    cmp[at] = c
    bad[at] = b
    return _worst(values, ids)


@njit(parallel=True, nogil=True, cache=True)
def scan_block(
    slots: np.ndarray,
    original: np.ndarray,
    run_start: np.ndarray,
    chunk_runs: np.ndarray,
    ratio: np.ndarray,
    inconsistent: np.ndarray,
    typed: np.ndarray,
    untyped: np.ndarray,
    family_base: int,
    fams: np.ndarray,
    collect_top: bool,
    prof_lr: np.ndarray,
    prof_fam: np.ndarray,
    prof_cmp: np.ndarray,
    prof_bad: np.ndarray,
    prof_worst: np.ndarray,
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
    """Score the families ``fams`` (positions) of a block against all profiles, keeping the best pairs.

    Profiles come sorted by their slot at marker 0 (``slots[:, p]`` is profile ``original[p]`` of the
    caller); ``run_start[r]:run_start[r + 1]`` is a run of equal marker-0 slots and chunk c (one
    thread's task) owns runs ``chunk_runs[c]:chunk_runs[c + 1]``. Per profile p (carried across
    blocks): ``prof_*[p, :k]``, ``prof_worst[p]`` the entry to evict next. Per chunk c and family f of
    this block: ``fam_*[c, f, :k]`` (ids are original profile indices), merged by the caller. Pairs with
    ``LR >= min_lr`` go to ``hit_*[c, :]``; ``hit_count[c]`` counts them all, stored or not. Only pairs
    with LR > 0 are ranked.
    """
    n_markers = slots.shape[0]
    n_chunks = chunk_runs.shape[0] - 1
    cap = hit_prof.shape[1]
    for c in prange(n_chunks):
        r0 = chunk_runs[c]
        r1 = chunk_runs[c + 1]
        n = run_start[r1] - run_start[r0]
        acc = np.empty(n)
        alive = np.empty(n, dtype=np.int64)
        count = 0
        for fi in range(fams.shape[0]):
            f = fams[fi]
            row = ratio[f]
            # A marker that excludes a pair makes its LR exactly 0 whatever the other markers say
            # (ratios are finite), and unrelated people are excluded often. So whole runs of profiles
            # sharing an excluded marker-0 genotype are skipped at once, and only pairs still non-zero
            # go on to the next marker: most pairs cost a lookup or two instead of one per marker.
            n_alive = 0
            for r in range(r0, r1):
                v0 = row[slots[0, run_start[r]]]
                if v0 != 0.0:
                    for p in range(run_start[r], run_start[r + 1]):
                        acc[n_alive] = v0
                        alive[n_alive] = p
                        n_alive += 1
            for m in range(1, n_markers):
                if n_alive == 0:
                    break
                sm = slots[m]
                kept = 0
                for j in range(n_alive):
                    p = alive[j]
                    v = acc[j] * row[sm[p]]
                    acc[kept] = v
                    alive[kept] = p
                    kept += v != 0.0
                n_alive = kept
            fam_worst = 0
            if collect_top:
                fam_worst = _worst(fam_lr[c, f], fam_prof[c, f])
            for j in range(n_alive):
                v = acc[j]
                p = alive[j]
                orig = original[p]
                fam_id = family_base + f
                if collect_top:
                    better_p = _beats(v, fam_id, prof_lr[p], prof_fam[p], prof_worst[p])
                    better_f = _beats(v, orig, fam_lr[c, f], fam_prof[c, f], fam_worst)
                    if better_p or better_f:
                        cc, bb = _details(slots, p, inconsistent[f], typed[f], untyped)
                        if better_p:
                            prof_worst[p] = _put(
                                prof_lr[p],
                                prof_fam[p],
                                prof_cmp[p],
                                prof_bad[p],
                                prof_worst[p],
                                v,
                                fam_id,
                                cc,
                                bb,
                            )
                        if better_f:
                            fam_worst = _put(
                                fam_lr[c, f],
                                fam_prof[c, f],
                                fam_cmp[c, f],
                                fam_bad[c, f],
                                fam_worst,
                                v,
                                orig,
                                cc,
                                bb,
                            )
                if v >= min_lr:
                    if count < cap:
                        cc, bb = _details(slots, p, inconsistent[f], typed[f], untyped)
                        hit_prof[c, count] = orig
                        hit_fam[c, count] = fam_id
                        hit_lr[c, count] = v
                        hit_cmp[c, count] = cc
                        hit_bad[c, count] = bb
                    count += 1
        hit_count[c] = count


def score_block_numpy(slots: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """The plain NumPy baseline: a vectorised gather and product, (n_families, n_profiles) LRs."""
    return np.prod(ratio[:, slots], axis=1)


# The family-minor layout ("tiles"): TILE families side by side, ``tiles[t, slot, j]`` is family
# ``order[t * TILE + j]``'s ratio at ``slot``. Scoring one profile against a tile is then one contiguous
# TILE-wide load and multiply per marker (vector instructions, no gather), whatever the pedigree shape
# and whether or not its references can exclude anyone; a tile (slots x TILE x 8 bytes, ~2.6 MB for 23
# markers) stays in the L2/L3 caches while a chunk of profiles streams through it. (64 lanes: 1.2-1.3x
# fewer CPU seconds than 32 on the mix with mutation, 2x fewer than 16; 128 about as 64.)
TILE = 64
_TINY = 5e-324  # the smallest positive double: ``v >= _TINY`` is ``v > 0``


@njit(parallel=True, nogil=True, cache=True)
def expected_lookups(ratio: np.ndarray, sample: np.ndarray, cap: float) -> np.ndarray:
    """Per family row: the markers ``scan_block`` looks up for a pair, on average over the ``sample``
    profiles (``(n, n_markers)`` slots), before a marker excludes it: 1 for a family that excludes
    everyone at the first marker, the number of markers for one that excludes no one. Counting stops
    once the average passes ``cap``."""
    n_fam = ratio.shape[0]
    n, n_markers = sample.shape
    out = np.empty(n_fam)
    for f in prange(n_fam):
        row = ratio[f]
        total = 0
        for i in range(n):
            for m in range(n_markers):
                total += 1
                if row[sample[i, m]] == 0.0:
                    break
            if total > cap * n:
                break
        out[f] = total / max(n, 1)
    return out


@njit(parallel=True, nogil=True, cache=True)
def tile_tables(ratio: np.ndarray, order: np.ndarray, out: np.ndarray) -> None:
    """Family rows ``ratio[order]`` (``order``: some or all of the block's rows) in the tile layout into
    ``out`` (``(n_tiles, size, TILE)``, reused from block to block: fresh pages cost more than the
    copy); lanes past the last family hold 0."""
    n_fam, size = order.shape[0], ratio.shape[1]
    for t in prange(out.shape[0]):
        width = min(TILE, n_fam - t * TILE)
        # 64 slots of every lane at a time: short runs read from each row, whole lines written
        # (3-4x faster than one lane's whole row at a time).
        for s0 in range(0, size, 64):
            s1 = min(size, s0 + 64)
            for j in range(TILE):
                if j < width:
                    row = ratio[order[t * TILE + j]]
                    for s in range(s0, s1):
                        out[t, s, j] = row[s]
                else:
                    for s in range(s0, s1):
                        out[t, s, j] = 0.0


@njit(parallel=True, nogil=True, cache=True)
def scan_tiles(
    prof_slots: np.ndarray,
    slots: np.ndarray,
    original: np.ndarray,
    chunk_start: np.ndarray,
    tiles: np.ndarray,
    order: np.ndarray,
    inconsistent: np.ndarray,
    typed: np.ndarray,
    untyped: np.ndarray,
    family_base: int,
    collect_top: bool,
    prof_lr: np.ndarray,
    prof_fam: np.ndarray,
    prof_cmp: np.ndarray,
    prof_bad: np.ndarray,
    prof_worst: np.ndarray,
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
    """``scan_block`` over the tile layout (``tile_tables``): the same pairs kept, the same figures.

    ``prof_slots[p, m]`` is ``slots[m, p]`` (profile-major copy: one profile's slots are contiguous);
    chunk c owns profiles ``chunk_start[c]:chunk_start[c + 1]``; ``fam_*[c, f]`` are indexed by the
    family's position in the block (``order[t * TILE + j]``), as in ``scan_block``. A pair's LR is the
    same product in the same order as in ``scan_block``, so the values are bit for bit equal.
    """
    n_markers = prof_slots.shape[1]
    n_fam = order.shape[0]
    n_tiles = tiles.shape[0]
    n_chunks = chunk_start.shape[0] - 1
    cap = hit_prof.shape[1]
    lanes = tiles.shape[2]
    for c in prange(n_chunks):
        acc = np.empty(TILE)
        lim = np.empty(TILE)  # per lane: the smallest LR that may enter the family's top k or the hits
        floor = np.empty(TILE)
        fam_worst = np.zeros(TILE, dtype=np.int64)
        count = 0
        for step in range(n_tiles):
            # Chunks start at different tiles, so that most of a chunk's tiles have been scanned by
            # another chunk before (``floor`` below); the kept pairs do not depend on the order.
            t = (step + c * n_tiles // n_chunks) % n_tiles
            tab = tiles[t]
            width = min(TILE, n_fam - t * TILE)
            for j in range(TILE):
                lim[j] = min_lr
                floor[j] = 0.0
                if j < width and collect_top:
                    f = order[t * TILE + j]
                    fam_worst[j] = _worst(fam_lr[c, f], fam_prof[c, f])
                    # The k-th best of the family in any chunk already scanned (or being scanned: its
                    # values only grow, each from a different profile) bounds the family's final
                    # top k from below: a pair under it cannot enter, whatever chunk it is in.
                    for c2 in range(n_chunks):
                        floor[j] = max(floor[j], fam_lr[c2, f].min())
                    lim[j] = min(max(fam_lr[c, f, fam_worst[j]], floor[j]), min_lr)
            for p in range(chunk_start[c], chunk_start[c + 1]):
                ps = prof_slots[p]
                s = ps[0]
                # Loops to the run-time ``lanes``, not the constant TILE: LLVM vectorises those (and
                # does not vectorise a loop it has unrolled). Four markers per pass keep the product
                # in registers for longer; ``acc * a * b * e * g`` multiplies in the same order as
                # one marker at a time, so the LRs are bit for bit those of ``scan_block``.
                for j in range(lanes):
                    acc[j] = tab[s, j]
                m = 1
                n_alive = lanes
                while m + 4 <= n_markers and n_alive * 16 > lanes:
                    a, b, e, g = ps[m], ps[m + 1], ps[m + 2], ps[m + 3]
                    n_alive = 0
                    for j in range(lanes):
                        v = acc[j] * tab[a, j] * tab[b, j] * tab[e, j] * tab[g, j]
                        acc[j] = v
                        n_alive += v != 0.0
                    m += 4
                if n_alive * 16 <= lanes:
                    # Few families left that do not exclude the profile (families whose references
                    # exclude, parents or a child, are grouped into the same tiles): finish those
                    # lanes one by one, each stopping at its first excluding marker.
                    if n_alive:
                        for j in range(lanes):
                            v = acc[j]
                            if v != 0.0:
                                for k in range(m, n_markers):
                                    v *= tab[ps[k], j]
                                    if v == 0.0:
                                        break
                                acc[j] = v
                else:
                    while m < n_markers:
                        a = ps[m]
                        for j in range(lanes):
                            acc[j] *= tab[a, j]
                        m += 1
                pw = prof_lr[p, prof_worst[p]] if collect_top else np.inf
                # One vector test per profile and tile; the exact rules (ties, ids) only for lanes
                # that may pass them.
                hit = False
                for j in range(lanes):
                    hit |= acc[j] >= max(min(lim[j], pw), _TINY)
                if not hit:
                    continue
                orig = original[p]
                for j in range(width):
                    v = acc[j]
                    if not v >= max(min(lim[j], pw), _TINY):
                        continue
                    f = order[t * TILE + j]
                    fam_id = family_base + f
                    if collect_top:
                        better_p = _beats(v, fam_id, prof_lr[p], prof_fam[p], prof_worst[p])
                        better_f = _beats(v, orig, fam_lr[c, f], fam_prof[c, f], fam_worst[j])
                        # Markers compared and inconsistent: filled in by ``fill_details`` for the
                        # entries still kept after the block (most entries are evicted again).
                        if better_p:
                            prof_worst[p] = _put(
                                prof_lr[p], prof_fam[p], prof_cmp[p], prof_bad[p], prof_worst[p],
                                v, fam_id, -1, -1,
                            )  # fmt: skip
                            pw = prof_lr[p, prof_worst[p]]
                        if better_f:
                            fam_worst[j] = _put(
                                fam_lr[c, f], fam_prof[c, f], fam_cmp[c, f], fam_bad[c, f], fam_worst[j],
                                v, orig, -1, -1,
                            )  # fmt: skip
                            lim[j] = min(max(fam_lr[c, f, fam_worst[j]], floor[j]), min_lr)
                    if v >= min_lr:
                        if count < cap:
                            cc, bb = _details(slots, p, inconsistent[f], typed[f], untyped)
                            hit_prof[c, count] = orig
                            hit_fam[c, count] = fam_id
                            hit_lr[c, count] = v
                            hit_cmp[c, count] = cc
                            hit_bad[c, count] = bb
                        count += 1
        hit_count[c] = count


@njit(parallel=True, nogil=True, cache=True)
def fill_details(
    slots: np.ndarray,
    inconsistent: np.ndarray,
    typed: np.ndarray,
    untyped: np.ndarray,
    family_base: int,
    prof_fam: np.ndarray,
    prof_cmp: np.ndarray,
    prof_bad: np.ndarray,
) -> None:
    """Markers compared and inconsistent of the profiles' top-k entries ``scan_tiles`` left at -1
    (``prof_*[p]``, p in sorted order) whose family is in this block."""
    n_fam = inconsistent.shape[0]
    k = prof_fam.shape[1]
    for p in prange(prof_fam.shape[0]):
        for i in range(k):
            f = prof_fam[p, i] - family_base
            if prof_cmp[p, i] < 0 and 0 <= f < n_fam:
                prof_cmp[p, i], prof_bad[p, i] = _details(slots, p, inconsistent[f], typed[f], untyped)


@njit(nogil=True, cache=True)
def pair_details(
    slots: np.ndarray,
    prof: np.ndarray,
    fam: np.ndarray,
    inconsistent: np.ndarray,
    typed: np.ndarray,
    untyped: np.ndarray,
    cmp: np.ndarray,
    bad: np.ndarray,
) -> None:
    """Markers compared and inconsistent of pairs (``prof``: sorted profile positions, ``fam``:
    positions in the block) whose ``cmp`` is -1, in place."""
    for i in range(prof.shape[0]):
        if cmp[i] < 0:
            cmp[i], bad[i] = _details(slots, prof[i], inconsistent[fam[i]], typed[fam[i]], untyped)
