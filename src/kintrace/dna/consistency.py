"""Do a family's references fit the relationships stated between them?

Before a family's references are used, the likelihood of their genotypes under the stated pedigree
(the missing person untyped) is set against the likelihood of the same genotypes in unrelated
people (Hardy-Weinberg): per marker ``P(refs | pedigree) / prod P(g_i)``, and its product over the
markers. Far below 1, the data speak against the stated relationships (a reported full brother who
is not one, a sample swapped between two donors); 0 at a marker, they contradict them outright
(without a mutation model a parent and child must share an allele). A marker where fewer than two
references are typed says nothing and is left out.

Families of one pedigree shape are computed together, as the LR tables are (`joint_with_missing`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kintrace.dna.genotypes import Genotype
from kintrace.dna.likelihood import singleton_likelihood
from kintrace.dna.lr_table import joint_with_missing
from kintrace.dna.markers import Marker
from kintrace.dna.pedigree import Pedigree

# Below this (1 in 1,000 against the stated relationships) the references are flagged.
FLAG_LOG10 = -3.0


@dataclass(frozen=True)
class Consistency:
    """log10 of P(refs | stated pedigree) / P(refs | unrelated) over the informative markers (None
    when some marker contradicts the pedigree), and those contradicting markers."""

    log10_lr: float | None
    contradicting: tuple[str, ...]
    markers_used: int

    @property
    def flagged(self) -> bool:
        return bool(self.contradicting) or (self.log10_lr is not None and self.log10_lr < FLAG_LOG10)


def references_consistency(
    pedigree: Pedigree,
    missing_id: str,
    markers: Mapping[str, Marker],
    families: Sequence[Mapping[str, Mapping[str, Genotype]]],
) -> list[Consistency]:
    """For families of one pedigree, each given as person id -> marker -> genotype (its references)."""
    n = len(families)
    log10 = np.zeros(n)
    used = np.zeros(n, dtype=np.int64)
    contradicting: list[list[str]] = [[] for _ in range(n)]
    for name in sorted(markers):
        marker = markers[name]
        groups: dict[tuple[str, ...], list[int]] = {}
        for f, refs in enumerate(families):
            typed = tuple(sorted(p for p, typed in refs.items() if p != missing_id and name in typed))
            if len(typed) >= 2:
                groups.setdefault(typed, []).append(f)
        for typed, members in groups.items():
            genos = [tuple(families[f][p][name] for p in typed) for f in members]
            _, data = joint_with_missing(pedigree, missing_id, marker, typed, genos)
            for row, f in enumerate(members):
                unrelated = math.prod(singleton_likelihood(marker, g) for g in genos[row])
                used[f] += 1
                if data[row] > 0:
                    log10[f] += math.log10(data[row] / unrelated)
                else:
                    contradicting[f].append(name)
    return [
        Consistency(None if contradicting[f] else float(log10[f]), tuple(contradicting[f]), int(used[f]))
        for f in range(n)
    ]


__all__ = ["FLAG_LOG10", "Consistency", "references_consistency"]
