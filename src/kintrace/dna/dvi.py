"""Pairwise LR and exclusion matrices of a DVI problem, with dvir 3.4.2's semantics.

``LR(V_i = M_j) = L(all data | V_i placed on M_j) / L(all data | no identification)``: only the
family of ``M_j`` and the victim's own singleton likelihood change, so per marker
``LR = P(family data, M_j = V_i's genotype) / (P(family data) * P(V_i's genotype))``.

The engine (:class:`FamilyEngine`) works on one reference family. Per marker it lumps the alleles
that no reference and no candidate victim carries into one allele of frequency ``1 - sum(kept)``
(pedprobr's rule; exact for any superset of the observed alleles, and it keeps tables small), builds
the core's variable-elimination factors (:func:`kintrace.dna.elimination.build_factors`) and contracts
them while *keeping* chosen variables: a missing person's two allele variables (a table over all its
genotypes, for the pairwise matrix) or batch variables attached to the missing persons' evidence (a
table over every combination of candidate victims, for the joint search).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kintrace.dna.dvi_data import NO_MATCH, DviData, Family, Victim
from kintrace.dna.elimination import build_factors, informative_persons
from kintrace.dna.genotypes import Genotype
from kintrace.dna.lumping import LumpedMarker, lump_marker
from kintrace.dna.markers import DnaInputError, Marker

_LETTERS = string.ascii_letters

FactorT = tuple[np.ndarray, tuple[int, ...]]


def eliminate(factors: Sequence[FactorT], sizes: Mapping[int, int], keep: Sequence[int]) -> np.ndarray:
    """Contract a product of factors, summing every variable not in ``keep``; axes follow ``keep``.

    Greedy order: each step sums out the variable whose combined factor is smallest (in entries, so
    that large batch variables are joined as late as possible).
    """
    work = list(factors)
    keep_set = set(keep)
    remaining = {v for _, vs in work for v in vs} - keep_set
    while remaining:
        best: tuple[int, int, tuple[int, ...]] | None = None
        for v in remaining:
            scope: set[int] = set()
            for _, vs in work:
                if v in vs:
                    scope.update(vs)
            scope.discard(v)
            cost = 1
            for s in scope:
                cost *= sizes[s]
            if best is None or cost < best[0]:
                best = (cost, v, tuple(sorted(scope)))
        assert best is not None
        _, var, scope_vars = best
        involved = [f for f in work if var in f[1]]
        work = [f for f in work if var not in f[1]]
        work.append((_einsum(involved, scope_vars), scope_vars))
        remaining.discard(var)
    if not work:
        return np.ones(tuple(sizes[k] for k in keep))
    return _einsum(work, tuple(keep))


def _einsum(factors: Sequence[FactorT], out: tuple[int, ...]) -> np.ndarray:
    letters: dict[int, str] = {}
    for _, vs in factors:
        for v in vs:
            if v not in letters:
                if len(letters) >= len(_LETTERS):
                    raise DnaInputError(
                        "pedigree too complex for exact elimination (too many linked alleles)"
                    )
                letters[v] = _LETTERS[len(letters)]
    for v in out:
        if v not in letters:
            raise DnaInputError("internal: kept variable absent from every factor")
    expr = (
        ",".join("".join(letters[v] for v in vs) for _, vs in factors)
        + "->"
        + "".join(letters[v] for v in out)
    )
    return np.asarray(np.einsum(expr, *(f for f, _ in factors), optimize=len(factors) > 2))


def singleton_likelihood(marker: Marker, genotype: Genotype | None) -> float:
    """P(genotype) of an unrelated person (Hardy-Weinberg; pedprobr's closed form for "a/-")."""
    if genotype is None or genotype == (None, None):
        return 1.0
    a, b = genotype
    if a is None or b is None:
        p = float(marker.freqs[marker.index(a if a is not None else b)])  # type: ignore[arg-type]
        return p * p + 2.0 * p * (1.0 - p)
    pa, pb = float(marker.freqs[marker.index(a)]), float(marker.freqs[marker.index(b)])
    return pa * pa if a == b else 2.0 * pa * pb


def victim_loglik(markers: Sequence[Marker], victim: Victim) -> float:
    """Natural log-likelihood of a victim's profile as an unrelated singleton."""
    with np.errstate(divide="ignore"):
        return float(sum(np.log(singleton_likelihood(m, victim.genotypes.get(m.name))) for m in markers))


@dataclass
class _MarkerState:
    lumped: LumpedMarker
    n: int
    ref_evidence: dict[str, np.ndarray]


class FamilyEngine:
    """Likelihoods of one reference family with victims placed on its missing persons."""

    def __init__(
        self, family: Family, markers: Sequence[Marker], victims: Sequence[Victim], *, mutation: bool = True
    ) -> None:
        self.family = family
        self.markers = tuple(m if mutation else m.with_mutation(None) for m in markers)
        self._states: list[_MarkerState] = []
        self._base_persons = informative_persons(family.pedigree, set(family.genotypes))
        for m in self.markers:
            coded = [self._code(m, g.get(m.name)) for g in family.genotypes.values()]
            coded += [self._code(m, v.genotypes.get(m.name)) for v in victims]
            lumped = lump_marker(m, [c for c in coded if c is not None], all_typed=False)
            n = int(lumped.freqs.size)
            ref_ev = {}
            for pid, table in family.genotypes.items():
                g = table.get(m.name)
                if g is not None and g != (None, None):
                    ref_ev[pid] = self._ordered(lumped, n, self._code(m, g))
            self._states.append(_MarkerState(lumped, n, ref_ev))

    @staticmethod
    def _code(marker: Marker, g: Genotype | None) -> tuple[int | None, int | None] | None:
        if g is None or g == (None, None):
            return None
        return (
            None if g[0] is None else marker.index(g[0]),
            None if g[1] is None else marker.index(g[1]),
        )

    @staticmethod
    def _ordered(lumped: LumpedMarker, n: int, coded: tuple[int | None, int | None] | None) -> np.ndarray:
        """Indicator over ordered (paternal, maternal) allele pairs of an unordered genotype."""
        out = np.zeros((n, n))
        if coded is None:
            out[:] = 1.0
            return out
        a, b = lumped.recode(coded)
        if a is None and b is None:
            out[:] = 1.0
        elif a is None or b is None:
            k = a if a is not None else b
            out[k, :] = 1.0
            out[:, k] = 1.0
        else:
            out[a, b] = 1.0
            out[b, a] = 1.0
        return out

    def evidence(self, marker_index: int, genotype: Genotype | None) -> np.ndarray:
        """Ordered-pair indicator of ``genotype`` in this marker's lumped allele coding."""
        st = self._states[marker_index]
        return self._ordered(st.lumped, st.n, self._code(self.markers[marker_index], genotype))

    def placed_values(
        self, marker_index: int, table: np.ndarray, genotypes: Sequence[Genotype | None]
    ) -> np.ndarray:
        """``sum(table * evidence(g))`` for each genotype: P(data, MP has genotype g) from a missing-person
        table; fully typed genotypes by lookup, the rest through their evidence."""
        st = self._states[marker_index]
        m = self.markers[marker_index]
        out = np.empty(len(genotypes))
        full = []
        for r, g in enumerate(genotypes):
            if g is not None and g[0] is not None and g[1] is not None:
                full.append(r)
            else:
                out[r] = float(np.sum(table * self._ordered(st.lumped, st.n, self._code(m, g))))
        if full:
            codes = st.lumped.codes
            a = np.array([codes[m.index(genotypes[r][0])] for r in full])  # type: ignore[index,arg-type]
            b = np.array([codes[m.index(genotypes[r][1])] for r in full])  # type: ignore[index,arg-type]
            out[full] = np.where(a == b, table[a, a], table[a, b] + table[b, a])
        return out

    def _factors(
        self, marker_index: int, persons: list[str]
    ) -> tuple[list[FactorT], dict[str, tuple[int, int]]]:
        st = self._states[marker_index]
        lm = st.lumped
        evidence = {pid: e for pid, e in st.ref_evidence.items() if pid in set(persons)}
        built = build_factors(self.family.pedigree, persons, lm.freqs, lm.male, lm.female, evidence, {})
        var = {pid: (2 * i, 2 * i + 1) for i, pid in enumerate(persons)}
        return [(f.values, f.variables) for f in built], var

    def base_likelihood(self, marker_index: int) -> float:
        """P(reference data) at one marker."""
        if not self._base_persons:
            return 1.0
        factors, _ = self._factors(marker_index, self._base_persons)
        sizes = {v: self._states[marker_index].n for _, vs in factors for v in vs}
        return float(eliminate(factors, sizes, ()))

    def missing_table(self, marker_index: int, missing_id: str) -> np.ndarray:
        """``T[a, b] = P(reference data, missing person's paternal allele a, maternal allele b)``."""
        persons = informative_persons(self.family.pedigree, set(self.family.genotypes) | {missing_id})
        factors, var = self._factors(marker_index, persons)
        n = self._states[marker_index].n
        sizes = {v: n for _, vs in factors for v in vs}
        return eliminate(factors, sizes, var[missing_id])

    def placement_table(self, marker_index: int, domains: Mapping[str, np.ndarray]) -> np.ndarray:
        """Likelihood of every combination of evidence on the missing persons.

        ``domains[mp]`` has shape ``(d_mp, n, n)`` (ordered-pair indicators, row 0 usually all ones
        = untyped); the result has one axis per entry of ``domains``, in its order.
        """
        persons = informative_persons(self.family.pedigree, set(self.family.genotypes) | set(domains))
        factors, var = self._factors(marker_index, persons)
        n = self._states[marker_index].n
        sizes = {v: n for _, vs in factors for v in vs}
        keep = []
        for j, (mp, dom) in enumerate(domains.items()):
            b = 10_000 + j
            sizes[b] = dom.shape[0]
            keep.append(b)
            factors.append((dom, (b, *var[mp])))
        return eliminate(factors, sizes, keep)

    def batch_likelihood(self, marker_index: int, evidence: Mapping[str, np.ndarray]) -> np.ndarray:
        """Likelihood of ``B`` evidence sets at once: ``evidence[mp]`` has shape ``(B, n, n)``."""
        persons = informative_persons(self.family.pedigree, set(self.family.genotypes) | set(evidence))
        factors, var = self._factors(marker_index, persons)
        n = self._states[marker_index].n
        sizes = {v: n for _, vs in factors for v in vs}
        batch = 10_000
        for mp, ev in evidence.items():
            sizes[batch] = ev.shape[0]
            factors.append((ev, (batch, *var[mp])))
        return eliminate(factors, sizes, (batch,))


@dataclass
class PairwiseResult:
    """``lr[i, j]`` = LR(victims[i] = missing[j]); NaN where the pairing is not considered.
    ``exclusions[i, j]`` = markers incompatible without mutation (NaN where not considered)."""

    victims: tuple[str, ...]
    missing: tuple[str, ...]
    lr: np.ndarray
    exclusions: np.ndarray
    loglik_null: float


def _log(x: float) -> float:
    return float(np.log(x)) if x > 0 else -np.inf


def r_sum(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """R's ``sum()``: sequential accumulation in extended precision, then rounded to double.

    dvir compares LRs with thresholds such as ``LR >= 1``; summing the log-likelihoods the way R does
    keeps values that are 1 in exact arithmetic on the same side of the threshold as dvir's.
    """
    acc = np.add.accumulate(np.asarray(values, dtype=np.longdouble), axis=axis)
    return (
        np.asarray(np.take(acc, -1, axis=axis), dtype=np.float64)
        if acc.shape[axis]
        else np.zeros(np.delete(acc.shape, axis))
    )


def pairwise_matrices(
    dvi: DviData,
    *,
    pairings: Mapping[str, Sequence[str]] | None = None,
    exclusions: bool = True,
    progress: Callable[[int], None] | None = None,
) -> PairwiseResult:
    """dvir's ``pairwiseLR(dvi)$LRmatrix`` and ``exclusionMatrix(dvi)`` in one pass over the families.

    As dvir: ``LR = exp(loglik(after the move) - loglik0)`` where each log-likelihood is the sum of the
    victims' and the families' log-likelihoods, each the sum over markers (R's summation, see
    :func:`r_sum`).
    """
    pairs = {v: tuple(c) for v, c in (pairings or dvi.pairings).items()}
    vics = dvi.victim_ids
    vindex = {v: i for i, v in enumerate(vics)}
    mindex = {m: j for j, m in enumerate(dvi.missing)}
    lr = np.full((len(vics), len(dvi.missing)), np.nan)
    excl = np.full_like(lr, np.nan)
    markers = dvi.markers
    nk = len(markers)
    with np.errstate(divide="ignore"):
        log_pv = np.log(
            np.array(
                [[singleton_likelihood(m, v.genotypes.get(m.name)) for m in markers] for v in dvi.victims]
            )
        ).reshape(len(vics), nk)
    logliks_pm = r_sum(log_pv, axis=1) if nk else np.zeros(len(vics))
    has_mutation = any(m.mutation is not None for m in markers)
    fam_logliks: list[float] = []
    moves: list[tuple[int, int, int, float]] = []  # (family index, victim, mp, family loglik after the move)
    for f, fam in enumerate(dvi.families):
        cand: dict[str, list[str]] = {
            mp: [v for v in vics if mp in pairs.get(v, ())] for mp in fam.missing if mp in mindex
        }
        fam_victims = [dvi.victims[vindex[v]] for v in sorted({v for vs in cand.values() for v in vs})]
        engine = FamilyEngine(fam, markers, fam_victims)
        plain = (
            FamilyEngine(fam, markers, fam_victims, mutation=False) if has_mutation and exclusions else engine
        )
        base = np.array([engine.base_likelihood(k) for k in range(nk)])
        if np.any(base <= 0):
            bad = markers[int(np.flatnonzero(base <= 0)[0])].name
            raise DnaInputError(f"family {fam.name!r}: reference data impossible at marker {bad!r}")
        fam_logliks.append(float(r_sum(np.log(base))) if nk else 0.0)
        for mp, vs in cand.items():
            if not vs:
                continue
            rows = [vindex[v] for v in vs]
            log_num = np.zeros((len(vs), nk))
            n_incomp = np.zeros(len(vs), dtype=np.int64)
            for k in range(nk):
                genos = [dvi.victims[i].genotypes.get(markers[k].name) for i in rows]
                num = engine.placed_values(k, engine.missing_table(k, mp), genos)
                with np.errstate(divide="ignore"):
                    log_num[:, k] = np.log(num)
                if exclusions:
                    num0 = (
                        num if plain is engine else plain.placed_values(k, plain.missing_table(k, mp), genos)
                    )
                    n_incomp += num0 == 0.0
            after = r_sum(log_num, axis=1) if nk else np.zeros(len(vs))
            for r, i in enumerate(rows):
                moves.append((f, i, mindex[mp], float(after[r])))
                if exclusions:
                    excl[i, mindex[mp]] = n_incomp[r]
        if progress is not None:
            progress(1)
    am = np.array(fam_logliks)
    loglik0 = float(r_sum(logliks_pm)) + float(r_sum(am)) if len(am) else float(r_sum(logliks_pm))
    for f, i, j, moved in moves:
        am_new = am.copy()
        am_new[f] = moved
        pm_new = np.delete(logliks_pm, i)
        with np.errstate(invalid="ignore"):
            lr[i, j] = float(np.exp(float(r_sum(pm_new)) + float(r_sum(am_new)) - loglik0))
    return PairwiseResult(vics, dvi.missing, lr, excl, loglik0)


def pairwise_lr(dvi: DviData, **kwargs: object) -> np.ndarray:
    """The pairwise LR matrix alone (victims x missing, NaN = pairing not considered)."""
    return pairwise_matrices(dvi, exclusions=False, **kwargs).lr  # type: ignore[arg-type]


def exclusion_matrix(dvi: DviData) -> np.ndarray:
    """The exclusion matrix alone: markers incompatible without mutation (NaN = not considered)."""
    return pairwise_matrices(dvi).exclusions


def candidate_lists(dvi: DviData) -> dict[str, tuple[str, ...]]:
    """Pairings without the ``"*"`` entry."""
    return {v: tuple(c for c in cs if c != NO_MATCH) for v, cs in dvi.pairings.items()}
