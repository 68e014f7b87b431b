"""Streaming selection (top k per profile and per family, threshold hits with a cap) against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kintrace.dna.lr_table import SlotLayout, TableBlock
from kintrace.dna.markers import Marker
from kintrace.dna.match import match_all
from kintrace.dna.match_kernel import score_block

pytestmark = pytest.mark.kernels

MARKERS = [Marker(f"M{i}", ("1", "2", "3"), np.array([0.2, 0.3, 0.5])) for i in range(3)]
LAYOUT = SlotLayout.for_markers(MARKERS)


def random_case(seed: int, n_fam: int, n_prof: int, levels: int = 0):
    """Random tables (some zeros; ``levels`` > 0 draws from few values so LRs tie) and profiles."""
    rng = np.random.default_rng(seed)
    ratio = rng.lognormal(0.0, 2.0, size=(n_fam, LAYOUT.size))
    if levels:
        ratio = rng.choice(np.array([0.5, 1.0, 2.0, 4.0])[:levels], size=(n_fam, LAYOUT.size))
    ratio[rng.random(ratio.shape) < 0.1] = 0.0
    for m in range(len(MARKERS)):
        ratio[:, LAYOUT.untyped_slot(m)] = 1.0
    inconsistent = ratio == 0
    typed = rng.random((n_fam, len(MARKERS))) < 0.8
    slots = np.empty((len(MARKERS), n_prof), dtype=np.int32)
    for m in range(len(MARKERS)):
        slots[m] = rng.integers(LAYOUT.offsets[m], LAYOUT.offsets[m + 1], size=n_prof)
    return TableBlock([f"F{i}" for i in range(n_fam)], ratio, inconsistent, typed), slots


def brute(block: TableBlock, slots: np.ndarray):
    n_fam, n_prof = len(block.family_ids), slots.shape[1]
    untyped = np.array([LAYOUT.untyped_slot(m) for m in range(len(MARKERS))], dtype=np.int32)
    lr, log10_lr = np.empty((n_fam, n_prof)), np.empty((n_fam, n_prof))
    cmp, bad = np.empty((n_fam, n_prof), np.int32), np.empty((n_fam, n_prof), np.int32)
    score_block(slots, block.ratio, block.inconsistent, block.typed, untyped, lr, log10_lr, cmp, bad)
    return lr, cmp, bad


def split(block: TableBlock, size: int):
    for s in range(0, len(block.family_ids), size):
        yield TableBlock(
            block.family_ids[s : s + size], block.ratio[s : s + size], block.inconsistent[s : s + size],
            block.typed[s : s + size],
        )  # fmt: skip


@pytest.mark.parametrize("kernel", ["auto", "tiles", "rows"])
@pytest.mark.parametrize(
    ("seed", "levels", "block_size", "n_fam"),
    [(1, 0, 7, 23), (2, 3, 5, 23), (3, 2, 40, 23), (6, 0, 9, 23), (7, 2, 75, 90), (8, 0, 90, 90)],
)
def test_top_k_and_threshold_equal_brute_force(
    seed: int, levels: int, block_size: int, n_fam: int, kernel: str
) -> None:
    # Seed 6: 700 profiles, several chunks with the marker-0 runs cut at chunk bounds. Seeds 7, 8:
    # blocks of several tiles of families (TILE), the last one partly empty.
    n_prof = 700 if seed == 6 else 150
    block, slots = random_case(seed, n_fam=n_fam, n_prof=n_prof, levels=levels)
    lr, cmp, bad = brute(block, slots)
    k, threshold = 3, 5.0
    sample_ids = [f"U{p}" for p in range(slots.shape[1])]
    result = match_all(
        sample_ids, slots, LAYOUT, split(block, block_size), top_k=k, threshold=threshold, kernel=kernel
    )
    assert result.n_pairs == lr.size
    assert result.n_above_threshold == int((lr >= threshold).sum()) and not result.warnings
    got = {(m.sample_id, m.family_id): m for m in result.matches}

    expected_keys = {(f"U{p}", f"F{f}") for f, p in zip(*np.nonzero(lr >= threshold), strict=True)}
    for p in range(lr.shape[1]):
        # Highest first, ties to the earlier family, LR 0 never listed.
        order = [f for f in sorted(range(lr.shape[0]), key=lambda f: (-lr[f, p], f)) if lr[f, p] > 0][:k]
        for rank, f in enumerate(order, start=1):
            m = got[(f"U{p}", f"F{f}")]
            assert m.rank_in_profile == rank and m.lr == lr[f, p]
            assert (m.markers_compared, m.markers_inconsistent) == (cmp[f, p], bad[f, p])
            expected_keys.add((f"U{p}", f"F{f}"))
    for f in range(lr.shape[0]):
        order = [p for p in sorted(range(lr.shape[1]), key=lambda p: (-lr[f, p], p)) if lr[f, p] > 0][:k]
        for rank, p in enumerate(order, start=1):
            m = got[(f"U{p}", f"F{f}")]
            assert m.rank_in_family == rank and m.lr == lr[f, p]
            expected_keys.add((f"U{p}", f"F{f}"))
    assert set(got) == expected_keys
    for m in result.matches:
        f, p = int(m.family_id[1:]), int(m.sample_id[1:])
        assert m.lr == lr[f, p]
        in_profile_top = m.rank_in_profile is not None
        in_family_top = m.rank_in_family is not None
        assert in_profile_top or in_family_top or m.lr >= threshold
    assert [m.lr for m in result.matches] == sorted((m.lr for m in result.matches), reverse=True)


@pytest.mark.parametrize("kernel", ["auto", "tiles", "rows"])
def test_threshold_cap_warns_and_keeps_top_lists(kernel: str) -> None:
    block, slots = random_case(4, n_fam=10, n_prof=120)
    lr, _, _ = brute(block, slots)
    threshold = 0.5
    n_hits = int((lr >= threshold).sum())
    result = match_all([f"U{p}" for p in range(120)], slots, LAYOUT, split(block, 4), top_k=2,
                       threshold=threshold, max_hits=n_hits // 3, kernel=kernel)  # fmt: skip
    assert result.n_above_threshold == n_hits
    assert result.n_above_threshold_dropped == n_hits - n_hits // 3
    assert len(result.warnings) == 1 and "only the first" in result.warnings[0]
    ranked_profile = sum(m.rank_in_profile is not None for m in result.matches)
    assert ranked_profile == sum(min(2, int((lr[:, p] > 0).sum())) for p in range(120))
    kept_by_threshold = [m for m in result.matches if m.rank_in_profile is None and m.rank_in_family is None]
    assert all(m.lr >= threshold for m in kept_by_threshold)


@pytest.mark.parametrize("kernel", ["auto", "tiles", "rows"])
def test_chunk_overflow_rescans_block(monkeypatch: pytest.MonkeyPatch, kernel: str) -> None:
    """More hits in one chunk than its buffer holds: the block is rescanned, nothing is lost."""
    import kintrace.dna.match as match_module

    monkeypatch.setattr(match_module, "HIT_BUFFER", 8)
    block, slots = random_case(5, n_fam=12, n_prof=90)
    lr, _, _ = brute(block, slots)
    result = match_all(
        [f"U{p}" for p in range(90)], slots, LAYOUT, split(block, 6), top_k=1, threshold=1.0, kernel=kernel
    )
    assert result.n_above_threshold == int((lr >= 1.0).sum()) > 8
    assert not result.warnings
    kept = {(m.sample_id, m.family_id) for m in result.matches}
    assert {(f"U{p}", f"F{f}") for f, p in zip(*np.nonzero(lr >= 1.0), strict=True)} <= kept


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_fam=st.integers(1, 70),
    n_prof=st.integers(1, 40),
    chunk=st.integers(1, 12),
    block_size=st.integers(1, 40),
    top_k=st.integers(1, 4),
    levels=st.integers(0, 3),
    threshold=st.sampled_from([0.25, 1.0, 8.0]),
    kernel=st.sampled_from(["auto", "tiles", "rows"]),
)
def test_streaming_equals_brute_force_for_any_chunking(
    seed: int,
    n_fam: int,
    n_prof: int,
    chunk: int,
    block_size: int,
    top_k: int,
    levels: int,
    threshold: float,
    kernel: str,
) -> None:
    """Whatever the chunk and block sizes, the kept pairs and their ranks are the brute-force ones."""
    block, slots = random_case(seed, n_fam=n_fam, n_prof=n_prof, levels=levels)
    lr, cmp, bad = brute(block, slots)
    result = match_all(
        [f"U{p}" for p in range(n_prof)], slots, LAYOUT, split(block, block_size),
        top_k=top_k, threshold=threshold, chunk=chunk, kernel=kernel,
    )  # fmt: skip
    expected: dict[tuple[int, int], list[int | None]] = {}
    for p in range(n_prof):
        order = [f for f in sorted(range(n_fam), key=lambda f: (-lr[f, p], f)) if lr[f, p] > 0][:top_k]
        for rank, f in enumerate(order, start=1):
            expected.setdefault((p, f), [None, None])[0] = rank
    for f in range(n_fam):
        order = [p for p in sorted(range(n_prof), key=lambda p: (-lr[f, p], p)) if lr[f, p] > 0][:top_k]
        for rank, p in enumerate(order, start=1):
            expected.setdefault((p, f), [None, None])[1] = rank
    for f, p in zip(*np.nonzero(lr >= threshold), strict=True):
        expected.setdefault((int(p), int(f)), [None, None])
    got = {
        (int(m.sample_id[1:]), int(m.family_id[1:])): (m.rank_in_profile, m.rank_in_family, m.lr,
                                                       m.markers_compared, m.markers_inconsistent)
        for m in result.matches
    }  # fmt: skip
    assert set(got) == set(expected)
    for (p, f), (rank_p, rank_f) in expected.items():
        assert got[(p, f)] == (rank_p, rank_f, lr[f, p], cmp[f, p], bad[f, p])
    assert result.n_above_threshold == int((lr >= threshold).sum())


@pytest.mark.parametrize("zeros", [0.0, 0.3, 0.6])
def test_many_markers_and_exclusions_both_kernels(zeros: float) -> None:
    """13 markers, 150 families (tiles of TILE, the last one partly empty) whose tables exclude
    ``zeros`` of the genotypes: the tiles kernel finishes the few lanes left one by one once most of
    a tile is excluded. Both kernels keep the brute-force pairs with the same LRs."""
    markers = [Marker(f"M{i}", ("1", "2", "3", "4"), np.array([0.1, 0.2, 0.3, 0.4])) for i in range(13)]
    layout = SlotLayout.for_markers(markers)
    rng = np.random.default_rng(int(zeros * 10) + 31)
    n_fam, n_prof = 150, 120
    ratio = rng.lognormal(0.0, 1.5, size=(n_fam, layout.size))
    ratio[rng.random(ratio.shape) < zeros] = 0.0
    for m in range(len(markers)):
        ratio[:, layout.untyped_slot(m)] = 1.0
    block = TableBlock([f"F{i}" for i in range(n_fam)], ratio, ratio == 0, np.ones((n_fam, 13), bool))
    slots = np.empty((len(markers), n_prof), dtype=np.int32)
    for m in range(len(markers)):
        slots[m] = rng.integers(layout.offsets[m], layout.offsets[m + 1], size=n_prof)
    untyped = np.array([layout.untyped_slot(m) for m in range(len(markers))], dtype=np.int32)
    lr, log10_lr = np.empty((n_fam, n_prof)), np.empty((n_fam, n_prof))
    cmp, bad = np.empty((n_fam, n_prof), np.int32), np.empty((n_fam, n_prof), np.int32)
    score_block(slots, block.ratio, block.inconsistent, block.typed, untyped, lr, log10_lr, cmp, bad)
    ids = [f"U{p}" for p in range(n_prof)]
    got = {}
    for kernel in ("auto", "tiles", "rows"):
        result = match_all(ids, slots, layout, [block], top_k=2, threshold=1e3, kernel=kernel)
        got[kernel] = result.matches
        for m in result.matches:
            f, p = int(m.family_id[1:]), int(m.sample_id[1:])
            assert (m.lr, m.markers_compared, m.markers_inconsistent) == (lr[f, p], cmp[f, p], bad[f, p])
        for p in range(n_prof):
            best = [f for f in sorted(range(n_fam), key=lambda f: (-lr[f, p], f)) if lr[f, p] > 0][:2]
            ranked = sorted((m for m in result.matches if m.sample_id == f"U{p}" and m.rank_in_profile),
                            key=lambda m: m.rank_in_profile or 0)  # fmt: skip
            assert [int(m.family_id[1:]) for m in ranked] == best
        assert result.n_above_threshold == int((lr >= 1e3).sum())
    assert got["tiles"] == got["rows"] == got["auto"]
    if zeros == 0.6:
        assert (lr == 0).mean() > 0.99  # most pairs excluded: the one-by-one finish is exercised
