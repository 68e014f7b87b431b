"""The identity LR against a slow twin that enumerates every allele draw, on random profiles."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from kintrace.dna.identity import excludes, identity_lr
from kintrace.dna.markers import DnaInputError, Marker


def _draw(freqs: list[float], alleles: tuple[int, ...], theta: float) -> float:
    """Balding-Nichols urn written out by hand: the j-th allele given the ones drawn before it."""
    prob = 1.0
    for j, allele in enumerate(alleles):
        before = alleles[:j].count(allele)
        prob *= (before * theta + (1 - theta) * freqs[allele]) / (1 + (j - 1) * theta)
    return prob


def _fits(ordered: tuple[int, int], call: tuple[int | None, int | None]) -> bool:
    """Does the ordered pair of alleles show as this call (None: an allele not seen)?"""
    a, b = call
    if a is not None and b is not None:
        return sorted(ordered) == sorted((a, b))
    known = a if a is not None else b
    return known in ordered


def slow_marker_lr(freqs: list[float], one, two, theta: float) -> float:
    """P(both calls | one person) / P(both calls | two unrelated people), by enumerating ordered draws."""
    n = len(freqs)
    same = sum(
        _draw(freqs, pair, theta)
        for pair in itertools.product(range(n), repeat=2)
        if _fits(pair, one) and _fits(pair, two)
    )
    apart = sum(
        _draw(freqs, four, theta)
        for four in itertools.product(range(n), repeat=4)
        if _fits(four[:2], one) and _fits(four[2:], two)
    )
    return same / apart


def _profile(rng: random.Random, names, n_alleles, donor=None):
    out = {}
    for name in names:
        roll = rng.random()
        if roll < 0.15:
            continue  # not typed in this profile
        pair = donor[name] if donor and name in donor and rng.random() < 0.8 else None
        if pair is None:
            pair = (str(rng.randrange(n_alleles)), str(rng.randrange(n_alleles)))
        if roll < 0.3:
            pair = (pair[0], None) if rng.random() < 0.5 else (None, pair[1])  # a drop-out
        out[name] = pair
    return out


@pytest.mark.parametrize("theta", [0.0, 0.01, 0.05])
@pytest.mark.parametrize("seed", range(6))
def test_identity_lr_matches_enumeration(seed: int, theta: float) -> None:
    rng = random.Random(seed)
    n_alleles = rng.choice([2, 3, 4, 5])
    names = [f"M{i}" for i in range(8)]
    markers = {}
    for name in names:
        raw = [rng.uniform(0.05, 1.0) for _ in range(n_alleles)]
        freqs = [w / sum(raw) * rng.uniform(0.9, 1.0) for w in raw]  # not renormalised: used as given
        markers[name] = Marker(name, tuple(str(a) for a in range(n_alleles)), np.array(freqs))
    for _ in range(20):
        first = _profile(rng, names, n_alleles)
        second = _profile(rng, names, n_alleles, donor=first)
        result = identity_lr(markers, first, second, theta=theta)
        if excludes(first, second):  # the quick look never excludes a pair the LR keeps
            assert result.log10_lr is None
        untyped = (None, None)  # a drop-out of both alleles: the marker is not typed there
        shared = [m for m in names if first.get(m, untyped) != untyped and second.get(m, untyped) != untyped]
        assert list(result.lr_per_marker) == shared
        for name in shared:
            freqs = [float(x) for x in markers[name].freqs]
            codes = [tuple(None if x is None else int(x) for x in g) for g in (first[name], second[name])]
            expected = slow_marker_lr(freqs, codes[0], codes[1], theta)
            assert result.lr_per_marker[name] == pytest.approx(expected, rel=1e-12, abs=0.0)


def test_textbook_values_and_exclusion() -> None:
    marker = Marker("A", ("10", "11", "12"), np.array([0.5, 0.3, 0.2]))
    markers = {"A": marker, "B": Marker("B", ("7", "8"), np.array([0.6, 0.4]))}
    het = identity_lr(markers, {"A": ("10", "11"), "B": ("7", "7")}, {"A": ("11", "10"), "B": ("7", "7")})
    assert het.lr_per_marker == pytest.approx({"A": 1 / (2 * 0.5 * 0.3), "B": 1 / 0.36}, rel=1e-15)
    assert het.log10_lr == pytest.approx(math.log10(1 / 0.3 / 0.36), rel=1e-14)
    # NRC II 4.10a for a homozygote under theta.
    theta, p = 0.02, 0.6
    hom = identity_lr(markers, {"B": ("7", "7")}, {"B": ("7", "7")}, theta=theta)
    expected = (1 + theta) * (1 + 2 * theta) / ((2 * theta + (1 - theta) * p) * (3 * theta + (1 - theta) * p))
    assert hom.lr_per_marker["B"] == pytest.approx(expected, rel=1e-14)
    first, second = {"A": ("10", "11"), "B": ("7", "8")}, {"A": ("10", "12"), "B": ("7", "8")}
    excluded = identity_lr(markers, first, second)
    assert excluded.exclusions == ("A",) and excludes(first, second)
    assert not excludes({"A": ("10", "11")}, {"A": ("11", "10")}) and not excludes({"A": ("10", None)}, first)
    assert excluded.log10_lr is None
    # Markers typed on one side only are skipped; nothing shared is LR 1.
    partial = identity_lr(markers, {"A": ("10", "11")}, {"B": ("7", "8")})
    assert partial.shared == 0 and partial.log10_lr == 0.0


def test_bad_input_names_the_marker() -> None:
    markers = {"A": Marker("A", ("10", "11"), np.array([0.5, 0.5]))}
    with pytest.raises(DnaInputError, match="'Z'"):
        identity_lr(markers, {"Z": ("1", "2")}, {"Z": ("1", "2")})
    with pytest.raises(DnaInputError, match="'13'"):
        identity_lr(markers, {"A": ("10", "13")}, {"A": ("10", "11")})
    with pytest.raises(DnaInputError, match="theta"):
        identity_lr(markers, {}, {}, theta=1.0)
