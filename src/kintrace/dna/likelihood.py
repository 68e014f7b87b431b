"""Exact pedigree likelihood of one marker.

``likelihood`` is the oracle path: it reproduces pedprobr 1.1.0, including its lumping of unobserved
alleles into one allele of frequency ``1 - sum(observed)``, the persons its peeling visits, and its
handling of singletons and of separate pedigree components.

The other functions work on the full allele set (theta = 0), for matching and joint identification:
``evidence_likelihood`` (arbitrary weights over genotypes, broadcasting batch dimensions),
``likelihood_by_genotype`` / ``genotype_table`` (P(data, person = k) for every genotype k of one person)
and ``joint_genotype_table`` (joint genotype distribution of a few persons).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from kintrace.dna.elimination import Factor, build_factors, eliminate_all, informative_persons
from kintrace.dna.genotypes import (
    Genotype,
    genotype_alleles,
    n_genotypes,
    ordered_from_unordered,
    ordered_indicator,
)
from kintrace.dna.lumping import lump_marker, lumped_matrix, r_all_equal
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree
from kintrace.dna.peeling import component_order, pedprobr_factors


def genotype_evidence(marker: Marker, genotype: Genotype) -> np.ndarray:
    """0/1 vector over the marker's unordered genotypes that agree with ``genotype``.

    ``(a, None)`` ("a/-") marks every genotype carrying ``a``; ``(None, None)`` marks all genotypes.
    """
    first, second = _check_genotype(marker, genotype)
    n = marker.n_alleles
    ia, ib = genotype_alleles(n)
    if first is None and second is None:
        return np.ones(n_genotypes(n))
    if second is None or first is None:
        a = marker.index(first if first is not None else second)  # type: ignore[arg-type]
        return ((ia == a) | (ib == a)).astype(np.float64)
    a, b = sorted((marker.index(first), marker.index(second)))
    return ((ia == a) & (ib == b)).astype(np.float64)


def hardy_weinberg(marker: Marker) -> np.ndarray:
    """P(genotype k) of an unrelated person, over the marker's unordered genotypes (theta 0)."""
    ia, ib = genotype_alleles(marker.n_alleles)
    p = marker.freqs
    return np.where(ia == ib, 1.0, 2.0) * p[ia] * p[ib]


def singleton_likelihood(marker: Marker, genotype: Genotype | None) -> float:
    """P(genotype) of an unrelated person (Hardy-Weinberg; pedprobr's closed form for "a/-")."""
    if genotype is None:
        return 1.0
    return _singleton_likelihood(marker.freqs, marker.codes(genotype), 0.0, 0.0)


def _check_genotype(marker: Marker, genotype: Genotype) -> tuple[str | None, str | None]:
    if not isinstance(genotype, tuple | list) or len(genotype) != 2:
        raise DnaInputError(f"marker {marker.name!r}: genotype {genotype!r} must be a pair of alleles")
    first, second = genotype
    return (None if first is None else str(first), None if second is None else str(second))


def _components(pedigree: Pedigree, persons: list[str]) -> list[list[str]]:
    """Connected components (through parent-child links) of ``persons``, each in pedigree order."""
    members = set(persons)
    root = {pid: pid for pid in persons}

    def find(pid: str) -> str:
        while root[pid] != pid:
            root[pid] = root[root[pid]]
            pid = root[pid]
        return pid

    for pid in persons:
        p = pedigree.person(pid)
        for parent in (p.father, p.mother):
            if parent is not None and parent in members:
                root[find(pid)] = find(parent)
    groups: dict[str, list[str]] = {}
    for pid in persons:
        groups.setdefault(find(pid), []).append(pid)
    return list(groups.values())


def _check_inbreeding(pedigree: Pedigree, founder_inbreeding: Mapping[str, float] | None) -> dict[str, float]:
    result: dict[str, float] = {}
    for pid, f in (founder_inbreeding or {}).items():
        if pid not in pedigree:
            raise DnaInputError(f"founder_inbreeding: person {pid!r} is not in the pedigree")
        if not pedigree.person(pid).is_founder:
            raise DnaInputError(f"founder_inbreeding: person {pid!r} is not a founder")
        if not 0.0 <= float(f) <= 1.0:
            raise DnaInputError(f"founder_inbreeding: person {pid!r} has f = {f!r} outside [0, 1]")
        result[pid] = float(f)
    return result


def _ordered_evidence(
    pedigree: Pedigree, marker: Marker, evidence: Mapping[str, np.ndarray], *, batched: bool
) -> dict[str, np.ndarray]:
    """Weights over unordered genotypes, checked and spread over ordered allele pairs."""
    n = marker.n_alleles
    g = n_genotypes(n)
    ordered: dict[str, np.ndarray] = {}
    for pid, values in evidence.items():
        if pid not in pedigree:
            raise DnaInputError(f"evidence: person {pid!r} is not in the pedigree")
        arr = np.asarray(values, dtype=np.float64)
        if batched and (arr.ndim == 0 or arr.shape[-1] != g):
            raise DnaInputError(
                f"evidence for person {pid!r} at marker {marker.name!r}: last axis must have "
                f"{g} genotypes, got shape {arr.shape}"
            )
        if not batched and arr.shape != (g,):
            raise DnaInputError(
                f"evidence for person {pid!r} at marker {marker.name!r}: "
                f"expected shape ({g},), got {arr.shape}"
            )
        ordered[pid] = ordered_from_unordered(arr, n)
    return ordered


def _full_allele_factors(
    pedigree: Pedigree,
    marker: Marker,
    persons: Sequence[str],
    evidence: Mapping[str, np.ndarray],
    inbreeding: Mapping[str, float],
) -> list[Factor]:
    """Elimination factors over the marker's whole allele table (no lumping), with its mutation model."""
    mut = marker.mutation
    male, female = (None, None) if mut is None else (mut.male, mut.female)
    return build_factors(pedigree, persons, marker.freqs, male, female, evidence, inbreeding)


def evidence_likelihood(
    pedigree: Pedigree,
    marker: Marker,
    evidence: Mapping[str, np.ndarray],
    *,
    founder_inbreeding: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Likelihood of weighted genotype evidence, batched.

    ``evidence[pid]`` has shape ``(..., n_genotypes)``; persons absent are untyped; batch dimensions
    broadcast; the result has the broadcast batch shape. Full allele set, theta = 0, no lumping.
    """
    inbreeding = _check_inbreeding(pedigree, founder_inbreeding)
    n = marker.n_alleles
    ordered = _ordered_evidence(pedigree, marker, evidence, batched=True)
    persons = informative_persons(pedigree, set(ordered))
    factors = _full_allele_factors(pedigree, marker, persons, ordered, inbreeding)
    # Unordered evidence is spread over both phases, so summing the ordered-allele factors gives
    # exactly the probability of the unordered genotypes.
    return np.asarray(eliminate_all(factors, n))


def likelihood_by_genotype(
    pedigree: Pedigree,
    marker: Marker,
    evidence: Mapping[str, np.ndarray],
    person: str,
    *,
    founder_inbreeding: Mapping[str, float] | None = None,
    batched: bool = False,
) -> np.ndarray:
    """``P(evidence, person has genotype k)`` for every unordered genotype k of ``person``.

    Same result as ``evidence_likelihood`` with an identity matrix as ``person``'s evidence, but the
    person's alleles are kept as free variables of the elimination instead of a batch dimension, which is
    much cheaper. ``evidence`` values are 1-D over genotypes, or with ``batched`` ``(..., n_genotypes)``
    with broadcasting batch axes (result ``batch + (n_genotypes,)``); ``person`` must not be in it.
    """
    inbreeding = _check_inbreeding(pedigree, founder_inbreeding)
    if person not in pedigree:
        raise DnaInputError(f"person {person!r} is not in the pedigree")
    if person in evidence:
        raise DnaInputError(f"person {person!r} must not carry evidence here")
    n = marker.n_alleles
    ordered = _ordered_evidence(pedigree, marker, evidence, batched=batched)
    included = informative_persons(pedigree, {*ordered, person})
    factors = _full_allele_factors(pedigree, marker, included, ordered, inbreeding)
    i = included.index(person)
    table = eliminate_all(factors, n, (2 * i, 2 * i + 1))
    return unordered_from_ordered(table, 1, n)


def joint_likelihood_by_genotypes(
    pedigree: Pedigree, marker: Marker, evidence: Mapping[str, np.ndarray], persons: Sequence[str]
) -> np.ndarray:
    """``P(evidence, persons have genotypes (k_1, k_2, ...))``: shape ``(n_genotypes,) * len(persons)``.

    ``likelihood_by_genotype`` for several untyped persons at once: their alleles stay free variables
    of one elimination (one call for every genotype combination). ``evidence`` is 1-D per person;
    the persons must carry none."""
    if len(set(persons)) != len(persons):
        raise DnaInputError("joint likelihood by genotypes: persons listed twice")
    for pid in persons:
        if pid not in pedigree:
            raise DnaInputError(f"person {pid!r} is not in the pedigree")
        if pid in evidence:
            raise DnaInputError(f"person {pid!r} must not carry evidence here")
    n = marker.n_alleles
    ordered = _ordered_evidence(pedigree, marker, evidence, batched=False)
    included = informative_persons(pedigree, {*ordered, *persons})
    factors = _full_allele_factors(pedigree, marker, included, ordered, {})
    keep = tuple(v for pid in persons for i in [included.index(pid)] for v in (2 * i, 2 * i + 1))
    return unordered_from_ordered(eliminate_all(factors, n, keep), len(persons), n)


def genotype_table(
    pedigree: Pedigree,
    marker: Marker,
    genotypes: Mapping[str, Genotype],
    person: str,
    *,
    founder_inbreeding: Mapping[str, float] | None = None,
) -> np.ndarray:
    """``P(genotypes, person has genotype k)`` for every unordered genotype k over the full allele set.

    Equal to ``likelihood_by_genotype`` with the genotypes' 0/1 evidence. Without mutation, or with a
    proportional-type model (every off-diagonal ``M[a, x]`` proportional to ``p[x]``), an unobserved allele
    can only enter the pedigree in proportion to its frequency, so the table is computed over the observed
    alleles plus one lump of the others and then spread back in proportion to the frequencies (the lump
    keeps the sum of the unobserved frequencies: agreement with the full computation to rounding).
    Far cheaper for markers with many alleles. Other mutation models use the full computation.
    """
    n = marker.n_alleles
    observed = np.zeros(n, dtype=bool)
    for pid, genotype in genotypes.items():
        if pid == person:
            raise DnaInputError(f"person {person!r} must not carry genotypes here")
        for allele in _check_genotype(marker, genotype):
            if allele is not None:
                observed[marker.index(allele)] = True
    keep = np.flatnonzero(observed)
    lump = np.flatnonzero(~observed)
    mut = marker.mutation
    lumpable = lump.size >= 2 and (
        mut is None
        or (proportional_type(mut.female, marker.freqs) and proportional_type(mut.male, marker.freqs))
    )
    if not lumpable:
        evidence = {pid: genotype_evidence(marker, g) for pid, g in genotypes.items()}
        return likelihood_by_genotype(
            pedigree, marker, evidence, person, founder_inbreeding=founder_inbreeding
        )
    p = marker.freqs
    p_lump = float(p[lump].sum())
    lumped_alleles = (*(marker.alleles[i] for i in keep), "\x00lump")
    lumped_mut = None
    if mut is not None:
        from kintrace.dna.mutation import MutationModel

        lumped_mut = MutationModel(
            female=lumped_matrix(mut.female, keep, lump), male=lumped_matrix(mut.male, keep, lump)
        )
    small = Marker(marker.name, lumped_alleles, np.concatenate([p[keep], [p_lump]]), lumped_mut)
    evidence = {pid: genotype_evidence(small, g) for pid, g in genotypes.items()}
    table = likelihood_by_genotype(pedigree, small, evidence, person, founder_inbreeding=founder_inbreeding)
    # Spread each lumped genotype's value over the full genotypes it stands for.
    code = np.full(n, keep.size, dtype=np.intp)
    code[keep] = np.arange(keep.size)
    ia, ib = genotype_alleles(n)
    ca, cb = np.minimum(code[ia], code[ib]), np.maximum(code[ia], code[ib])
    m = keep.size + 1
    lumped_index = ca * m - ca * (ca - 1) // 2 + (cb - ca)
    share = np.ones(ia.size)
    if p_lump > 0:
        in_lump_a = ~observed[ia]
        in_lump_b = ~observed[ib]
        share = np.where(in_lump_a, p[ia] / p_lump, 1.0) * np.where(in_lump_b, p[ib] / p_lump, 1.0)
        both = in_lump_a & in_lump_b
        share = np.where(both & (ia != ib), 2.0 * share, share)
    else:
        share = np.where(~observed[ia] | ~observed[ib], 0.0, 1.0)
    return table[lumped_index] * share


def proportional_type(matrix: np.ndarray, freqs: np.ndarray) -> bool:
    """Whether every off-diagonal entry is a common multiple of the target allele's frequency."""
    n = freqs.size
    off = ~np.eye(n, dtype=bool)
    if np.any(freqs <= 0):
        return False
    scaled = (matrix / freqs[None, :])[off]
    return r_all_equal(scaled, np.full(scaled.size, scaled[0]))


def unordered_from_ordered(table: np.ndarray, n_persons: int, n_alleles: int) -> np.ndarray:
    """Fold trailing (paternal, maternal) allele axis pairs into unordered genotype axes."""
    ia, ib = genotype_alleles(n_alleles)
    hetero = (ia != ib).astype(np.float64)
    batch = table.ndim - 2 * n_persons
    out = table
    for _ in range(n_persons):
        # the next person's two axes are right after the batch axes; its genotype axis goes last
        first = np.moveaxis(out, (batch, batch + 1), (0, 1))
        folded = first[ia, ib] + hetero.reshape((-1,) + (1,) * (first.ndim - 2)) * first[ib, ia]
        out = np.moveaxis(folded, 0, -1)
    return out


def joint_genotype_table(
    pedigree: Pedigree,
    marker: Marker,
    persons: list[str],
    *,
    founder_inbreeding: Mapping[str, float] | None = None,
    max_entries: float = 2e7,
) -> np.ndarray:
    """Joint distribution of the unordered genotypes of ``persons``: shape ``(n_genotypes,) * len(persons)``.

    Full allele set, no lumping. Raises ``DnaInputError`` when the table would exceed ``max_entries``.
    """
    inbreeding = _check_inbreeding(pedigree, founder_inbreeding)
    for pid in persons:
        if pid not in pedigree:
            raise DnaInputError(f"joint genotype table: person {pid!r} is not in the pedigree")
    if len(set(persons)) != len(persons):
        raise DnaInputError("joint genotype table: persons listed twice")
    n = marker.n_alleles
    if float(n) ** (2 * len(persons)) > max_entries:
        raise DnaInputError(
            f"marker {marker.name!r}: joint table of {len(persons)} persons over {n} alleles is too large"
        )
    included = informative_persons(pedigree, set(persons))
    factors = _full_allele_factors(pedigree, marker, included, {}, inbreeding)
    position = {pid: i for i, pid in enumerate(included)}
    keep = tuple(v for pid in persons for v in (2 * position[pid], 2 * position[pid] + 1))
    ordered = eliminate_all(factors, n, keep)
    return unordered_from_ordered(ordered, len(persons), n)


def _singleton_likelihood(
    freqs: np.ndarray, alleles: tuple[int | None, int | None], inbreeding: float, theta: float
) -> float:
    """pedprobr's closed form for a one-person pedigree (no lumping)."""
    a, b = alleles
    if a is None and b is None:
        return 1.0
    if a is None or b is None:
        p = float(freqs[a if a is not None else b])
        return p * p + 2.0 * p * (1.0 - p)
    f = theta if theta > 0 else inbreeding
    pa, pb = float(freqs[a]), float(freqs[b])
    if a == b:
        return pa * pa * (1.0 - f) + f * pa
    return 2.0 * pa * pb * (1.0 - f)


def is_stationary(marker: Marker) -> bool:
    """pedmut::isStationary for both sexes (``p M == p`` within R's all.equal tolerance)."""
    mut = marker.mutation
    if mut is None:
        return True
    p = marker.freqs
    return r_all_equal(p @ mut.female, p) and r_all_equal(p @ mut.male, p)


def likelihood(
    pedigree: Pedigree,
    marker: Marker,
    genotypes: Mapping[str, Genotype],
    *,
    theta: float = 0.0,
    founder_inbreeding: Mapping[str, float] | None = None,
    typed_elsewhere: Collection[str] = (),
    stationary: bool | None = None,
) -> float:
    """P(all observed genotypes at this marker), exactly as pedprobr 1.1.0 computes it.

    Separate components of the pedigree are computed apart and multiplied (pedprobr's pedigree lists),
    except under theta, where all founders share one Balding-Nichols population sample.
    ``typed_elsewhere`` (persons typed at other markers of the same analysis) and ``stationary``
    (whether every marker of the analysis has a stationary mutation model; default: this marker's)
    only steer which uninformative persons pedprobr peels, which shows where frequencies do not sum
    exactly to one.
    """
    if not 0.0 <= theta < 1.0:
        raise DnaInputError(f"theta {theta!r} must lie in [0, 1)")
    inbreeding = _check_inbreeding(pedigree, founder_inbreeding)
    if theta > 0 and any(inbreeding.values()):
        raise DnaInputError("theta correction cannot be combined with founder inbreeding (as in pedprobr)")
    coded: dict[str, tuple[int | None, int | None]] = {}
    for pid, genotype in genotypes.items():
        if pid not in pedigree:
            raise DnaInputError(f"genotypes: person {pid!r} is not in the pedigree")
        first, second = _check_genotype(marker, genotype)
        if first is None and second is None:
            continue
        coded[pid] = marker.codes((first, second))
    if not coded:
        return 1.0
    if theta > 0:
        if len(pedigree) == 1:  # pedprobr's singleton formula, with theta as the inbreeding coefficient
            (pid,) = coded
            return _singleton_likelihood(marker.freqs, coded[pid], 0.0, theta)
        persons = informative_persons(pedigree, set(coded))
        return _component_likelihood(pedigree, persons, marker, coded, inbreeding, theta)
    if stationary is None:
        stationary = is_stationary(marker)
    typed_any = set(typed_elsewhere) | set(coded)
    result = 1.0
    for group in _components(pedigree, list(pedigree.ids)):
        typed = {pid: coded[pid] for pid in group if pid in coded}
        if not typed:
            continue
        if len(group) == 1:
            pid = group[0]
            result *= _singleton_likelihood(marker.freqs, typed[pid], inbreeding.get(pid, 0.0), 0.0)
        else:
            all_typed = len(typed) == len(group) and all(
                a is not None and b is not None for a, b in typed.values()
            )
            lumped = lump_marker(marker, typed.values(), all_typed=all_typed)
            recoded = {pid: lumped.recode(alleles) for pid, alleles in typed.items()}
            factors = pedprobr_factors(
                pedigree,
                component_order(pedigree, group),
                lumped.freqs,
                lumped.male,
                lumped.female,
                recoded,
                typed_any,
                stationary,
                inbreeding,
            )
            result *= float(eliminate_all(factors, lumped.freqs.size))
        if result == 0.0:
            return 0.0
    return float(result)


def _component_likelihood(
    pedigree: Pedigree,
    group: list[str],
    marker: Marker,
    typed: dict[str, tuple[int | None, int | None]],
    inbreeding: dict[str, float],
    theta: float,
) -> float:
    """All of ``group`` at once with Balding-Nichols sampling of every founder allele."""
    all_typed = len(typed) == len(group) and all(a is not None and b is not None for a, b in typed.values())
    lumped = lump_marker(marker, typed.values(), all_typed=all_typed)
    n = lumped.freqs.size
    recoded = {pid: lumped.recode(alleles) for pid, alleles in typed.items()}
    evidence = {pid: ordered_indicator(n, alleles) for pid, alleles in recoded.items()}
    fixed = {
        pid: (a, b)
        for pid, (a, b) in recoded.items()
        if a is not None and b is not None and pedigree.person(pid).is_founder
    }
    factors = build_factors(
        pedigree, group, lumped.freqs, lumped.male, lumped.female, evidence, inbreeding, theta, fixed
    )
    return float(eliminate_all(factors, n))
