"""Slow, obviously correct pedigree likelihood: enumerate every founder allele and every transmission.

For each founder both alleles are enumerated with their population probability (Hardy-Weinberg with
optional inbreeding, or Balding-Nichols sequential sampling of all founder alleles under theta). For each
child, the allele arriving from each parent is enumerated; its probability is the sum over the parent's
two alleles of 1/2 (Mendel) times ``M[parental allele, arriving allele]`` (mutation). The likelihood is the
total weight of the configurations in which every typed person shows the observed (unordered, possibly
"a/-") genotype. Exponential: for pedigrees of a handful of persons and two or three alleles only.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kintrace.dna.pedigree import Pedigree

Coded = tuple[int | None, int | None]


def _shows(pat: int, mat: int, observed: Coded) -> bool:
    a, b = observed
    if a is None and b is None:
        return True
    if a is None or b is None:
        known = a if a is not None else b
        return known in (pat, mat)
    return sorted((pat, mat)) == sorted((a, b))


def brute_force_likelihood(
    pedigree: Pedigree,
    freqs: np.ndarray,
    observed: Mapping[str, Coded],
    *,
    male: np.ndarray | None = None,
    female: np.ndarray | None = None,
    founder_inbreeding: Mapping[str, float] | None = None,
    theta: float = 0.0,
) -> float:
    n = len(freqs)
    order = list(pedigree.ids)
    inbreeding = dict(founder_inbreeding or {})
    eye = np.eye(n)
    matrices = {1: eye if male is None else male, 2: eye if female is None else female}

    def founder_weight(pat: int, mat: int, pid: str, drawn: list[int]) -> float:
        if theta > 0:
            weight = 1.0
            sequence = list(drawn)
            for allele in (pat, mat):
                j = len(sequence) + 1
                earlier = sequence.count(allele)
                weight *= (earlier * theta + (1 - theta) * freqs[allele]) / (1 + (j - 2) * theta)
                sequence.append(allele)
            return weight
        f = inbreeding.get(pid, 0.0)
        return (1 - f) * freqs[pat] * freqs[mat] + (f * freqs[pat] if pat == mat else 0.0)

    def visit(i: int, alleles: dict[str, tuple[int, int]], drawn: list[int], weight: float) -> float:
        if weight == 0.0:
            return 0.0
        if i == len(order):
            return weight
        pid = order[i]
        person = pedigree.person(pid)
        total = 0.0
        if person.is_founder:
            for pat in range(n):
                for mat in range(n):
                    if pid in observed and not _shows(pat, mat, observed[pid]):
                        continue
                    w = founder_weight(pat, mat, pid, drawn)
                    alleles[pid] = (pat, mat)
                    total += visit(i + 1, alleles, [*drawn, pat, mat], weight * w)
            return total
        assert person.father is not None and person.mother is not None
        father, mother = alleles[person.father], alleles[person.mother]
        for pat in range(n):
            w_pat = 0.5 * (matrices[1][father[0], pat] + matrices[1][father[1], pat])
            if w_pat == 0.0:
                continue
            for mat in range(n):
                w_mat = 0.5 * (matrices[2][mother[0], mat] + matrices[2][mother[1], mat])
                if w_mat == 0.0:
                    continue
                if pid in observed and not _shows(pat, mat, observed[pid]):
                    continue
                alleles[pid] = (pat, mat)
                total += visit(i + 1, alleles, drawn, weight * w_pat * w_mat)
        return total

    return visit(0, {}, [], 1.0)
