"""Pairwise LR and exclusion matrices of a DVI problem, with dvir 3.4.2's semantics.

``LR(V_i = M_j) = L(all data | V_i placed on M_j) / L(all data | no identification)``: only the
family of ``M_j`` and the victim's own singleton likelihood change, so per marker
``LR = P(family data, M_j = V_i's genotype) / (P(family data) * P(V_i's genotype))``.

The engine (:class:`FamilyEngine`) works on one reference family. Per marker it lumps the alleles
that no reference and no candidate victim carries into one allele of frequency ``1 - sum(kept)``
(pedprobr's rule; exact for any superset of the observed alleles, and it keeps tables small), builds
the core's variable-elimination factors (:func:`kintrace.dna.elimination.build_factors`) and contracts
them while *keeping* chosen variables: a missing person's two allele variables (a table over all its
genotypes, with mutation) or batch variables attached to the missing persons' evidence (a table over
every combination of candidate victims, for the joint search). The core's ``evidence_likelihood``
sums every variable out, which is why the contraction is done here on the core's factors.

Without mutation, :class:`MendelianTables` computes a missing person's table for all markers in one
elimination (markers as a batch variable, unobserved alleles in two lumps) and expands it exactly to
every genotype: that is the path of the large pairwise matrices (bench200) and of every exclusion
matrix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kintrace.dna.dvi_data import DviData, Family, Victim
from kintrace.dna.elimination import build_factors, einsum_letters, informative_persons
from kintrace.dna.genotypes import AlleleCodes, Genotype, ordered_indicator
from kintrace.dna.likelihood import singleton_likelihood
from kintrace.dna.lumping import LumpedMarker, lump_marker
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.mutation import r_sum
from kintrace.dna.pedigree import Pedigree

FactorT = tuple[np.ndarray, tuple[int, ...]]


def elimination_order(
    scopes: Sequence[tuple[int, ...]], sizes: Mapping[int, int], keep: Sequence[int]
) -> tuple[list[int], int]:
    """Greedy order of summation and the largest factor it leaves (in entries).

    Each step sums out the variable whose combined factor is smallest, so that large batch variables
    are joined as late as possible. Plans are cached: families of one shape share theirs.
    """
    used = sorted({v for vs in scopes for v in vs} | set(keep))
    order, peak = _plan(tuple(scopes), tuple((v, sizes[v]) for v in used), tuple(keep))
    return list(order), peak


@lru_cache(maxsize=4096)
def _plan(
    scopes: tuple[tuple[int, ...], ...], size_items: tuple[tuple[int, int], ...], keep: tuple[int, ...]
) -> tuple[tuple[int, ...], int]:
    sizes = dict(size_items)
    work = [set(s) for s in scopes]
    remaining = set().union(*work) - set(keep) if work else set()
    order: list[int] = []
    peak = 1
    while remaining:
        best: tuple[int, int, set[int]] | None = None
        for v in remaining:
            scope: set[int] = set()
            for vs in work:
                if v in vs:
                    scope |= vs
            scope.discard(v)
            cost = math.prod(sizes[x] for x in scope)
            if best is None or cost < best[0]:
                best = (cost, v, scope)
        assert best is not None
        cost, var, scope = best
        peak = max(peak, cost)
        work = [vs for vs in work if var not in vs] + [scope]
        order.append(var)
        remaining.discard(var)
    return tuple(order), peak


def eliminate(factors: Sequence[FactorT], sizes: Mapping[int, int], keep: Sequence[int]) -> np.ndarray:
    """Contract a product of factors, summing every variable not in ``keep``; axes follow ``keep``."""
    order, _ = elimination_order([vs for _, vs in factors], sizes, keep)
    work = list(factors)
    for var in order:
        involved = [f for f in work if var in f[1]]
        work = [f for f in work if var not in f[1]]
        scope_vars = tuple(sorted({x for _, vs in involved for x in vs} - {var}))
        work.append((_einsum(involved, scope_vars), scope_vars))
    if not work:
        return np.ones(tuple(sizes[k] for k in keep))
    return _einsum(work, tuple(keep))


def _einsum(factors: Sequence[FactorT], out: tuple[int, ...]) -> np.ndarray:
    letters = einsum_letters(vs for _, vs in factors)
    for v in out:
        if v not in letters:
            raise DnaInputError("internal: kept variable absent from every factor")
    expr = (
        ",".join("".join(letters[v] for v in vs) for _, vs in factors)
        + "->"
        + "".join(letters[v] for v in out)
    )
    return np.asarray(np.einsum(expr, *(f for f, _ in factors), optimize=len(factors) > 2))


def kinship(pedigree: Pedigree) -> dict[tuple[str, str], float]:
    """Kinship coefficients of every pair in a pedigree (ribd::kinship, no founder inbreeding)."""
    ids = pedigree.ids  # parents before children
    phi: dict[tuple[str, str], float] = {}
    for k, a in enumerate(ids):
        pa = pedigree.person(a)
        for b in ids[: k + 1]:
            if a == b:
                val = 0.5 if pa.is_founder else 0.5 * (1 + phi[(pa.father, pa.mother)])  # type: ignore[index]
            elif pa.is_founder:
                val = 0.0
            else:
                val = 0.5 * (phi[(pa.father, b)] + phi[(pa.mother, b)])  # type: ignore[index]
            phi[(a, b)] = phi[(b, a)] = val
    return phi


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
    def _code(marker: Marker, g: Genotype | None) -> AlleleCodes | None:
        return None if g is None or g == (None, None) else marker.codes(g)

    @staticmethod
    def _ordered(lumped: LumpedMarker, n: int, coded: AlleleCodes | None) -> np.ndarray:
        """Indicator over ordered (paternal, maternal) allele pairs of an unordered genotype."""
        return ordered_indicator(n, (None, None) if coded is None else lumped.recode(coded))

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

    def placement_table_peak(self, marker_index: int, dims: Mapping[str, int]) -> int:
        """Largest intermediate factor (entries) :meth:`placement_table` would create."""
        persons = informative_persons(self.family.pedigree, set(self.family.genotypes) | set(dims))
        factors, var = self._factors(marker_index, persons)
        n = self._states[marker_index].n
        sizes = {v: n for _, vs in factors for v in vs}
        scopes = [vs for _, vs in factors]
        keep = []
        for j, (mp, d) in enumerate(dims.items()):
            sizes[10_000 + j] = d
            keep.append(10_000 + j)
            scopes.append((10_000 + j, *var[mp]))
        return elimination_order(scopes, sizes, keep)[1]

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


class MendelianTables:
    """Missing-person tables of one family without mutation, all markers in one elimination.

    Per marker the reference alleles are kept and every other allele goes into two lumps of half the
    remaining mass ``1 - sum(kept)``; the markers are padded to one size and become a batch variable.
    Without mutation unobserved alleles are exchangeable, so the full table over the marker's alleles
    follows exactly from the small one: ``T[a, u] = T[a, U] p_u / p_U`` and, for two unobserved
    alleles, ``T[u, v] = alpha p_u p_v + beta [u = v] p_u`` with ``alpha`` from the two lumps' cross
    term and ``beta`` (inbreeding of the missing person) from a lump's diagonal.
    """

    def __init__(self, family: Family, markers: Sequence[Marker]) -> None:
        self.family = family
        self.markers = tuple(markers)
        self._kept: list[np.ndarray] = []
        self._lump: list[float] = []
        for m in self.markers:
            seen = np.zeros(m.n_alleles, dtype=bool)
            for table in family.genotypes.values():
                g = table.get(m.name)
                if g is not None:
                    for a in g:
                        if a is not None:
                            seen[m.index(a)] = True
            kept = np.flatnonzero(seen)
            self._kept.append(kept)
            self._lump.append(1.0 - float(m.freqs[kept].sum()))
        self.size = max(k.size for k in self._kept) + 2 if self.markers else 2

    def _small_tables(self, missing_id: str) -> np.ndarray:
        """``(K, N, N)``: P(reference data, missing person's ordered alleles) in the lumped coding."""
        nk, n = len(self.markers), self.size
        freqs = np.zeros((nk, n))
        for k, (m, kept) in enumerate(zip(self.markers, self._kept, strict=True)):
            freqs[k, : kept.size] = m.freqs[kept]
            freqs[k, kept.size] = freqs[k, kept.size + 1] = self._lump[k] / 2.0
        ped = self.family.pedigree
        typed = set(self.family.genotypes)
        persons = informative_persons(ped, typed | {missing_id})
        var = {pid: (2 * i, 2 * i + 1) for i, pid in enumerate(persons)}
        batch = 20_000
        sizes = {v: n for vs in var.values() for v in vs}
        sizes[batch] = nk
        eye = np.eye(n)
        transmit = 0.5 * (eye[:, None, :] + eye[None, :, :])
        factors: list[FactorT] = []
        for pid in persons:
            p = ped.person(pid)
            if p.is_founder:
                factors.append((freqs[:, :, None] * freqs[:, None, :], (batch, *var[pid])))
            else:
                assert p.father is not None and p.mother is not None
                factors.append((transmit, (*var[p.father], var[pid][0])))
                factors.append((transmit, (*var[p.mother], var[pid][1])))
            if pid in typed:
                ev = np.zeros((nk, n, n))
                for k, m in enumerate(self.markers):
                    g = self.family.genotypes[pid].get(m.name)
                    ev[k] = self._small_evidence(k, g)
                factors.append((ev, (batch, *var[pid])))
        return eliminate(factors, sizes, (batch, *var[missing_id]))

    def _small_evidence(self, k: int, g: Genotype | None) -> np.ndarray:
        n = self.size
        out = np.zeros((n, n))
        kept = self._kept[k]
        if g is None or g == (None, None):
            out[: kept.size + 2, : kept.size + 2] = 1.0
            return out
        m = self.markers[k]
        pos = {int(a): i for i, a in enumerate(kept)}
        a, b = (None if x is None else pos[m.index(x)] for x in g)
        if a is None or b is None:
            c = a if a is not None else b
            out[c, : kept.size + 2] = 1.0
            out[: kept.size + 2, c] = 1.0
        else:
            out[a, b] = out[b, a] = 1.0
        return out

    def _inbred(self, missing_id: str) -> bool:
        p = self.family.pedigree.person(missing_id)
        if p.is_founder:
            return False
        return kinship(self.family.pedigree)[(p.father, p.mother)] > 0  # type: ignore[index]

    def placed(self, missing_id: str, alleles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(reference data, missing person = victim genotype) for fully typed victims, all markers.

        ``alleles`` has shape ``(V, K, 2)`` (allele indices in each marker's own table, ``-1`` where
        a victim is not fully typed at a marker; those entries come back as NaN). Also returns the
        references' likelihood per marker.
        """
        small = self._small_tables(missing_id)
        nk = len(self.markers)
        width = max(m.n_alleles for m in self.markers)
        pos = np.full((nk, width), -1, dtype=np.intp)
        freq = np.zeros((nk, width))
        lump_at = np.zeros(nk, dtype=np.intp)
        lump = np.array(self._lump)
        for k, (m, kept) in enumerate(zip(self.markers, self._kept, strict=True)):
            pos[k, kept] = np.arange(kept.size)
            freq[k, : m.n_alleles] = m.freqs
            lump_at[k] = kept.size
        ks = np.arange(nk)
        u1, u2 = lump_at, lump_at + 1
        safe = np.where(lump > 0, lump, 1.0)
        row_u = (small[ks, :, u1] + small[ks, :, u2]) / safe[:, None]  # (K, N): T[kept, U] / p_U
        col_u = (small[ks, u1, :] + small[ks, u2, :]) / safe[:, None]
        half = safe / 2.0
        alpha = small[ks, u1, u2] / (half * half)
        beta = (small[ks, u1, u1] - alpha * half * half) / half if self._inbred(missing_id) else np.zeros(nk)

        a = alleles[..., 0]
        b = alleles[..., 1]
        typed = (a >= 0) & (b >= 0)
        a0, b0 = np.where(typed, a, 0), np.where(typed, b, 0)
        kk = np.broadcast_to(ks, a0.shape)
        pa, pb = pos[kk, a0], pos[kk, b0]
        fa, fb = freq[kk, a0], freq[kk, b0]
        ia, ib = np.maximum(pa, 0), np.maximum(pb, 0)
        seen_a, seen_b = pa >= 0, pb >= 0
        # T(a, b) + T(b, a) for a != b; T(a, a) for homozygotes
        both = small[kk, ia, ib] + np.where(a0 == b0, 0.0, small[kk, ib, ia])
        one_seen_a = row_u[kk, ia] * fb + fb * col_u[kk, ia]  # a kept, b lumped: both orders
        one_seen_b = row_u[kk, ib] * fa + fa * col_u[kk, ib]
        hom = a0 == b0
        none = np.where(hom, alpha[kk] * fa * fa + beta[kk] * fa, 2.0 * alpha[kk] * fa * fb)
        out = np.where(seen_a, np.where(seen_b, both, one_seen_a), np.where(seen_b, one_seen_b, none))
        return np.where(typed, out, np.nan), small.sum(axis=(1, 2))

    def full_tables(self, missing_id: str) -> list[np.ndarray]:
        """Per marker, ``T[a, b]`` = P(reference data, MP's paternal allele a, maternal b), all alleles."""
        small = self._small_tables(missing_id)
        out = []
        for k, m in enumerate(self.markers):
            kept = self._kept[k]
            o = kept.size
            s = small[k]
            full = np.zeros((m.n_alleles, m.n_alleles))
            full[np.ix_(kept, kept)] = s[:o, :o]
            unseen = np.setdiff1d(np.arange(m.n_alleles), kept)
            lump = self._lump[k]
            if unseen.size and lump > 0:
                pu = m.freqs[unseen]
                half = lump / 2.0
                full[np.ix_(kept, unseen)] = np.outer((s[:o, o] + s[:o, o + 1]) / lump, pu)
                full[np.ix_(unseen, kept)] = np.outer(pu, (s[o, :o] + s[o + 1, :o]) / lump)
                alpha = s[o, o + 1] / (half * half)
                beta = (s[o, o] - alpha * half * half) / half if self._inbred(missing_id) else 0.0
                full[np.ix_(unseen, unseen)] = alpha * np.outer(pu, pu) + beta * np.diag(pu)
            out.append(full)
        return out


def _placed(marker: Marker, table: np.ndarray, genotypes: Sequence[Genotype | None]) -> np.ndarray:
    """``sum(table * evidence(g))`` per genotype over a full-allele ordered table."""
    out = np.empty(len(genotypes))
    full = []
    for r, g in enumerate(genotypes):
        if g is not None and g[0] is not None and g[1] is not None:
            full.append(r)
        elif g is None or g == (None, None):
            out[r] = float(table.sum())
        else:
            c = marker.index(g[0] if g[0] is not None else g[1])  # type: ignore[arg-type]
            out[r] = float(table[c, :].sum() + table[:, c].sum() - table[c, c])
    if full:
        a = np.array([marker.index(genotypes[r][0]) for r in full])  # type: ignore[index,arg-type]
        b = np.array([marker.index(genotypes[r][1]) for r in full])  # type: ignore[index,arg-type]
        out[full] = np.where(a == b, table[a, a], table[a, b] + table[b, a])
    return out


@dataclass
class PairwiseResult:
    """``lr[i, j]`` = LR(victims[i] = missing[j]); NaN where the pairing is not considered.
    ``exclusions[i, j]`` = markers incompatible without mutation (NaN where not considered)."""

    victims: tuple[str, ...]
    missing: tuple[str, ...]
    lr: np.ndarray
    exclusions: np.ndarray
    loglik_null: float


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
    :func:`r_sum`). Markers without mutation model go through :class:`MendelianTables` (one
    elimination per missing person for all markers); markers with one through :class:`FamilyEngine`.
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
    mutated = [k for k, m in enumerate(markers) if m.mutation is not None]
    plain_markers = [m.with_mutation(None) if m.mutation is not None else m for m in markers]
    fam_logliks: list[float] = []
    move_fam: list[np.ndarray] = []
    move_vic: list[np.ndarray] = []
    move_mp: list[np.ndarray] = []
    move_ll: list[np.ndarray] = []
    alleles = np.full((len(vics), nk, 2), -1, dtype=np.intp)
    for i, victim in enumerate(dvi.victims):
        for k, m in enumerate(markers):
            g = victim.genotypes.get(m.name)
            if g is not None and g[0] is not None and g[1] is not None:
                alleles[i, k] = (m.index(g[0]), m.index(g[1]))
    by_missing: dict[str, list[int]] = {mp: [] for mp in dvi.missing}
    for vid in vics:
        for c in dict.fromkeys(pairs.get(vid, ())):
            if c in by_missing:
                by_missing[c].append(vindex[vid])
    for f, fam in enumerate(dvi.families):
        cand = {mp: by_missing[mp] for mp in fam.missing if mp in mindex}
        fam_victims = [dvi.victims[i] for i in sorted({i for vs in cand.values() for i in vs})]
        mendel = MendelianTables(fam, plain_markers)
        engine = FamilyEngine(fam, markers, fam_victims) if mutated else None
        base: np.ndarray | None = None
        for mp, rows in cand.items():
            if not rows:
                continue
            num0, plain_base = mendel.placed(mp, alleles[rows])
            if base is None:
                base = plain_base.copy()
            gaps = np.argwhere(np.isnan(num0))
            if gaps.size:  # victims not fully typed at some markers
                tables = mendel.full_tables(mp)
                for r, k in gaps:
                    g = dvi.victims[rows[r]].genotypes.get(markers[k].name)
                    num0[r, k] = _placed(plain_markers[k], tables[k], [g])[0]
            num = num0.copy()
            if engine is not None:
                for k in mutated:
                    genos = [dvi.victims[i].genotypes.get(markers[k].name) for i in rows]
                    num[:, k] = engine.placed_values(k, engine.missing_table(k, mp), genos)
            with np.errstate(divide="ignore"):
                after = r_sum(np.log(num), axis=1) if nk else np.zeros(len(rows))
            n_incomp = (num0 == 0.0).sum(axis=1)
            move_fam.append(np.full(len(rows), f))
            move_vic.append(np.asarray(rows))
            move_mp.append(np.full(len(rows), mindex[mp]))
            move_ll.append(np.asarray(after, dtype=np.float64))
            if exclusions:
                excl[rows, mindex[mp]] = n_incomp
        if base is None:  # no candidate at all: the references alone
            base = np.array([FamilyEngine(fam, [m], []).base_likelihood(0) for m in plain_markers])
        if engine is not None:
            for k in mutated:
                base[k] = engine.base_likelihood(k)
        if np.any(base <= 0):
            bad = markers[int(np.flatnonzero(base <= 0)[0])].name
            raise DnaInputError(f"family {fam.name!r}: reference data impossible at marker {bad!r}")
        fam_logliks.append(float(r_sum(np.log(base))) if nk else 0.0)
        if progress is not None:
            progress(1)
    am = np.array(fam_logliks)
    loglik0 = float(r_sum(logliks_pm)) + (float(r_sum(am)) if am.size else 0.0)
    if move_fam:
        fam_idx = np.concatenate(move_fam)
        vic_idx = np.concatenate(move_vic)
        # R's sequential sums of the victims' logliks without the moved victim, and of the families'
        # logliks with the moved family's replaced, for every move at once
        pm_acc = np.zeros(len(vics), dtype=np.longdouble)
        for i in range(len(vics)):
            pm_acc += np.where(np.arange(len(vics)) == i, 0.0, logliks_pm[i]).astype(np.longdouble)
        am_acc = np.zeros(fam_idx.size, dtype=np.longdouble)
        moved = np.concatenate(move_ll)
        for f in range(am.size):
            am_acc += np.where(fam_idx == f, moved, am[f]).astype(np.longdouble)
        total = pm_acc.astype(np.float64)[vic_idx] + am_acc.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            lr[vic_idx, np.concatenate(move_mp)] = np.exp(total - loglik0)
    return PairwiseResult(vics, dvi.missing, lr, excl, loglik0)


def pairwise_lr(dvi: DviData, **kwargs: object) -> np.ndarray:
    """The pairwise LR matrix alone (victims x missing, NaN = pairing not considered)."""
    return pairwise_matrices(dvi, exclusions=False, **kwargs).lr  # type: ignore[arg-type]


def exclusion_matrix(dvi: DviData) -> np.ndarray:
    """The exclusion matrix alone: markers incompatible without mutation (NaN = not considered)."""
    return pairwise_matrices(dvi).exclusions
