"""Variable elimination over founder and transmitted alleles of a pedigree.

Every person carries two allele variables (paternal, maternal). Founders contribute a factor over
their two alleles (Hardy-Weinberg, optionally with inbreeding), a child contributes one factor per
parent linking that parent's two alleles to the allele it passed on (the parent's mutation matrix),
and observations contribute evidence factors over the person's two alleles. Evidence factors may carry
leading batch dimensions; they broadcast through the whole contraction. Loops need no special care:
elimination works on the factor graph, not on the pedigree tree.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kintrace.dna.markers import DnaInputError
from kintrace.dna.pedigree import Pedigree

_LETTERS = string.ascii_letters


@dataclass
class Factor:
    """A non-negative table over allele variables; ``values.shape = batch + (n,) * len(variables)``."""

    values: np.ndarray
    variables: tuple[int, ...]


def informative_persons(pedigree: Pedigree, typed: set[str]) -> list[str]:
    """Persons that remain after repeatedly dropping untyped persons with no remaining children.

    Dropping such a person leaves the likelihood unchanged (its transmission rows sum to one), and
    pedprobr drops them too, which matters where frequencies do not sum exactly to one.
    """
    keep = set(pedigree.ids)
    n_children = {pid: len(pedigree.children(pid)) for pid in keep}
    stack = [pid for pid in keep if pid not in typed and n_children[pid] == 0]
    while stack:
        pid = stack.pop()
        if pid not in keep:
            continue
        keep.discard(pid)
        p = pedigree.person(pid)
        for parent in (p.father, p.mother):
            if parent is not None and parent in keep:
                n_children[parent] -= 1
                if n_children[parent] == 0 and parent not in typed:
                    stack.append(parent)
    return [pid for pid in pedigree.ids if pid in keep]


def founder_table(freqs: np.ndarray, inbreeding: float) -> np.ndarray:
    """Joint probability of a founder's (paternal, maternal) alleles with inbreeding coefficient f."""
    table = np.multiply.outer(freqs, freqs)
    if inbreeding:
        table = (1.0 - inbreeding) * table + inbreeding * np.diag(freqs)
    return table


def transmission_table(matrix: np.ndarray | None, n: int) -> np.ndarray:
    """``T[a, b, x]``: probability that a parent with alleles (a, b) transmits allele x."""
    if matrix is None:
        eye = np.eye(n)
        return 0.5 * (eye[:, None, :] + eye[None, :, :])
    return 0.5 * (matrix[:, None, :] + matrix[None, :, :])


def balding_nichols_table(
    freqs: np.ndarray, n_founder_alleles: int, theta: float, prior_counts: np.ndarray | None = None
) -> np.ndarray:
    """Joint probability of ``n_founder_alleles`` founder alleles drawn by Balding-Nichols sampling.

    The j-th allele (1-based) is ``a`` with probability ``(b*theta + (1-theta)*p_a) / (1 + (j-2)*theta)``
    where ``b`` counts earlier copies of ``a``. The joint law is exchangeable, so the order does not matter.
    ``prior_counts`` are alleles already drawn (e.g. those of fully typed founders): the table is then
    the conditional probability of the further alleles.
    """
    n = freqs.size
    size = float(n) ** n_founder_alleles
    if size > 2e7:
        raise DnaInputError(
            f"theta correction: {n_founder_alleles} untyped founder alleles over {n} alleles "
            "is too large to tabulate"
        )
    base = np.zeros(n) if prior_counts is None else np.asarray(prior_counts, dtype=np.float64)
    drawn = int(base.sum())
    table = np.ones(())
    eye = np.eye(n)
    for j in range(1, n_founder_alleles + 1):
        # counts[..., a] = number of earlier alleles equal to a
        counts = np.broadcast_to(base, (n,) * (j - 1) + (n,)).copy()
        for i in range(j - 1):
            shape = [1] * (j - 1) + [n]
            shape[i] = n
            counts = counts + eye.reshape(shape)
        step = (counts * theta + (1.0 - theta) * freqs) / (1.0 + (drawn + j - 2) * theta)
        table = table[..., None] * step
    return table


def balding_nichols_sequence(freqs: np.ndarray, alleles: Sequence[int], theta: float) -> float:
    """Probability of one ordered sequence of founder alleles under Balding-Nichols sampling."""
    counts = np.zeros(freqs.size)
    prob = 1.0
    for j, a in enumerate(alleles, start=1):
        prob *= (counts[a] * theta + (1.0 - theta) * freqs[a]) / (1.0 + (j - 2) * theta)
        counts[a] += 1
    return prob


def build_factors(
    pedigree: Pedigree,
    persons: Sequence[str],
    freqs: np.ndarray,
    male: np.ndarray | None,
    female: np.ndarray | None,
    evidence: Mapping[str, np.ndarray],
    founder_inbreeding: Mapping[str, float],
    theta: float = 0.0,
    fixed_founders: Mapping[str, tuple[int, int]] | None = None,
) -> list[Factor]:
    """Factors of the sub-pedigree ``persons`` (closed under parenthood) over ordered allele evidence.

    ``evidence[pid]`` has shape ``batch + (n, n)`` (paternal, maternal allele). Under theta,
    ``fixed_founders`` names founders whose evidence fixes both alleles (their indices).
    """
    fixed_founders = fixed_founders or {}
    n = freqs.size
    var = {pid: (2 * i, 2 * i + 1) for i, pid in enumerate(persons)}
    factors: list[Factor] = []
    founders = [pid for pid in persons if pedigree.person(pid).is_founder]
    if theta > 0 and founders:
        # Fully typed founders' alleles are drawn first (any order has the same probability, and their
        # evidence counts both phases), the others conditionally: the table then spans untyped alleles only.
        fixed = {pid: fixed_founders[pid] for pid in founders if pid in fixed_founders}
        sequence = [a for pid in fixed for a in fixed[pid]]
        prior = np.bincount(np.asarray(sequence, dtype=np.intp), minlength=freqs.size).astype(np.float64)
        factors.append(Factor(np.array(balding_nichols_sequence(freqs, sequence, theta)), ()))
        for pid in fixed:
            factors.append(Factor(np.ones((freqs.size, freqs.size)), var[pid]))
        rest = [pid for pid in founders if pid not in fixed]
        if rest:
            variables = tuple(v for pid in rest for v in var[pid])
            factors.append(Factor(balding_nichols_table(freqs, len(variables), theta, prior), variables))
    else:
        for pid in founders:
            f = float(founder_inbreeding.get(pid, 0.0))
            factors.append(Factor(founder_table(freqs, f), var[pid]))
    tables: dict[int, np.ndarray] = {}
    for pid in persons:
        p = pedigree.person(pid)
        if p.is_founder:
            continue
        assert p.father is not None and p.mother is not None
        for parent, sex, slot in ((p.father, 1, 0), (p.mother, 2, 1)):
            if sex not in tables:
                tables[sex] = transmission_table(male if sex == 1 else female, n)
            factors.append(Factor(tables[sex], (*var[parent], var[pid][slot])))
    for pid in persons:
        if pid in evidence:
            factors.append(Factor(evidence[pid], var[pid]))
    return factors


def einsum_letters(scopes: Iterable[Sequence[int]]) -> dict[int, str]:
    """One ``numpy.einsum`` subscript letter per variable, in order of first appearance."""
    letters: dict[int, str] = {}
    for scope in scopes:
        for v in scope:
            if v not in letters:
                if len(letters) >= len(_LETTERS):
                    raise DnaInputError(
                        "pedigree too complex for exact elimination (too many linked alleles)"
                    )
                letters[v] = _LETTERS[len(letters)]
    return letters


def _einsum(operands: list[Factor], out: tuple[int, ...]) -> Factor:
    letters = einsum_letters(f.variables for f in operands)
    sizes: dict[int, int] = {}
    for f in operands:
        trailing = f.values.shape[f.values.ndim - len(f.variables) :]
        sizes.update(zip(f.variables, trailing, strict=True))
    inputs = ",".join("..." + "".join(letters[v] for v in f.variables) for f in operands)
    output = "..." + "".join(letters[v] for v in out)
    # Large products go through numpy's BLAS-backed path; small ones skip its planning overhead.
    work = math.prod(sizes.values()) * max(_batch_size(f) for f in operands)
    values = np.einsum(f"{inputs}->{output}", *(f.values for f in operands), optimize=work > 200_000)
    return Factor(values, out)


def _contract(factors: list[Factor], keep: tuple[int, ...]) -> Factor:
    """Multiply ``factors`` and sum out every variable not in ``keep``, two operands at a time.

    The pair with the smallest union of variables is joined first, and a variable is summed as soon as
    no remaining operand needs it, so intermediates stay near the size of the final scope.
    """
    if len(factors) == 1:
        return _einsum(factors, keep)
    pending = list(factors)
    while len(pending) > 1:
        best: tuple[int, int, int] | None = None
        for i in range(len(pending)):
            for j in range(i + 1, len(pending)):
                union = len(set(pending[i].variables) | set(pending[j].variables))
                if best is None or union < best[0]:
                    best = (union, i, j)
        assert best is not None
        _, i, j = best
        a, b = pending[i], pending[j]
        pending = [f for k, f in enumerate(pending) if k not in (i, j)]
        still_needed = set(keep).union(*(f.variables for f in pending))
        union_vars = list(dict.fromkeys((*a.variables, *b.variables)))
        out = tuple(v for v in union_vars if v in still_needed) if pending else keep
        pending.append(_einsum([a, b], out))
    acc = pending[0]
    if acc.variables != keep:
        acc = _einsum([acc], keep)
    return acc


def _batch_size(f: Factor) -> int:
    return math.prod(f.values.shape[: f.values.ndim - len(f.variables)])


def eliminate_all(factors: list[Factor], n_states: int, keep: tuple[int, ...] = ()) -> np.ndarray:
    """Sum out every variable except ``keep`` (greedy: smallest resulting factor first).

    Returns the batch result, with one trailing axis per kept variable in the order of ``keep``.
    """
    alive: dict[int, Factor] = dict(enumerate(factors))
    batch = {i: _batch_size(f) for i, f in alive.items()}
    by_var: dict[int, set[int]] = {}
    for i, f in alive.items():
        for v in f.variables:
            by_var.setdefault(v, set()).add(i)
    remaining = set(by_var) - set(keep)
    next_id = len(alive)
    while remaining:
        # Cost = size of the factor the step creates, batch dimensions included, so that batched
        # evidence (e.g. an identity over one person's genotypes) is joined as late as possible.
        best: tuple[float, int, set[int]] | None = None
        for v in remaining:
            ids = by_var[v]
            scope: set[int] = set()
            for i in ids:
                scope.update(alive[i].variables)
            scope.discard(v)
            cost = float(n_states) ** len(scope) * max(batch[i] for i in ids)
            if best is None or cost < best[0]:
                best = (cost, v, scope)
        assert best is not None
        _, v, scope = best
        chosen = sorted(by_var.pop(v))
        involved = [alive.pop(i) for i in chosen]
        new = _contract(involved, tuple(sorted(scope)))
        for i in chosen:
            for u in scope:
                by_var[u].discard(i)
            batch.pop(i)
        alive[next_id] = new
        batch[next_id] = _batch_size(new)
        for u in new.variables:
            by_var[u].add(next_id)
        next_id += 1
        remaining.discard(v)
    rest = list(alive.values())
    if keep:
        return _contract(rest, keep).values
    result: np.ndarray = np.ones(())
    for f in rest:
        result = result * f.values
    return result
