"""Joint identification: every assignment of victims to missing persons, ranked by likelihood.

dvir 3.4.2 semantics (``dviJoint``, ``Bmarginal``, ``dviGridSize``): an assignment gives each victim
one of its candidate MPs or ``"*"`` (not among the missing), no MP twice. Its log-likelihood is the sum
of the unassigned victims' singleton log-likelihoods and of each family's log-likelihood with the
assigned victims' genotypes placed on its MPs. Rows are sorted by decreasing log-likelihood, ties
broken by the assignment itself (MP names alphabetically, ``"*"`` last).

Speed: a family's likelihood depends only on which victims sit on its own MPs, so it is computed once
per distinct placement, and all of them at once per marker: either as one table over every
combination of candidate victims (an elimination that keeps one batch variable per MP), or, when that
table would be too large, as a batch over the distinct placements actually used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kintrace.dna.dvi import FamilyEngine
from kintrace.dna.dvi_data import NO_MATCH, DviData
from kintrace.dna.likelihood import singleton_likelihood
from kintrace.dna.markers import DnaInputError

UNASSIGNED = -1
TABLE_LIMIT = 8_000_000  # entries of a per-marker placement table before switching to batches
PEAK_LIMIT = 40_000_000  # entries of the largest intermediate factor of that table (~0.3 GB)
BATCH_SIZE = 2048


class TooManyAssignments(DnaInputError):
    """The joint search would exceed ``max_assign`` assignments (as dvir's ``maxAssign``)."""


def _candidate_indices(dvi: DviData) -> list[list[int]]:
    mindex = {m: j for j, m in enumerate(dvi.missing)}
    out = []
    for v in dvi.victim_ids:
        out.append([mindex[c] for c in dvi.pairings[v] if c != NO_MATCH and c in mindex])
    return out


def _may_stay_unassigned(dvi: DviData) -> list[bool]:
    """Whether each victim's pairings include ``"*"`` (dvir only lets it stay unassigned then)."""
    return [NO_MATCH in dvi.pairings[v] for v in dvi.victim_ids]


def count_assignments(dvi: DviData) -> int:
    """Exact number of joint assignments (dvir's ``dviGridSize`` when it is exact).

    Dynamic programming over the set of MPs already used; exact for up to ~24 MPs.
    """
    cands = _candidate_indices(dvi)
    used = sorted({j for cs in cands for j in cs})
    if len(used) > 24:
        raise DnaInputError(f"count_assignments: {len(used)} candidate MPs is too many to count exactly")
    bit = {j: 1 << k for k, j in enumerate(used)}
    ways = np.zeros(1 << len(used), dtype=object)
    ways[0] = 1
    masks = np.arange(1 << len(used))
    for cs, free_to_stay in zip(cands, _may_stay_unassigned(dvi), strict=True):
        new = ways.copy() if free_to_stay else np.zeros_like(ways)
        for j in cs:
            b = bit[j]
            free = masks[(masks & b) == 0]
            new[free | b] += ways[free]
        ways = new
    return int(ways.sum())


def enumerate_assignments(dvi: DviData, *, max_assign: int | None = 100_000) -> np.ndarray:
    """All assignments as an ``(A, n_victims)`` int array of MP indices (``-1`` = ``"*"``)."""
    cands = _candidate_indices(dvi)
    if max_assign is not None:
        total = count_assignments(dvi)
        if total > max_assign:
            raise TooManyAssignments(
                f"joint search of {dvi.name!r}: {total} assignments exceed max_assign = {max_assign}"
            )
    nv = len(cands)
    may_stay = _may_stay_unassigned(dvi)
    rows: list[tuple[int, ...]] = []
    current = [UNASSIGNED] * nv

    def walk(i: int, used: int) -> None:
        if i == nv:
            rows.append(tuple(current))
            return
        if may_stay[i]:
            current[i] = UNASSIGNED
            walk(i + 1, used)
        for j in cands[i]:
            if not used >> j & 1:
                current[i] = j
                walk(i + 1, used | (1 << j))
        current[i] = UNASSIGNED

    walk(0, 0)
    return np.array(rows, dtype=np.int32).reshape(len(rows), nv)


@dataclass
class JointResult:
    """The ranked joint table: ``assignments[r, i]`` is the MP index of victim ``i`` (``-1`` = ``"*"``)."""

    victims: tuple[str, ...]
    missing: tuple[str, ...]
    assignments: np.ndarray
    loglik: np.ndarray
    loglik_null: float

    @property
    def n_assignments(self) -> int:
        return int(self.loglik.size)

    def label(self, row: int, victim: int) -> str:
        j = int(self.assignments[row, victim])
        return NO_MATCH if j == UNASSIGNED else self.missing[j]

    def row_labels(self, row: int) -> dict[str, str]:
        return {v: self.label(row, i) for i, v in enumerate(self.victims)}

    def lr_vs_null(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.exp(self.loglik - self.loglik_null)

    def lr_top_vs_this(self) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            return np.exp(self.loglik[0] - self.loglik)

    def posterior(self) -> np.ndarray:
        """Posterior of each assignment under a flat prior over all of them."""
        top = float(np.max(self.loglik)) if self.loglik.size else -np.inf
        if not np.isfinite(top):
            return np.zeros_like(self.loglik)
        w = np.exp(self.loglik - top)
        return w / w.sum()

    def marginals(self) -> np.ndarray:
        """dvir's ``Bmarginal`` (flat prior): ``[i, j]`` = P(victim i is MP j); last column = ``"*"``."""
        post = self.posterior()
        nm = len(self.missing)
        out = np.zeros((len(self.victims), nm + 1))
        for i in range(len(self.victims)):
            col = np.where(self.assignments[:, i] == UNASSIGNED, nm, self.assignments[:, i])
            out[i] = np.bincount(col, weights=post, minlength=nm + 1)
        return out


def _family_logliks(
    dvi: DviData,
    assignments: np.ndarray,
    engine: FamilyEngine,
    fam_missing: list[int],
    cands: dict[int, list[int]],
    progress: Callable[[int], None] | None,
) -> np.ndarray:
    """Log-likelihood of one family for every row of ``assignments`` (victim x MP index array)."""
    nrows = assignments.shape[0]
    # placement code per row and MP: 0 = nobody, 1 + position in the MP's candidate list
    codes = np.zeros((nrows, len(fam_missing)), dtype=np.int64)
    for k, j in enumerate(fam_missing):
        for pos, vi in enumerate(cands[j]):
            codes[assignments[:, vi] == j, k] = pos + 1
    dims = [len(cands[j]) + 1 for j in fam_missing]
    markers = engine.markers
    victims = dvi.victims

    def domain(k: int, j: int) -> np.ndarray:
        rows = [np.ones_like(engine.evidence(k, None))]
        rows += [engine.evidence(k, victims[vi].genotypes.get(markers[k].name)) for vi in cands[j]]
        return np.stack(rows)

    names = [dvi.missing[j] for j in fam_missing]
    if not fam_missing:
        total = 0.0
        for k in range(len(markers)):
            total += math.log(engine.base_likelihood(k))
            if progress:
                progress(1)
        return np.full(nrows, total)
    use_table = math.prod(dims) <= TABLE_LIMIT
    if use_table:
        widest = max(range(len(markers)), key=lambda k: engine.evidence(k, None).shape[0])
        peak = engine.placement_table_peak(widest, dict(zip(names, dims, strict=True)))
        use_table = peak <= PEAK_LIMIT
    if use_table:
        log_table = np.zeros(dims)
        for k in range(len(markers)):
            table = engine.placement_table(
                k, {mp: domain(k, j) for mp, j in zip(names, fam_missing, strict=True)}
            )
            with np.errstate(divide="ignore"):
                log_table += np.log(table)
            if progress:
                progress(1)
        return np.asarray(log_table[tuple(codes.T)])
    # Too many combinations for one table: batch the distinct placements that occur.
    uniq, inverse = np.unique(codes, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    logs = np.zeros(uniq.shape[0])
    for k in range(len(markers)):
        doms = [domain(k, j) for j in fam_missing]
        for start in range(0, uniq.shape[0], BATCH_SIZE):
            block = uniq[start : start + BATCH_SIZE]
            ev = {mp: doms[c][block[:, c]] for c, mp in enumerate(names)}
            with np.errstate(divide="ignore"):
                logs[start : start + block.shape[0]] += np.log(engine.batch_likelihood(k, ev))
        if progress:
            progress(1)
    return logs[inverse]


def joint_steps(dvi: DviData) -> int:
    """Number of progress steps :func:`dvi_joint` reports (families x markers)."""
    return len(dvi.families) * len(dvi.markers)


def dvi_joint(
    dvi: DviData,
    *,
    assignments: np.ndarray | None = None,
    max_assign: int | None = 100_000,
    progress: Callable[[int], None] | None = None,
) -> JointResult:
    """dvir's ``dviJoint(dvi)``: all assignments with their log-likelihoods, ranked."""
    if assignments is None:
        assignments = enumerate_assignments(dvi, max_assign=max_assign)
    if assignments.shape[0] == 0:
        raise DnaInputError(f"joint search of {dvi.name!r}: no possible assignments")
    markers = dvi.markers
    nv = len(dvi.victims)
    with np.errstate(divide="ignore"):
        log_pv = np.array(
            [
                sum(np.log(singleton_likelihood(m, v.genotypes.get(m.name))) for m in markers)
                for v in dvi.victims
            ]
        ).reshape(nv)
    loglik = np.where(assignments == UNASSIGNED, log_pv[None, :], 0.0).sum(axis=1)
    loglik_null = float(log_pv.sum())
    for fam in dvi.families:
        fam_missing = [dvi.missing.index(m) for m in fam.missing if m in dvi.missing]
        # the victims that some assignment places on each MP (those of its pairings, or as supplied)
        cands = {j: [vi for vi in range(nv) if np.any(assignments[:, vi] == j)] for j in fam_missing}
        involved = {vi for vs in cands.values() for vi in vs}
        engine = FamilyEngine(fam, markers, [dvi.victims[vi] for vi in sorted(involved)])
        base = [engine.base_likelihood(k) for k in range(len(markers))]
        for k, b in enumerate(base):
            if b <= 0:
                raise DnaInputError(
                    f"family {fam.name!r}: reference data impossible at marker {markers[k].name!r}"
                )
        fam_ll = _family_logliks(dvi, assignments, engine, fam_missing, cands, progress)
        loglik = loglik + fam_ll
        loglik_null += sum(math.log(b) for b in base)
    order = _rank(assignments, loglik, dvi.missing)
    return JointResult(dvi.victim_ids, dvi.missing, assignments[order], loglik[order], loglik_null)


def _rank(assignments: np.ndarray, loglik: np.ndarray, missing: Sequence[str]) -> np.ndarray:
    """Decreasing log-likelihood, then each victim's MP name alphabetically with ``"*"`` last."""
    by_name = np.argsort(np.array(missing, dtype=object)) if len(missing) else np.zeros(0, dtype=np.intp)
    rank_of = np.empty(len(missing) + 1, dtype=np.int64)
    rank_of[by_name] = np.arange(len(missing))
    rank_of[-1] = len(missing)  # index -1 (unassigned) sorts last
    keys = [rank_of[assignments[:, i]] for i in range(assignments.shape[1] - 1, -1, -1)]
    primary = np.where(np.isnan(loglik), np.inf, -loglik)
    return np.lexsort((*keys, primary))


def joint_to_dict(result: JointResult, *, rows: int | None = 2000) -> dict[str, object]:
    """The oracle's ``joint`` layout: n_assignments, loglik_null, rows_exported, rows[]."""
    n = result.n_assignments
    shown = n if rows is None else min(n, rows)
    lr_null = result.lr_vs_null()
    lr_top = result.lr_top_vs_this()
    post = result.posterior()
    out_rows = []
    for r in range(shown):
        row: dict[str, object] = dict(result.row_labels(r))
        ll = float(result.loglik[r])
        row["loglik"] = ll if np.isfinite(ll) else None
        row["LR_top_vs_this"] = float(lr_top[r]) if np.isfinite(lr_top[r]) else None
        row["LR_vs_null"] = float(lr_null[r])
        row["posterior_flat"] = float(post[r])
        out_rows.append(row)
    return {
        "n_assignments": n,
        "loglik_null": result.loglik_null,
        "rows_exported": shown,
        "rows": out_rows,
    }


def marginals_to_dict(result: JointResult) -> dict[str, object]:
    """The oracle's ``posterior_marginals`` layout (rows victims, cols missing + ``"*"``)."""
    return {
        "rows": list(result.victims),
        "cols": [*result.missing, NO_MATCH],
        "values": result.marginals().tolist(),
    }


def assignments_from_labels(dvi: DviData, rows: Sequence[Mapping[str, str]]) -> np.ndarray:
    """Assignment array from rows ``{victim: MP or "*"}`` (e.g. a supplied table)."""
    mindex = {m: j for j, m in enumerate(dvi.missing)}
    out = np.full((len(rows), len(dvi.victims)), UNASSIGNED, dtype=np.int32)
    for r, row in enumerate(rows):
        for i, v in enumerate(dvi.victim_ids):
            label = row[v]
            if label != NO_MATCH:
                if label not in mindex:
                    raise DnaInputError(f"assignment row {r}: {label!r} is not a missing person")
                out[r, i] = mindex[label]
    return out
