"""pedprobr's lumping of unobserved alleles (and pedmut's Kemeny-Snell lumpability test).

Lumping is exact in real arithmetic; it is reproduced because it changes the rounding: the lump gets
frequency ``1 - sum(observed)`` rather than the sum of the unobserved frequencies, and tables sum to
one only within ~1e-9.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from kintrace.dna.markers import Marker
from kintrace.dna.mutation import r_row_sums, r_sum

_R_TOLERANCE = 1.5e-8  # R's all.equal() default


def r_all_equal(target: np.ndarray, current: np.ndarray, tolerance: float = _R_TOLERANCE) -> bool:
    """R's ``isTRUE(all.equal(target, current))`` for numeric vectors (mean relative difference)."""
    target = np.asarray(target, dtype=np.float64).ravel()
    current = np.asarray(current, dtype=np.float64).ravel()
    differ = target != current
    if not differ.any():
        return True
    t, c = target[differ], current[differ]
    n = t.size
    xy = float(np.sum(np.abs(t - c))) / n
    xn = float(np.sum(np.abs(t))) / n
    if np.isfinite(xn) and xn > tolerance:
        xy /= xn
    return xy <= tolerance


def matrix_lumpable(matrix: np.ndarray, lump: np.ndarray) -> bool:
    """Kemeny-Snell criterion as pedmut checks it: every outside column is constant over the lump rows."""
    outside = np.setdiff1d(np.arange(matrix.shape[0]), lump)
    if outside.size == 0:
        return True
    y = matrix[np.ix_(lump, outside)]
    # R flattens column-major: as.numeric(y) vs rep(y[1, ], each = nrow)
    return r_all_equal(y.T.ravel(), np.repeat(y[0, :], lump.size))


def lumped_matrix(matrix: np.ndarray, keep: np.ndarray, lump: np.ndarray) -> np.ndarray:
    """pedmut's lumpedMatrix for one lump: kept columns copied, lump column = 1 - their row sum."""
    rows = np.concatenate([keep, lump[:1]])
    n = keep.size + 1
    out = np.zeros((n, n))
    out[:, :-1] = matrix[np.ix_(rows, keep)]
    out[:, -1] = 1.0 - r_row_sums(out)
    return out


@dataclass(frozen=True)
class LumpedMarker:
    """A marker's alleles after lumping: ``codes[i]`` is the new index of original allele ``i``."""

    freqs: np.ndarray
    male: np.ndarray | None
    female: np.ndarray | None
    codes: np.ndarray

    def recode(self, alleles: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
        a, b = alleles
        return (None if a is None else int(self.codes[a]), None if b is None else int(self.codes[b]))


def _unlumped(marker: Marker) -> LumpedMarker:
    mut = marker.mutation
    return LumpedMarker(
        marker.freqs,
        None if mut is None else mut.male,
        None if mut is None else mut.female,
        np.arange(marker.n_alleles),
    )


def lump_marker(
    marker: Marker, typed: Iterable[tuple[int | None, int | None]], *, all_typed: bool
) -> LumpedMarker:
    """Apply pedprobr's rule: lump the unobserved alleles unless everyone is fully typed, at most one
    allele is unobserved, or the mutation model is not lumpable for that set (no special lumping)."""
    n = marker.n_alleles
    observed = np.zeros(n, dtype=bool)
    for a, b in typed:
        if a is not None:
            observed[a] = True
        if b is not None:
            observed[b] = True
    n_obs = int(observed.sum())
    if all_typed or n_obs >= n - 1:
        return _unlumped(marker)
    keep = np.flatnonzero(observed)
    lump = np.flatnonzero(~observed) if n_obs else np.arange(n)
    mut = marker.mutation
    male = female = None
    if mut is not None:
        sex_equal = np.array_equal(mut.female, mut.male)
        if not matrix_lumpable(mut.female, lump) or (not sex_equal and not matrix_lumpable(mut.male, lump)):
            return _unlumped(marker)
        female = lumped_matrix(mut.female, keep, lump)
        male = female if sex_equal else lumped_matrix(mut.male, keep, lump)
    keep_freqs = marker.freqs[keep]
    freqs = np.concatenate([keep_freqs, [1.0 - r_sum(keep_freqs)]])
    codes = np.full(n, keep.size, dtype=np.intp)
    codes[keep] = np.arange(keep.size)
    return LumpedMarker(freqs, male, female, codes)
