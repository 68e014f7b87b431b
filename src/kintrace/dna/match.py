"""All-against-all matching with bounded memory: top k per profile and per family, and threshold hits.

The caller hands over family tables block by block (``lr_table.build_tables``); each block is scanned
against every profile by ``match_kernel.scan_block`` and then dropped. What stays is O(profiles x k +
families x k + kept hits), whatever the number of pairs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

import numba
import numpy as np

from kintrace.dna.lr_table import SlotLayout, TableBlock
from kintrace.dna.match_kernel import (
    TILE,
    expected_lookups,
    fill_details,
    pair_details,
    scan_block,
    scan_tiles,
    tile_tables,
)

MAX_CHUNK = 16384  # profiles per thread task
# ``kernel="auto"``: families that exclude an average scanned profile within this many markers
# (``match_kernel.expected_lookups`` on LOOKUP_SAMPLE profiles; parents, a child: 1-2) are scored
# one row at a time (``scan_block`` drops each pair at its first excluding marker); the others (a
# grandfather and an uncle, any family under a mutation model: every marker) side by side in tiles
# (``scan_tiles``). Both give the same values, so the split changes only the speed.
ROW_KERNEL_MAX_MARKERS = 6.0
LOOKUP_SAMPLE = 32  # profiles the expected lookups are counted on
HIT_BUFFER = 4096  # threshold hits per chunk and block before the block is rescanned for hits only


class Match(NamedTuple):
    """One kept pair. Ranks are within the kept top k (None: kept only for passing the threshold).

    (A named tuple: hundreds of thousands of them are made per run, ~4x faster than a dataclass.)"""

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


class _Entries:
    """Kept pairs as columns: original profile index, family index, LR, markers compared and
    inconsistent, rank (0: none)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, *columns: np.ndarray) -> None:
        self.parts.append(tuple(np.asarray(c) for c in columns))

    def columns(self, n: int) -> list[np.ndarray]:
        if not self.parts:
            dtypes = (np.int64, np.int64, np.float64, np.int32, np.int32, np.int64)[:n]
            return [np.zeros(0, dtype=d) for d in dtypes]
        return [np.concatenate([part[i] for part in self.parts]) for i in range(n)]


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
    kernel: str = "auto",
) -> MatchResult:
    """Score every profile (``slots`` from ``layout.encode``) against every family of ``blocks``.

    Keeps the ``top_k`` families of each profile and profiles of each family (LR > 0 only) and every
    pair with LR >= ``threshold``, at most ``max_hits`` of those (the rest are counted, and a warning
    says so). ``on_block(n_families)`` is called after each block (progress bars). ``chunk``: profiles
    per thread task (default: sized to the thread count). ``kernel``: ``"tiles"`` (families side by
    side, ``match_kernel.scan_tiles``), ``"rows"`` (one family row after another, ``scan_block``,
    the only layout before the tiles) or ``"auto"`` (each family where it is faster, see
    ``ROW_KERNEL_MAX_MARKERS``); all keep the same pairs with the same values.
    """
    if kernel not in ("auto", "tiles", "rows"):
        raise ValueError("kernel must be 'auto', 'tiles' or 'rows'")
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
    chunk_start = run_start[chunk_runs]
    prof_slots = np.ascontiguousarray(slots.T)
    position = np.empty(n_prof, dtype=np.int64)
    position[original] = np.arange(n_prof)
    # Profiles spread over the sorted order, on which ``expected_lookups`` counts the lookups.
    sample = prof_slots[:: max(1, n_prof // LOOKUP_SAMPLE)][:LOOKUP_SAMPLE]

    prof_lr = np.zeros((n_prof, top_k))
    prof_fam = np.full((n_prof, top_k), -1, dtype=np.int64)
    prof_cmp = np.zeros((n_prof, top_k), dtype=np.int32)
    prof_bad = np.zeros((n_prof, top_k), dtype=np.int32)
    prof_worst = np.zeros(n_prof, dtype=np.int64)

    family_ids: list[str] = []
    family_best = _Entries()  # each family's ranked top k
    tile_buffer = np.empty((0, 0, TILE))
    hits = _Entries()
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
            parts: list[tuple[str, np.ndarray]] = []
            if kernel == "rows":
                parts.append(("rows", np.arange(n_fam, dtype=np.int64)))
            else:
                lookups = expected_lookups(ratio, sample, 2 * ROW_KERNEL_MAX_MARKERS)
                # Tiles of alike families (those that exclude most first), so that a tile of
                # excluding families lets unrelated profiles stop after a few markers.
                by = np.argsort(lookups, kind="stable").astype(np.int64)
                n_rows = int(np.searchsorted(lookups[by], ROW_KERNEL_MAX_MARKERS, side="right"))
                n_rows = n_rows if kernel == "auto" else 0
                if n_rows:
                    parts.append(("rows", np.sort(by[:n_rows])))
                if n_rows < n_fam:
                    parts.append(("tiles", by[n_rows:]))
            fam_lr = np.zeros((n_chunks, n_fam, top_k))
            fam_prof = np.full((n_chunks, n_fam, top_k), -1, dtype=np.int64)
            fam_cmp = np.zeros((n_chunks, n_fam, top_k), dtype=np.int32)
            fam_bad = np.zeros((n_chunks, n_fam, top_k), dtype=np.int32)
            for part, fams in parts:
                if part == "tiles":
                    n_tiles = -(-fams.size // TILE)
                    if tile_buffer.shape[0] < n_tiles or tile_buffer.shape[1] != ratio.shape[1]:
                        tile_buffer = np.empty((n_tiles, ratio.shape[1], TILE))
                    tiles = tile_buffer[:n_tiles]
                    tile_tables(ratio, fams, tiles)
                collect_top = True
                hit_cap = HIT_BUFFER
                while True:
                    hit_prof = np.empty((n_chunks, hit_cap), dtype=np.int64)
                    hit_fam = np.empty((n_chunks, hit_cap), dtype=np.int64)
                    hit_lr = np.empty((n_chunks, hit_cap))
                    hit_cmp = np.empty((n_chunks, hit_cap), dtype=np.int32)
                    hit_bad = np.empty((n_chunks, hit_cap), dtype=np.int32)
                    hit_count = np.zeros(n_chunks, dtype=np.int64)
                    if part == "tiles":
                        scan_tiles(
                            prof_slots, slots, original, chunk_start, tiles, fams, inconsistent, typed,
                            untyped, base, collect_top, prof_lr, prof_fam, prof_cmp, prof_bad,
                            prof_worst, fam_lr, fam_prof, fam_cmp, fam_bad,
                            threshold, hit_prof, hit_fam, hit_lr, hit_cmp, hit_bad, hit_count,
                        )  # fmt: skip
                        if collect_top:
                            fill_details(
                                slots, inconsistent, typed, untyped, base, prof_fam, prof_cmp,
                                prof_bad,
                            )  # fmt: skip
                    else:
                        scan_block(
                            slots, original, run_start, chunk_runs, ratio, inconsistent, typed,
                            untyped, base, fams, collect_top, prof_lr, prof_fam, prof_cmp, prof_bad,
                            prof_worst, fam_lr, fam_prof, fam_cmp, fam_bad,
                            threshold, hit_prof, hit_fam, hit_lr, hit_cmp, hit_bad, hit_count,
                        )  # fmt: skip
                    collect_top = False
                    most = int(hit_count.max())
                    room = max_hits - n_hits
                    # A chunk overflowed its buffer: rescan these families for hits only, with room
                    # for all of them unless the global cap would be passed anyway.
                    if most <= hit_cap or hit_cap >= room:
                        break
                    hit_cap = min(room, most)
                for c in range(n_chunks):
                    stored = min(int(hit_count[c]), hit_cap)
                    take = min(stored, max_hits - n_hits)  # the first hits up to the cap
                    if take > 0:
                        hits.add(
                            hit_prof[c, :take], hit_fam[c, :take], hit_lr[c, :take],
                            hit_cmp[c, :take], hit_bad[c, :take],
                        )  # fmt: skip
                        n_hits += take
                    n_dropped += int(hit_count[c]) - take
            best = _merge_family_top(fam_lr, fam_prof, fam_cmp, fam_bad, top_k)
            # Details of the entries the tiles left at -1, for the kept entries only.
            pair_details(
                slots, position[best[0]], best[1], inconsistent, typed, untyped, best[3], best[4]
            )  # fmt: skip
            family_best.add(best[0], base + best[1], *best[2:])
        n_pairs += n_fam * n_prof
        if on_block is not None:
            on_block(n_fam)

    matches = _matches(
        sample_ids, family_ids, original, prof_lr, prof_fam, prof_cmp, prof_bad, hits, family_best
    )
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
    top_k: int,
) -> tuple[np.ndarray, ...]:
    """Merge the per-chunk top k of each family of a block into its ranked top k: columns profile,
    family (position in the block), LR, markers compared, inconsistent, rank."""
    n_chunks, n_fam, k = fam_lr.shape
    lr = fam_lr.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    prof = fam_prof.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    cmp = fam_cmp.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    bad = fam_bad.transpose(1, 0, 2).reshape(n_fam, n_chunks * k)
    # Highest LR first; equal LRs by profile order, as the single-threaded scan would keep them.
    # Empty entries (profile -1, LR 0) sort last, after every kept one (LR > 0).
    order = np.lexsort((np.where(prof < 0, np.iinfo(np.int64).max, prof), -lr), axis=-1)[:, :top_k]
    rows = np.broadcast_to(np.arange(n_fam)[:, None], order.shape)
    rank = np.broadcast_to(np.arange(1, order.shape[1] + 1), order.shape)
    keep = prof[rows, order] >= 0
    r, j = rows[keep], order[keep]
    return prof[r, j], r, lr[r, j], cmp[r, j], bad[r, j], rank[keep]


def _ranked_rows(values: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a top-k table: the columns by LR (highest first, then the smaller id; empty
    entries, id -1, last) and each sorted position's rank."""
    order = np.lexsort((np.where(ids < 0, np.iinfo(np.int64).max, ids), -values), axis=-1)
    rank = np.broadcast_to(np.arange(1, ids.shape[1] + 1), ids.shape)
    return order, rank


def _matches(
    sample_ids: Sequence[str],
    family_ids: Sequence[str],
    original: np.ndarray,
    prof_lr: np.ndarray,
    prof_fam: np.ndarray,
    prof_cmp: np.ndarray,
    prof_bad: np.ndarray,
    hits: _Entries,
    family_best: _Entries,
) -> list[Match]:
    """Every kept pair once (threshold hits, each profile's top k, each family's top k) with its
    ranks, sorted by LR (highest first), then sample id and family id."""
    n_prof = prof_fam.shape[0]
    order, rank = _ranked_rows(prof_lr, prof_fam)
    rows = np.broadcast_to(np.arange(n_prof)[:, None], order.shape)
    keep = prof_fam[rows, order] >= 0
    r, j = rows[keep], order[keep]
    p_prof, p_fam = original[r], prof_fam[r, j]
    h_prof, h_fam, h_lr, h_cmp, h_bad = hits.columns(5)
    f_prof, f_fam, f_lr, f_cmp, f_bad, f_rank = family_best.columns(6)
    n_fam = max(1, len(family_ids))
    prof_keys = p_prof * n_fam + p_fam
    fam_keys = f_prof * n_fam + f_fam
    keys = np.concatenate([h_prof * n_fam + h_fam, prof_keys, fam_keys])
    # A pair kept for several reasons has the same figures in each source: take the first.
    uniq, first = np.unique(keys, return_index=True)
    lr = np.concatenate([h_lr, prof_lr[r, j], f_lr])[first]
    cmp = np.concatenate([h_cmp, prof_cmp[r, j], f_cmp])[first]
    bad = np.concatenate([h_bad, prof_bad[r, j], f_bad])[first]
    rank_profile = np.zeros(uniq.size, dtype=np.int64)
    rank_profile[np.searchsorted(uniq, prof_keys)] = rank[keep]
    rank_family = np.zeros(uniq.size, dtype=np.int64)
    rank_family[np.searchsorted(uniq, fam_keys)] = f_rank
    prof_of, fam_of = uniq // n_fam, uniq % n_fam
    # Equal ids share a sort key, as when sorting the strings themselves.
    sample_key = np.unique(np.asarray(sample_ids, dtype=str), return_inverse=True)[1].reshape(-1)
    family_key = np.unique(np.asarray(family_ids, dtype=str), return_inverse=True)[1].reshape(-1)
    by = np.lexsort((family_key[fam_of], sample_key[prof_of], -lr)) if uniq.size else uniq
    sample_obj = np.asarray(sample_ids, dtype=object)
    family_obj = np.asarray(family_ids, dtype=object)

    def ranks(values: np.ndarray) -> list[int | None]:
        out = values.astype(object)
        out[values == 0] = None
        return out.tolist()

    # ``tuple.__new__`` directly: ``Match._make`` adds a Python call and a length check per row.
    return list(
        map(
            partial(tuple.__new__, Match),
            zip(
                sample_obj[prof_of[by]].tolist(),
                family_obj[fam_of[by]].tolist(),
                lr[by].tolist(),
                cmp[by].tolist(),
                bad[by].tolist(),
                ranks(rank_profile[by]),
                ranks(rank_family[by]),
                strict=True,
            ),
        )
    )
