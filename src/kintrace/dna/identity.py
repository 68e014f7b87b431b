"""Identity LR: are two single-source profiles from one person, or from two unrelated people?

A direct match, with no relative in between: remains against a personal effect of the missing person (a
toothbrush, a razor: his own DNA), or one fragment of remains against another.

    H1: both profiles come from one person.      H2: they come from two unrelated people.

Per marker, the LR is P(both observations | one genotype) / P(both observations | two genotypes). With
both genotypes fully typed this is the textbook one: equal genotypes give 1 / P(genotype) (p^2 for a
homozygote, 2pq for a heterozygote, Hardy-Weinberg with the frequency table as given, never
renormalised, as pedtools does); different genotypes give 0 (an exclusion). There is no allowance for
a typing error: a single discordant marker excludes, and the analyst sees which marker did.

A single-allele call ``("12", None)`` is read as the engine reads it everywhere ("12/-": the other
allele unknown, a possible drop-out in degraded remains): the LR sums over the genotypes each call is
compatible with, exactly, so "12/-" against "12/14" gives P(12/14) / (P(12/-) * P(12/14)) = 1 / P(12/-).
A marker typed in only one of the profiles (or in neither) is skipped: partial remains are compared on
the markers they share.

``theta`` is the Balding-Nichols coancestry coefficient (NRC II 4.10): both hypotheses draw the
alleles they need from one urn, allele j being ``a`` with probability
``(count_a * theta + (1 - theta) * p_a) / (1 + (j - 2) * theta)``. The registry's matching uses
theta = 0 (as ``lr.missing_person_lr`` and the lookup rows do), so identity and kinship LRs of one
remains profile are on the same footing; the engine accepts a theta for studies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from kintrace.dna.genotypes import Genotype
from kintrace.dna.markers import DnaInputError, Marker

Pair = tuple[int, int]  # an unordered genotype as allele positions, first <= second


@dataclass(frozen=True)
class IdentityResult:
    """Per-marker identity LRs over the markers both profiles type; their product as log10."""

    lr_per_marker: dict[str, float]

    @property
    def exclusions(self) -> tuple[str, ...]:
        return tuple(name for name, value in self.lr_per_marker.items() if value == 0.0)

    @property
    def shared(self) -> int:
        """How many markers were compared (typed in both profiles)."""
        return len(self.lr_per_marker)

    @property
    def log10_lr(self) -> float | None:
        """log10 of the product; None when a marker excludes (LR 0). No shared marker: 0 (LR 1)."""
        if self.exclusions:
            return None
        return math.fsum(math.log10(value) for value in self.lr_per_marker.values())


def _typed(genotype: Genotype | None) -> bool:
    return genotype is not None and (genotype[0] is not None or genotype[1] is not None)


def _compatible(marker: Marker, genotype: Genotype) -> list[Pair]:
    """Every unordered genotype the call can be: itself, or each completion of "a/-"."""
    a, b = marker.codes(genotype)
    if a is not None and b is not None:
        return [(min(a, b), max(a, b))]
    known = a if a is not None else b
    assert known is not None
    return [(min(known, j), max(known, j)) for j in range(marker.n_alleles)]


def _urn(freqs: np.ndarray, alleles: tuple[int, ...], theta: float) -> float:
    """P(drawing these alleles in this order) under Balding-Nichols (theta 0: the product of p)."""
    if theta == 0.0:
        return math.prod(float(freqs[a]) for a in alleles)
    counts: dict[int, int] = {}
    prob = 1.0
    for j, allele in enumerate(alleles, start=1):
        seen = counts.get(allele, 0)
        prob *= (seen * theta + (1.0 - theta) * float(freqs[allele])) / (1.0 + (j - 2) * theta)
        counts[allele] = seen + 1
    return prob


def _orderings(pair: Pair) -> float:
    """An unordered heterozygote is drawn in either order: twice the ordered probability."""
    return 1.0 if pair[0] == pair[1] else 2.0


def marker_identity_lr(marker: Marker, first: Genotype, second: Genotype, theta: float = 0.0) -> float:
    """One marker's identity LR; both genotypes must be typed (at least one allele each)."""
    one, two = _compatible(marker, first), _compatible(marker, second)
    freqs = marker.freqs
    if len(one) == 1 and len(two) == 1:
        # The usual case, both fully typed: equal -> 1 / P(G | G) (theta 0: 1 / P(G)), else 0.
        if one != two:
            return 0.0
        g = one[0]
        return _urn(freqs, g, theta) / (_orderings(g) * _urn(freqs, g + g, theta))
    both = set(one) & set(two)
    same = math.fsum(_orderings(g) * _urn(freqs, g, theta) for g in both)
    if same == 0.0:
        return 0.0
    if theta == 0.0:
        apart = math.fsum(_orderings(g) * _urn(freqs, g, 0.0) for g in one) * math.fsum(
            _orderings(g) * _urn(freqs, g, 0.0) for g in two
        )
    else:
        apart = math.fsum(_orderings(g) * _orderings(h) * _urn(freqs, g + h, theta) for g in one for h in two)
    return same / apart


def excludes(first: Mapping[str, Genotype], second: Mapping[str, Genotype]) -> bool:
    """True when some marker is fully typed in both profiles with different genotypes: the identity LR
    is 0 there, whatever the frequencies. A cheap look (no table) that settles most unrelated pairs at
    their first markers; False says nothing (a partial call may still exclude: `identity_lr` decides)."""
    for name, one in first.items():
        two = second.get(name)
        if two is None or None in one or None in two:
            continue
        if (one[0] != two[0] or one[1] != two[1]) and (one[0] != two[1] or one[1] != two[0]):
            return True
    return False


def identity_lr(
    markers: Mapping[str, Marker],
    first: Mapping[str, Genotype],
    second: Mapping[str, Genotype],
    *,
    theta: float = 0.0,
) -> IdentityResult:
    """Identity LR of two profiles over the markers both type (in the frequency table's order).

    A marker both profiles type but the table lacks is an input error naming it (as everywhere in the
    engine: an LR without frequencies would be made up).
    """
    if not 0.0 <= theta < 1.0:
        raise DnaInputError(f"theta {theta!r} must be in [0, 1)")
    shared = [name for name in first if _typed(first.get(name)) and _typed(second.get(name))]
    unknown = [name for name in shared if name not in markers]
    if unknown:
        raise DnaInputError(f"marker {unknown[0]!r} is typed in both profiles but not in the frequency table")
    order = [name for name in markers if name in set(shared)]
    return IdentityResult(
        {name: marker_identity_lr(markers[name], first[name], second[name], theta) for name in order}
    )
