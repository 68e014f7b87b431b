"""Which persons and factors pedprobr's Elston-Stewart peeling actually uses.

In real arithmetic every untyped founder and every uninformative branch contributes a factor of one.
In floating point the frequency tables sum to one only within ~1e-9, so where pedprobr does not lump
alleles (mutation models that are not lumpable, or at most one unobserved allele) the set of founders it
sums over, and how, shows in the ninth digit. This module reproduces that set:

* pedtools' peeling order (nuclear families with their link person) and pedprobr's
  ``informativeSubnucs`` (uninformative leaves and nuclei dropped; a child of two uninformative founders
  "treated as founder" under stationary models), where "typed" means typed at any marker of the call;
* pedprobr's "simple founders" (founders with exactly one child): their transmitted allele is drawn
  directly from the frequencies, so an untyped one contributes ``sum(p)`` rather than ``sum(p)**2``.

The factors themselves are built over allele variables and contracted by variable elimination.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from kintrace.dna.elimination import (
    Factor,
    build_factors,
    founder_table,
    informative_persons,
    transmission_table,
)
from kintrace.dna.genotypes import ordered_indicator
from kintrace.dna.pedigree import Pedigree


@dataclass
class Nucleus:
    father: str
    mother: str
    children: list[str]
    link: str | None = None  # None: the last nucleus (pedtools' link 0)
    in_loop: bool = False


def component_order(pedigree: Pedigree, members: Collection[str]) -> list[str]:
    """Members of one component in the pedigree's input order."""
    wanted = set(members)
    return [pid for pid in pedigree.input_order if pid in wanted]


def peeling_order(pedigree: Pedigree, order: list[str]) -> list[Nucleus]:
    """pedtools::peelingOrder over the persons ``order`` (a closed component, in internal order)."""
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for pid in order:
        p = pedigree.person(pid)
        if p.father is not None and p.mother is not None and (p.father, p.mother) not in seen:
            seen.add((p.father, p.mother))
            pairs.append((p.father, p.mother))
    nucs = [
        Nucleus(f, m, [c for c in order if (pedigree.person(c).father, pedigree.person(c).mother) == (f, m)])
        for f, m in reversed(pairs)
    ]
    peeling: list[Nucleus] = []
    i = 0
    while nucs:
        nuc = nucs[i]
        members = [nuc.father, nuc.mother, *nuc.children]
        if len(nucs) > 1:
            others = {x for j, o in enumerate(nucs) if j != i for x in (o.father, o.mother, *o.children)}
            links: list[str | None] = [x for x in members if x in others]
        else:
            links = [None]
        if len(links) == 1:
            nuc.link = links[0]
            peeling.append(nuc)
            del nucs[i]
            i = 0
        elif i == len(nucs) - 1:
            for rest in nucs:
                rest.in_loop = True
            peeling.extend(nucs)
            break
        else:
            i += 1
    return peeling


def informative_nuclei(
    pedigree: Pedigree, order: list[str], nucs: list[Nucleus], typed: Collection[str], stationary: bool
) -> tuple[list[Nucleus], set[str]]:
    """pedprobr::informativeSubnucs: the nuclei kept, and the persons to treat as founders."""
    untyped = {pid: pid not in typed for pid in order}
    if not any(untyped.values()):
        return nucs, set()
    if len(nucs) == 1:
        nuc = nucs[0]
        return [Nucleus(nuc.father, nuc.mother, [c for c in nuc.children if not untyped[c]], nuc.link)], set()
    n_children = {pid: len(pedigree.children(pid)) for pid in order}
    uninf_leaf = {pid: untyped[pid] and n_children[pid] == 0 for pid in order}
    uninf_founder = {pid: untyped[pid] and pedigree.person(pid).is_founder for pid in order}
    kept: list[Nucleus] = []
    treat_as_founder: set[str] = set()
    for nuc in nucs:
        fa, mo, link = nuc.father, nuc.mother, nuc.link
        if link is not None:
            uninf_leaf[link] = False
        keep = [c for c in nuc.children if not uninf_leaf[c]]
        if not keep and link == fa and uninf_founder[mo]:
            continue
        if not keep and link == mo and uninf_founder[fa]:
            continue
        if stationary and len(keep) == 1 and link == keep[0] and uninf_founder[fa] and uninf_founder[mo]:
            treat_as_founder.add(link)
            continue
        kept.append(Nucleus(fa, mo, keep, link, nuc.in_loop))
        if link is not None:
            uninf_founder[link] = False
    return kept, treat_as_founder


def simple_founder_distribution(
    freqs: np.ndarray, alleles: tuple[int | None, int | None] | None, inbreeding: float
) -> np.ndarray:
    """Distribution of the allele a one-child founder passes on (before mutation), weighted by its own
    genotype probability, as pedprobr's ``.alleleDistrib`` (untyped: the frequencies themselves)."""
    n = freqs.size
    f = inbreeding
    q = np.zeros(n)
    if alleles is None or (alleles[0] is None and alleles[1] is None):
        return freqs.copy()
    a, b = alleles
    if a is None or b is None:
        known = a if a is not None else b
        assert known is not None
        q = freqs * freqs[known] * (1.0 - f)
        # P(passes the known allele) = p_b whatever f (pedprobr writes p_b*(1-f) + f, a slip for f > 0)
        q[known] = freqs[known]
        return q
    if a == b:
        q[a] = freqs[a] ** 2 * (1.0 - f) + freqs[a] * f
    else:
        q[a] = q[b] = freqs[a] * freqs[b] * (1.0 - f)
    return q


def pedprobr_factors(
    pedigree: Pedigree,
    order: list[str],
    freqs: np.ndarray,
    male: np.ndarray | None,
    female: np.ndarray | None,
    coded: Mapping[str, tuple[int | None, int | None]],
    typed_any: Collection[str],
    stationary: bool,
    founder_inbreeding: Mapping[str, float],
) -> list[Factor]:
    """Factors of one connected component (``order``: its members in input order) for one marker."""
    n = freqs.size
    nucs = peeling_order(pedigree, order)
    if any(nuc.in_loop for nuc in nucs):
        # pedprobr breaks loops first; its bookkeeping then differs only where frequencies do not sum to
        # one, so a looped pedigree falls back to plain pruning of uninformative persons.
        return _plain_factors(pedigree, order, freqs, male, female, coded, founder_inbreeding)
    typed = {pid for pid in order if pid in typed_any or pid in coded}
    kept, treat_as_founder = informative_nuclei(pedigree, order, nucs, typed, stationary)
    included: list[str] = []
    as_child: set[str] = set()
    for nuc in kept:
        for pid in (nuc.father, nuc.mother, *nuc.children):
            if pid not in included:
                included.append(pid)
        as_child.update(nuc.children)
    n_children = {pid: len(pedigree.children(pid)) for pid in order}

    def is_founder(pid: str) -> bool:
        return pedigree.person(pid).is_founder or pid in treat_as_founder

    counter = 0
    var: dict[str, tuple[int, ...]] = {}
    simple: set[str] = set()
    for pid in included:
        if is_founder(pid) and n_children[pid] == 1:
            simple.add(pid)
            var[pid] = (counter,)
            counter += 1
        else:
            var[pid] = (counter, counter + 1)
            counter += 2
    factors: list[Factor] = []
    eye = np.eye(n)
    for pid in included:
        f = founder_inbreeding.get(pid, 0.0) if pedigree.person(pid).is_founder else 0.0
        if pid in simple:
            factors.append(Factor(simple_founder_distribution(freqs, coded.get(pid), f), var[pid]))
            continue
        if is_founder(pid):
            factors.append(Factor(founder_table(freqs, f), var[pid]))
        elif pid not in as_child:
            # Not a layout pedprobr produces; stay exact rather than guess its bookkeeping.
            return _plain_factors(pedigree, order, freqs, male, female, coded, founder_inbreeding)
        if pid in coded:
            factors.append(Factor(ordered_indicator(n, coded[pid]), var[pid]))
    for pid in included:
        if pid not in as_child:
            continue
        p = pedigree.person(pid)
        assert p.father is not None and p.mother is not None
        for parent, matrix, slot in ((p.father, male, 0), (p.mother, female, 1)):
            target = var[pid][slot]
            if parent in simple:
                factors.append(Factor(eye if matrix is None else matrix, (var[parent][0], target)))
            else:
                factors.append(Factor(transmission_table(matrix, n), (*var[parent], target)))
    return factors


def _plain_factors(
    pedigree: Pedigree,
    order: list[str],
    freqs: np.ndarray,
    male: np.ndarray | None,
    female: np.ndarray | None,
    coded: Mapping[str, tuple[int | None, int | None]],
    founder_inbreeding: Mapping[str, float],
) -> list[Factor]:
    n = freqs.size
    members = set(order)
    persons = [pid for pid in informative_persons(pedigree, set(coded)) if pid in members]
    evidence = {pid: ordered_indicator(n, coded[pid]) for pid in persons if pid in coded}
    return build_factors(pedigree, persons, freqs, male, female, evidence, founder_inbreeding)
