"""All-against-all matching with bounded memory: top k per profile and per family, and threshold hits.

The caller hands over family tables block by block (``lr_table.build_tables``); each block is scanned
against every profile by ``match_kernel.scan_block`` and then dropped. What stays is O(profiles x k +
families x k + kept hits), whatever the number of pairs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numba
import numpy as np

from kintrace.dna.lr_table import SlotLayout, TableBlock
from kintrace.dna.match_kernel import scan_block

MAX_CHUNK = 16384  # profiles per thread task
HIT_BUFFER = 4096  # threshold hits per chunk and block before the block is rescanned for hits only


@dataclass(frozen=True)
class Match:
    """One kept pair. Ranks are within the kept top k (None: kept only for passing the threshold)."""

    sample_id: str
    family_id: str
    lr: float
    markers_compared: int
    markers_inconsistent: int
    rank_in_profile: int | None
    rank_in_family: int | None

    @property
    def log10_lr(self) -> float:
        return math.log10(self.lr) if self.lr > 0 else -math.inf


@dataclass
class MatchResult:
    matches: list[Match]
    n_pairs: int
    n_above_threshold: int
    n_above_threshold_dropped: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Pair:
    lr: float
    compared: int
    bad: int
    rank_profile: int | None = None
    rank_family: int | None = None


def _chunk_size(n_prof: int) -> int:
    threads = max(1, numba.get_num_threads())
    # Big chunks: each (family, chunk) task first pulls the family's table into cache, so that cost is
    # spread over many profiles; a few chunks per thread keep the threads evenly loaded.
    return max(256, min(MAX_CHUNK, -(-n_prof // (2 * threads))))


def _runs(first_slots: np.ndarray, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """Run starts of equal sorted marker-0 slots (chunk bounds cut runs) and each chunk's first run."""
    n = first_slots.size
    cuts = np.zeros(n, dtype=bool)
    if n:
        cuts[0] = True
        cuts[1:] = first_slots[1:] != first_slots[:-1]
        cuts[::chunk] = True
    run_start = np.append(np.flatnonzero(cuts), n).astype(np.int64)
    chunk_first = np.searchsorted(run_start, np.arange(0, n, chunk))
    chunk_runs = np.append(chunk_first, run_start.size - 1).astype(np.int64)
    return run_start, chunk_runs


def match_all(
    sample_ids: Sequence[str],
    slots: np.ndarray,
    layout: SlotLayout,
    blocks: Iterable[TableBlock],
    *,
    top_k: int = 10,
    threshold: float = 1e4,
    max_hits: int = 1_000_000,
    on_block: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> MatchResult:
    """Score every profile (``slots`` from ``layout.encode``) against every family of ``blocks``.

    Keeps the ``top_k`` families of each profile and profiles of each family (LR > 0 only) and every
    pair with LR >= ``threshold``, at most ``max_hits`` of those (the rest are counted, and a warning
    says so). ``on_block(n_families)`` is called after each block (progress bars). ``chunk``: profiles
    per thread task (default: sized to the thread count).
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    if not threshold > 0:
        raise ValueError("threshold must be positive")
    n_prof = slots.shape[1]
    # Profiles sorted by their marker-0 genotype, so the kernel can skip excluded runs of them.
    original = np.argsort(slots[0], kind="stable").astype(np.int64) if n_prof else np.zeros(0, np.int64)
    slots = np.ascontiguousarray(np.asarray(slots, dtype=np.int32)[:, original])
    untyped = np.array([layout.untyped_slot(m) for m in range(len(layout.markers))], dtype=np.int32)
    chunk = _chunk_size(n_prof) if chunk is None else max(1, chunk)
    run_start, chunk_runs = _runs(slots[0], chunk)
    n_chunks = max(1, chunk_runs.size - 1)

    prof_lr = np.zeros((n_prof, top_k))
    prof_fam = np.full((n_prof, top_k), -1, dtype=np.int64)
    prof_cmp = np.zeros((n_prof, top_k), dtype=np.int32)
    prof_bad = np.zeros((n_prof, top_k), dtype=np.int32)
    prof_worst = np.zeros(n_prof, dtype=np.int64)

    family_ids: list[str] = []
    family_best: list[tuple[int, int, _Pair]] = []  # (family, profile, pair), ranked
    hits: dict[tuple[int, int], _Pair] = {}
    n_hits = 0
    n_dropped = 0
    n_pairs = 0

    for block in blocks:
        n_fam = len(block.family_ids)
        base = len(family_ids)
        family_ids.extend(block.family_ids)
        if n_fam == 0:
            continue
        ratio = np.ascontiguousarray(block.ratio)
        inconsistent = np.ascontiguousarray(block.inconsistent)
        typed = np.ascontiguousarray(block.typed)
        if n_prof > 0:
            fam_lr = np.zeros((n_chunks, n_fam, top_k))
            fam_prof = np.full((n_chunks, n_fam, top_k), -1, dtype=np.int64)
            fam_cmp = np.zeros((n_chunks, n_fam, top_k), dtype=np.int32)
            fam_bad = np.zeros((n_chunks, n_fam, top_k), dtype=np.int32)
            collect_top = True
            hit_cap = HIT_BUFFER
            while True:
                hit_prof = np.empty((n_chunks, hit_cap), dtype=np.int64)
                hit_fam = np.empty((n_chunks, hit_cap), dtype=np.int64)
                hit_lr = np.empty((n_chunks, hit_cap))
                hit_cmp = np.empty((n_chunks, hit_cap), dtype=np.int32)
                hit_bad = np.empty((n_chunks, hit_cap), dtype=np.int32)
                hit_count = np.zeros(n_chunks, dtype=np.int64)
                scan_block(
                    slots, original, run_start, chunk_runs, ratio, inconsistent, typed, untyped, base,
                    collect_top, prof_lr, prof_fam, prof_cmp, prof_bad, prof_worst,
                    fam_lr, fam_prof, fam_cmp, fam_bad,
                    threshold, hit_prof, hit_fam, hit_lr, hit_cmp, hit_bad, hit_count,
                )  # fmt: skip
                collect_top = False
                most = int(hit_count.max())
                room = max_hits - n_hits
                # A chunk overflowed its buffer: rescan this block for hits only, with room for all
                # of them unless the global cap would be passed anyway.
                if most <= hit_cap or hit_cap >= room:
                    break
                hit_cap = min(room, most)
            for c in range(n_chunks):
                stored = min(int(hit_count[c]), hit_cap)
                for j in range(stored):
                    if n_hits >= max_hits:
                        n_dropped += 1
                        continue
                    key = (int(hit_prof[c, j]), int(hit_fam[c, j]))
                    hits[key] = _Pair(float(hit_lr[c, j]), int(hit_cmp[c, j]), int(hit_bad[c, j]))
                    n_hits += 1
                n_dropped += int(hit_count[c]) - stored
            _merge_family_top(fam_lr, fam_prof, fam_cmp, fam_bad, base, top_k, family_best)
        n_pairs += n_fam * n_prof
        if on_block is not None:
            on_block(n_fam)

    kept: dict[tuple[int, int], _Pair] = dict(hits)
    for p in range(n_prof):
        entries = [
            (float(prof_lr[p, j]), int(prof_fam[p, j]), j) for j in range(top_k) if prof_fam[p, j] >= 0
        ]
        entries.sort(key=lambda e: (-e[0], e[1]))
        q = int(original[p])
        for rank, (lr, f, j) in enumerate(entries, start=1):
            pair = kept.setdefault((q, f), _Pair(lr, int(prof_cmp[p, j]), int(prof_bad[p, j])))
            pair.rank_profile = rank
    for f, p, fam_pair in family_best:
        pair = kept.setdefault((p, f), fam_pair)
        pair.rank_family = fam_pair.rank_family

    matches = [
        Match(
            sample_ids[p],
            family_ids[f],
            pair.lr,
            pair.compared,
            pair.bad,
            pair.rank_profile,
            pair.rank_family,
        )
        for (p, f), pair in kept.items()
    ]
    matches.sort(key=lambda m: (-m.lr, m.sample_id, m.family_id))
    warnings = []
    if n_dropped:
        warnings.append(
            f"{n_hits + n_dropped} pairs reached LR >= {threshold:g}; only the first {n_hits} were kept "
            f"(cap {max_hits}). Raise the threshold or the cap to keep them all; "
            "the top-k lists are complete."
        )
    return MatchResult(matches, n_pairs, n_hits + n_dropped, n_dropped, warnings)


def _merge_family_top(
    fam_lr: np.ndarray,
    fam_prof: np.ndarray,
    fam_cmp: np.ndarray,
    fam_bad: np.ndarray,
    base: int,
    top_k: int,
    out: list[tuple[int, int, _Pair]],
) -> None:
    """Merge the per-chunk top k of each family of a block into its ranked top k."""
    n_chunks, n_fam, k = fam_lr.shape
    lr = fam_lr.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    prof = fam_prof.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    cmp = fam_cmp.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    bad = fam_bad.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    # Highest LR first; equal LRs by profile order, as the single-threaded scan would keep them.
    order = np.lexsort((np.where(prof < 0, np.iinfo(np.int64).max, prof), -lr), axis=-1)[:, :top_k]
    for f in range(n_fam):
        for rank, j in enumerate(order[f], start=1):
            if prof[f, j] < 0:
                break
            pair = _Pair(float(lr[f, j]), int(cmp[f, j]), int(bad[f, j]), rank_family=rank)
            out.append((base + f, int(prof[f, j]), pair))
