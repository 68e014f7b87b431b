"""Per-family lookup rows over a few alleles: the fast table build for families with several references.

A family whose references are all different (two parents, a parent and a sibling...) shares its table
row with no other family, so each row is computed. Over the full allele table that costs about
``families x n_alleles^3`` per marker (tens of ms per family). But only the alleles the references carry
(at most 2 per reference) can enter the family's pedigree other than in proportion to their
population frequency: with no mutation model or a proportional-type one (``proportional``; ``equal``
only with equal frequencies: every off-diagonal ``M[a, x]`` a common multiple of ``p[x]``), all the
others may be merged into one lumped allele, exactly. So each family is recoded to its observed
alleles, padding alleles of frequency 0 (so every family of a batch has the same number ``K``) and one lump of
frequency 1 - sum(observed), as pedprobr lumps; one batched elimination over ``K <= 2 x references
+ 1`` alleles gives ``P(data, MP = (x, y))`` over those, and each full genotype takes its share
(``p_a / p_lump`` for each of its alleles in the lump). Other mutation models (``stepwise``...) are
not lumpable: the caller takes the full computation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kintrace.dna.elimination import Factor, eliminate_all, informative_persons
from kintrace.dna.genotypes import Genotype, genotype_alleles
from kintrace.dna.likelihood import proportional_type
from kintrace.dna.markers import Marker
from kintrace.dna.pedigree import Pedigree


def lumpable(marker: Marker) -> bool:
    mut = marker.mutation
    return mut is None or (
        proportional_type(mut.female, marker.freqs) and proportional_type(mut.male, marker.freqs)
    )


def _lumped_matrices(
    matrix: np.ndarray, keep: np.ndarray, real: np.ndarray, first_lump: np.ndarray
) -> np.ndarray:
    """pedmut's lumped matrix of every family at once: ``(F, K, K)``; padding rows and columns 0."""
    n_fam, k1 = keep.shape
    out = np.zeros((n_fam, k1 + 1, k1 + 1))
    rows = np.concatenate([keep, first_lump[:, None]], axis=1)  # (F, K)
    out[:, :, :k1] = matrix[rows[:, :, None], keep[:, None, :]] * real[:, None, :]
    out[:, :, k1] = 1.0 - out[:, :, :k1].sum(axis=2)
    out[:, :k1, :] *= real[:, :, None]  # padding alleles never occur; their rows are unused
    return out


def lumped_joint(
    pedigree: Pedigree,
    missing_id: str,
    marker: Marker,
    typed: Sequence[str],
    genotypes: Sequence[Sequence[Genotype]],
) -> tuple[np.ndarray, np.ndarray]:
    """``P(data, MP = k)`` (F, n_g) and ``P(data)`` (F,) as ``lr_table.joint_with_missing``, for a
    lumpable marker (see ``lumpable``)."""
    n = marker.n_alleles
    n_fam = len(genotypes)
    p = marker.freqs
    index = {a: i for i, a in enumerate(marker.alleles)}
    # Observed alleles of each family, in order of appearance.
    observed = [list(dict.fromkeys(index[a] for g in fam for a in g if a is not None)) for fam in genotypes]
    k1 = max((len(o) for o in observed), default=0)  # kept alleles (with padding)
    k = k1 + 1
    keep = np.zeros((n_fam, k1), dtype=np.intp)
    real = np.zeros((n_fam, k1), dtype=bool)
    code = np.full((n_fam, n), k1, dtype=np.intp)  # full allele -> local (lump by default)
    for f, obs in enumerate(observed):
        keep[f, : len(obs)] = obs
        real[f, : len(obs)] = True
        code[f, obs] = np.arange(len(obs))
    in_lump = code == k1  # (F, n)
    # pedprobr's lump: 1 - sum(observed), not the sum of the others, so that frequencies that do not
    # sum to one exactly give the exact path's value (the missing person's allele b outside the
    # references' is then "b within the lump", share p_b / p_lump, as the exact path lumps U's too).
    p_lump = np.where(in_lump.any(axis=1), 1.0 - (p[keep] * real).sum(axis=1), 0.0)
    freqs = np.concatenate([p[keep] * real, p_lump[:, None]], axis=1)  # (F, K)
    first_lump = np.argmax(in_lump, axis=1)

    rows = np.arange(n_fam)
    evidence: dict[str, np.ndarray] = {}
    for j, pid in enumerate(typed):
        e = np.zeros((n_fam, k, k))
        for f, fam in enumerate(genotypes):
            a, b = fam[j]
            if a is not None and b is not None:
                x, y = code[f, index[a]], code[f, index[b]]
                e[f, x, y] = e[f, y, x] = 1.0
            else:
                x = code[f, index[a if a is not None else b]]  # type: ignore[index]
                e[f, x, :] = e[f, :, x] = 1.0
        evidence[pid] = e

    mut = marker.mutation
    if mut is None:
        eye = np.eye(k)
        mendel = 0.5 * (eye[:, None, :] + eye[None, :, :])
        trans = {1: mendel, 2: mendel}
    else:
        trans = {}
        for sex, matrix in ((1, mut.male), (2, mut.female)):
            m = _lumped_matrices(matrix, keep, real, first_lump)
            trans[sex] = 0.5 * (m[:, :, None, :] + m[:, None, :, :])

    def factors(persons: list[str]) -> list[Factor]:
        var = {pid: (2 * i, 2 * i + 1) for i, pid in enumerate(persons)}
        out = []
        for pid in persons:
            person = pedigree.person(pid)
            if person.father is None or person.mother is None:
                out.append(Factor(freqs[:, :, None] * freqs[:, None, :], var[pid]))
            else:
                for parent, sex, slot in ((person.father, 1, 0), (person.mother, 2, 1)):
                    out.append(Factor(trans[sex], (*var[parent], var[pid][slot])))
            if pid in evidence:
                out.append(Factor(evidence[pid], var[pid]))
        return out

    with_mp = informative_persons(pedigree, {*typed, missing_id})
    i = with_mp.index(missing_id)
    table = np.broadcast_to(eliminate_all(factors(with_mp), k, (2 * i, 2 * i + 1)), (n_fam, k, k))
    data = np.broadcast_to(eliminate_all(factors(informative_persons(pedigree, set(typed))), k), (n_fam,))

    # Spread over full genotypes {a, b}: the lumped unordered value, times each lumped allele's share.
    ia, ib = genotype_alleles(n)
    la, lb = code[:, ia], code[:, ib]  # (F, n_g)
    r = rows[:, None]
    unordered = np.where(la == lb, table[r, la, lb], table[r, la, lb] + table[r, lb, la])
    safe = np.where(p_lump > 0, p_lump, 1.0)[:, None]
    share_a = np.where(in_lump[:, ia], p[ia][None, :] / safe, 1.0)
    share_b = np.where(in_lump[:, ib], p[ib][None, :] / safe, 1.0)
    both = in_lump[:, ia] & in_lump[:, ib] & (ia != ib)[None, :]
    # Two different lumped alleles: the lump's (L, L) mass counts each ordered pair once.
    joint = unordered * share_a * share_b * np.where(both, 2.0, 1.0)
    return joint, data.copy()
