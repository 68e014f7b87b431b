"""Indexing of unordered genotypes.

For a marker with ``n`` alleles the unordered genotypes ``{i, j}`` (``i <= j``) are numbered
``k = 0 .. n(n+1)/2 - 1`` in the order (0,0), (0,1), ..., (0,n-1), (1,1), (1,2), ... This order is
shared by every DNA module: evidence vectors, per-genotype likelihood tables and the matching kernels.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# An unordered genotype as the laboratory reports it; ``None`` is an unknown allele (pedtools "a/-").
Genotype = tuple[str | None, str | None]
# The same genotype as positions in a marker's allele table (see ``Marker.codes``).
AlleleCodes = tuple[int | None, int | None]


def n_genotypes(n_alleles: int) -> int:
    """Number of unordered genotypes of a marker with ``n_alleles`` alleles."""
    return n_alleles * (n_alleles + 1) // 2


def genotype_index(i: int, j: int, n_alleles: int) -> int:
    """Index of the unordered genotype ``{i, j}`` among the ``n_alleles`` allele indices."""
    if i > j:
        i, j = j, i
    if i < 0 or j >= n_alleles:
        raise IndexError(f"allele indices ({i}, {j}) outside 0..{n_alleles - 1}")
    # Rows 0..i-1 of the upper triangle hold n + (n-1) + ... + (n-i+1) genotypes.
    return i * n_alleles - i * (i - 1) // 2 + (j - i)


@lru_cache(maxsize=256)
def _alleles_cached(n_alleles: int) -> tuple[np.ndarray, np.ndarray]:
    ia, ib = np.triu_indices(n_alleles)
    ia = ia.astype(np.intp)
    ib = ib.astype(np.intp)
    ia.setflags(write=False)
    ib.setflags(write=False)
    return ia, ib


def genotype_alleles(n_alleles: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrays ``(ia, ib)`` with ``ia[k] <= ib[k]`` the allele indices of genotype ``k`` (read-only)."""
    return _alleles_cached(n_alleles)


@lru_cache(maxsize=256)
def _index_matrix_cached(n_alleles: int) -> np.ndarray:
    ia, ib = genotype_alleles(n_alleles)
    idx = np.empty((n_alleles, n_alleles), dtype=np.intp)
    k = np.arange(ia.size, dtype=np.intp)
    idx[ia, ib] = k
    idx[ib, ia] = k
    idx.setflags(write=False)
    return idx


def genotype_index_matrix(n_alleles: int) -> np.ndarray:
    """Symmetric ``(n, n)`` matrix whose entry ``[a, b]`` is the index of genotype ``{a, b}`` (read-only)."""
    return _index_matrix_cached(n_alleles)


def ordered_from_unordered(values: np.ndarray, n_alleles: int) -> np.ndarray:
    """Spread ``(..., n_genotypes)`` values over ordered allele pairs: ``(..., n, n)``, symmetric."""
    return np.asarray(values)[..., genotype_index_matrix(n_alleles)]


def ordered_indicator(n_alleles: int, alleles: AlleleCodes) -> np.ndarray:
    """0/1 evidence over ordered (paternal, maternal) allele pairs of one unordered genotype.

    Both phases are marked, so summing ordered-allele factors gives the unordered genotype's
    probability; ``(a, None)`` marks every pair carrying ``a``; ``(None, None)`` marks all pairs.
    """
    a, b = alleles
    if a is None and b is None:
        return np.ones((n_alleles, n_alleles))
    m = np.zeros((n_alleles, n_alleles))
    if a is None or b is None:
        known = a if a is not None else b
        m[known, :] = 1.0
        m[:, known] = 1.0
    else:
        m[a, b] = 1.0
        m[b, a] = 1.0
    return m
