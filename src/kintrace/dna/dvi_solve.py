"""dvir 3.4.2's sequential procedure ``dviSolve`` (defaults threshold 1e4, threshold2 1e3, maxIncomp 2).

Steps, as dvir runs them:

1. Nonidentifiable MPs (kinship 0 with every typed reference and every other MP) are set aside.
2. Loop: exclusions (a pairing with more than ``max_incomp`` markers incompatible without mutation is
   removed; a victim or MP with no pairing left is *Excluded*), then undisputed matches (pairwise
   LR >= threshold and at least ``threshold`` times every other LR in its row and column; the victim's
   data then join the family), until neither step changes the problem.
3. Families with one MP left: the MP's column of the last LR matrix (*Probable*, *Disputed*,
   *Inconclusive*, *No match*, with ``threshold2``).
4. Families with several MPs left: the joint search of that family; generalised LRs (GLR) over the
   joint table give *Match (GLR)* and *Symmetric match*; the rest is *Inconclusive*.
5. Remaining victims: their row of the last LR matrix (PM-driven, ``threshold2``).

Output: an AM table (one row per MP) and a PM table (one row per victim), field names as dvir's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kintrace.dna.dvi import kinship, pairwise_matrices
from kintrace.dna.dvi_data import NO_MATCH, DviData, Family
from kintrace.dna.dvi_joint import JointResult, dvi_joint
from kintrace.dna.pedigree import Pedigree

Row = dict[str, Any]
AM_COLUMNS = ("Family", "Missing", "Sample", "LR", "GLR", "Conclusion", "Comment")
PM_COLUMNS = ("Sample", "Missing", "Family", "LR", "GLR", "Conclusion", "Comment")
_EPS_SQRT = math.sqrt(np.finfo(float).eps)


@dataclass
class LRTable:
    """A labelled matrix (victims x missing); NaN = pairing not considered."""

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    values: np.ndarray

    def get(self, row: str, col: str) -> float | None:
        if row not in self.rows or col not in self.cols:
            return None
        x = float(self.values[self.rows.index(row), self.cols.index(col)])
        return None if math.isnan(x) else x

    def column(self, col: str) -> list[tuple[str, float | None]]:
        if col not in self.cols:
            return []
        j = self.cols.index(col)
        return [
            (r, None if math.isnan(x) else float(x))
            for r, x in zip(self.rows, self.values[:, j], strict=True)
        ]

    def row(self, row: str) -> list[tuple[str, float | None]]:
        if row not in self.rows:
            return []
        i = self.rows.index(row)
        return [
            (c, None if math.isnan(x) else float(x)) for c, x in zip(self.cols, self.values[i], strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": list(self.rows),
            "cols": list(self.cols),
            "values": [[None if math.isnan(x) else float(x) for x in r] for r in self.values],
        }


@dataclass
class SolveResult:
    AM: list[Row]
    PM: list[Row]
    lr_matrix_first: LRTable | None
    exclusion_matrix_first: LRTable | None
    call: str = "dviSolve(dvi) [kintrace]"  # the parameters the steps actually applied

    def to_dict(self) -> dict[str, Any]:
        return {
            "call": self.call,
            "AM": self.AM,
            "PM": self.PM,
            "LRmatrix_first": None if self.lr_matrix_first is None else self.lr_matrix_first.to_dict(),
        }


def _g2(x: float) -> str:
    """R's ``sprintf("%.2g")``."""
    return f"{x:.2g}"


def _safe_max(values: Sequence[tuple[str, float | None]]) -> tuple[str | None, float | None]:
    """Max ignoring NA, with the first name attaining it (R's ``which.max``)."""
    best: tuple[str | None, float | None] = (None, None)
    for name, x in values:
        if x is None:
            continue
        if best[1] is None or x > best[1]:
            best = (name, x)
    return best


# ----------------------------------------------------------------------------- kinship


def relationship(pedigree: Pedigree, a: str, b: str) -> str:
    """A short name of the relationship of ``a`` and ``b`` (the cases verbalisr names most often)."""
    pa, pb = pedigree.person(a), pedigree.person(b)
    if not pa.is_founder and (pa.father, pa.mother) == (pb.father, pb.mother):
        return "full siblings"
    if not pa.is_founder and not pb.is_founder and ({pa.father, pa.mother} & {pb.father, pb.mother}):
        return "half siblings"
    if a in (pb.father, pb.mother) or b in (pa.father, pa.mother):
        return "parent-child"
    return "relatives"


# ----------------------------------------------------------------------------- steps


def _family_name(dvi: DviData, missing_id: str) -> str:
    return dvi.family_of(missing_id).name


def find_nonidentifiable(dvi: DviData) -> tuple[DviData, list[Row]]:
    rows: list[Row] = []
    nonident: list[str] = []
    for fam in dvi.families:
        phi = kinship(fam.pedigree)
        ids = [p for p in fam.pedigree.ids if p in fam.genotypes] + [m for m in fam.missing]
        for mp in fam.missing:
            if all(phi[(mp, other)] == 0 for other in ids if other != mp):
                nonident.append(mp)
                others = [i for i in ids if i != mp]
                rows.append(
                    {
                        "Family": fam.name,
                        "Missing": mp,
                        "Conclusion": "nonidentifiable",
                        "Comment": "unrelated to " + ", ".join(others),
                    }
                )
    if not nonident:
        return dvi, rows
    return dvi.subset(missing=[m for m in dvi.missing if m not in nonident], remove_unpaired=False), rows


def _same(a: DviData, b: DviData) -> bool:
    """dvir's ``dviEqual``: same victims, missing persons, pairings and reference data."""
    return (
        a.victim_ids == b.victim_ids
        and a.missing == b.missing
        and a.pairings == b.pairings
        and [(f.name, f.genotypes) for f in a.families] == [(f.name, f.genotypes) for f in b.families]
    )


def find_excluded(dvi: DviData, max_incomp: int) -> tuple[DviData, list[Row], list[Row], LRTable]:
    res = pairwise_matrices(dvi)
    mat = res.exclusions
    table = LRTable(res.victims, res.missing, mat)

    def min_ex(v: np.ndarray) -> float:
        v = v[~np.isnan(v)]
        return float(v.min()) if v.size else math.inf

    def comment(x: float) -> str:
        return "No compatible pairings" if x == math.inf else f"{int(x)}+ inconsistencies"

    am_rows: list[Row] = []
    pm_rows: list[Row] = []
    keep_v = []
    for i, v in enumerate(res.victims):
        m = min_ex(mat[i])
        if m > max_incomp:
            pm_rows.append({"Sample": v, "Conclusion": "Excluded", "Comment": comment(m)})
        else:
            keep_v.append(v)
    keep_m = []
    for j, mp in enumerate(res.missing):
        m = min_ex(mat[:, j])
        if m > max_incomp:
            am_rows.append(
                {
                    "Family": _family_name(dvi, mp),
                    "Missing": mp,
                    "Conclusion": "Excluded",
                    "Comment": comment(m),
                }
            )
        else:
            keep_m.append(mp)
    if len(keep_v) < len(res.victims) or len(keep_m) < len(res.missing):
        red = dvi.subset(victims=keep_v, missing=keep_m)
    else:
        red = dvi
    n_removed = int(np.sum(np.nan_to_num(mat, nan=-1) > max_incomp))
    if n_removed > 0:
        pairs = {}
        for v in red.victim_ids:
            i = res.victims.index(v)
            pairs[v] = (
                NO_MATCH,
                *[
                    mp
                    for j, mp in enumerate(res.missing)
                    if not np.isnan(mat[i, j]) and mat[i, j] <= max_incomp
                ],
            )
        red = _with_pairings(red, pairs)
    return red, am_rows, pm_rows, table


def _with_pairings(dvi: DviData, pairings: dict[str, tuple[str, ...]]) -> DviData:
    return DviData(
        dvi.name,
        dvi.markers,
        dvi.mutation_params,
        dvi.victims,
        dvi.families,
        dvi.missing,
        {v: pairings[v] for v in dvi.victim_ids},
        True,
        dvi.truth,
    )


def _lr_table(dvi: DviData) -> tuple[LRTable, dict[str, tuple[str, ...]]]:
    """pairwiseLR: the matrix and the pairings with LR > 0 (``limit = 0``), by decreasing LR."""
    res = pairwise_matrices(dvi, exclusions=False)
    table = LRTable(res.victims, res.missing, res.lr)
    reduced = {}
    for i, v in enumerate(res.victims):
        lrs = [(c, 1.0 if c == NO_MATCH else float(res.lr[i, res.missing.index(c)])) for c in dvi.pairings[v]]
        lrs.sort(key=lambda t: -t[1])  # stable, as R's order(decreasing = TRUE)
        reduced[v] = tuple(c for c, x in lrs if x > 0)
    return table, reduced


def _undisputed_entries(table: LRTable, threshold: float) -> list[tuple[int, int]]:
    m = np.nan_to_num(table.values, nan=-1.0)
    out = []
    # which(..., arr.ind = TRUE) runs down the columns
    for j in range(m.shape[1]):
        for i in range(m.shape[0]):
            x = m[i, j]
            if x < threshold - _EPS_SQRT:
                continue
            others = np.concatenate([np.delete(m[i], j), np.delete(m[:, j], i)])
            if np.all(others <= x / threshold):
                out.append((i, j))
    return out


def find_undisputed(dvi: DviData, threshold: float) -> tuple[DviData, list[Row], list[LRTable]]:
    if not dvi.victims or not dvi.missing:
        return dvi, [], []
    tables: list[LRTable] = []
    summary: list[Row] = []
    step = 0
    last_pairings: dict[str, tuple[str, ...]] = {}
    while True:
        step += 1
        table, last_pairings = _lr_table(dvi)
        tables.append(table)
        undisp = _undisputed_entries(table, threshold)
        if not undisp:
            break
        found_v = [table.rows[i] for i, _ in undisp]
        found_m = [table.cols[j] for _, j in undisp]
        for (i, j), v, mp in zip(undisp, found_v, found_m, strict=True):
            summary.append(
                {
                    "Family": _family_name(dvi, mp),
                    "Missing": mp,
                    "Sample": v,
                    "LR": float(table.values[i, j]),
                    "Conclusion": "Undisputed",
                    "Comment": f"Step {step}",
                }
            )
        new_v = [v for v in dvi.victim_ids if v not in found_v]
        new_m = [m for m in dvi.missing if m not in found_m]
        reduced = dvi.subset(victims=new_v, missing=new_m)
        for v in new_v:
            if v not in reduced.victim_ids:
                summary.append({"Sample": v, "Conclusion": "Excluded", "Comment": "No compatible pairings"})
        for v, mp in zip(found_v, found_m, strict=True):
            fam = dvi.family_of(mp)
            if any(f.name == fam.name for f in reduced.families):
                reduced = reduced.with_family_genotypes(fam.name, mp, dvi.victim(v).genotypes)
        dvi = reduced
        if not new_m or not new_v:
            break
    pairs = {
        v: tuple(c for c in last_pairings.get(v, dvi.pairings[v]) if c == NO_MATCH or c in dvi.missing)
        for v in dvi.victim_ids
    }
    return _with_pairings(dvi, pairs), summary, tables


def _simple_family(dvi1: DviData, threshold: float, lr: LRTable) -> Row:
    mp = dvi1.missing[0]
    lrs = lr.column(mp)
    best, max_lr = _safe_max(lrs)
    high = [(n, x) for n, x in lrs if x is not None and x > threshold]
    rups = [(n, x) for n, x in lrs if x is not None and n != best]
    if len(high) > 1:
        concl = "Disputed"
        comment = "Also: " + ", ".join(f"{n} (LR={_g2(x)})" for n, x in high if n != best)
    elif len(high) == 1:
        concl = "Probable"
        rn, rx = _safe_max(rups)
        comment = "Runner-up: " + (f"{rn} (LR={_g2(rx)})" if rx is not None else "-")
    elif max_lr is not None and max_lr >= 1:
        concl, comment = "Inconclusive", f"Best: {best}"
    else:
        concl, comment = "No match", None
    return {
        "Family": dvi1.families[0].name,
        "Missing": mp,
        "Sample": best,
        "LR": max_lr,
        "Conclusion": concl,
        "Comment": comment,
    }


def _glr_matrix(joint: JointResult) -> LRTable:
    """pairwiseGLR: for each pairing, joint loglik of the best row with it against the best without."""
    nv, nm = len(joint.victims), len(joint.missing)
    g = np.full((nv, nm), np.nan)
    ll = joint.loglik
    for i in range(nv):
        col = joint.assignments[:, i]
        if np.unique(col).size < 2:
            continue
        for j in range(nm):
            hits = np.flatnonzero(col == j)
            if hits.size == 0:
                continue
            num = int(hits[0])
            den = int(np.flatnonzero(col != col[0])[0]) if num == 0 else 0
            with np.errstate(invalid="ignore", over="ignore"):
                g[i, j] = np.exp(ll[num] - ll[den])
    return LRTable(joint.victims, joint.missing, g)


def _complex_family(dvi1: DviData, threshold: float, lr: LRTable) -> tuple[list[Row], list[Row]]:
    fam = dvi1.families[0]
    joint = dvi_joint(dvi1)  # dvir: dviJoint with its default maxAssign = 1e5
    glr = _glr_matrix(joint)
    am: list[Row] = []
    pm: list[Row] = []
    found_v: list[str] = []
    found_m: list[str] = []
    joint_text = "Joint: {" + ",".join(dvi1.missing) + "}"
    for j, mp in enumerate(glr.cols):
        for i, v in enumerate(glr.rows):
            x = glr.values[i, j]
            if not math.isnan(x) and x >= threshold - _EPS_SQRT:
                row = {
                    "Family": fam.name,
                    "Missing": mp,
                    "Sample": v,
                    "LR": lr.get(v, mp),
                    "GLR": float(x),
                    "Conclusion": "Match (GLR)",
                    "Comment": joint_text,
                }
                am.append(row)
                pm.append(dict(row))
                found_v.append(v)
                found_m.append(mp)
    remaining_v = [v for v in dvi1.victim_ids if v not in found_v]
    remaining_m = [m for m in dvi1.missing if m not in found_m]
    sym = _symmetric(fam, joint, remaining_v, remaining_m, threshold)
    if sym is not None:
        am.extend(sym[0])
        pm.extend(sym[1])
    # Missing persons without a conclusion: best GLR, Inconclusive; LR from the last LR matrix.
    concluded = {r["Missing"] for r in am}
    for mp in dvi1.missing:
        if mp not in concluded:
            _, best_glr = _safe_max(glr.column(mp))
            am.append(
                {
                    "Family": fam.name,
                    "Missing": mp,
                    "Sample": None,
                    "GLR": best_glr,
                    "Conclusion": "Inconclusive",
                    "Comment": None,
                }
            )
    for am_row in am:
        sample = am_row.get("Sample")
        mp_id = str(am_row["Missing"])
        if sample is None:
            am_row["LR"] = _safe_max(lr.column(mp_id))[1]
        elif "/" in str(sample):
            am_row["LR"] = None
        else:
            am_row["LR"] = lr.get(str(sample), mp_id)
    for pm_row in pm:
        pm_row["LR"] = lr.get(str(pm_row["Sample"]), str(pm_row["Missing"]).split("/")[0])
    return am, pm


def _symmetric(
    fam: Family, joint: JointResult, vics: list[str], missing: list[str], threshold: float
) -> tuple[list[Row], list[Row]] | None:
    if joint.n_assignments < 3 or not vics:
        return None
    vidx = [joint.victims.index(v) for v in vics]
    r1 = [joint.label(0, i) for i in vidx]
    r2 = [joint.label(1, i) for i in vidx]
    diffs = [k for k in range(len(vics)) if r1[k] != r2[k]]
    if len(diffs) > 2 or not diffs or any(r1[k] == NO_MATCH or r2[k] == NO_MATCH for k in diffs):
        return None
    ll = joint.loglik
    ped = fam.pedigree
    if len(diffs) == 1:
        k = diffs[0]
        vic = vics[k]
        pair = {r1[k], r2[k]}
        miss = [m for m in missing if m in pair]
        labels = [joint.label(r, vidx[k]) for r in range(joint.n_assignments)]
        end = next((r for r, lab in enumerate(labels) if lab not in pair), None)
        if end is None:
            return None
        g = math.exp(ll[0] - ll[end])
        if math.isnan(g) or g < threshold:
            return None
        rel = relationship(ped, miss[0], miss[1])
        am = [
            {
                "Family": fam.name,
                "Missing": m,
                "Sample": vic,
                "GLR": g,
                "Conclusion": "Symmetric match",
                "Comment": f"{vic} also matches {other} ({rel})",
            }
            for m, other in zip(miss, reversed(miss), strict=True)
        ]
        pm = [
            {
                "Sample": vic,
                "Family": fam.name,
                "Missing": "/".join(miss),
                "GLR": g,
                "Conclusion": "Symmetric match",
                "Comment": f"{miss[0]} and {miss[1]} are {rel}",
            }
        ]
        return am, pm
    k1, k2 = diffs
    if {r1[k1], r1[k2]} != {r2[k1], r2[k2]}:
        return None
    pair_v = [vics[k1], vics[k2]]
    pair = {r1[k1], r1[k2]}
    miss = [m for m in missing if m in pair]
    end = next(
        (
            r
            for r in range(joint.n_assignments)
            if not (joint.label(r, vidx[k1]) in pair and joint.label(r, vidx[k2]) in pair)
        ),
        None,
    )
    if end is None:
        return None
    g = math.exp(ll[0] - ll[end])
    if math.isnan(g) or g < threshold:
        return None
    rel = relationship(ped, miss[0], miss[1])
    rel = rel[:1].upper() + rel[1:]
    am = [
        {
            "Family": fam.name,
            "Missing": m,
            "Sample": "/".join(pair_v),
            "GLR": g,
            "Conclusion": "Symmetric match",
            "Comment": f"{rel}: {{{', '.join(miss)}}} = {{{', '.join(pair_v)}}}",
        }
        for m in miss
    ]
    pm = [
        {
            "Sample": v,
            "Family": fam.name,
            "Missing": "/".join(miss),
            "GLR": g,
            "Conclusion": "Symmetric match",
            "Comment": f"{rel}: {{{', '.join(pair_v)}}} = {{{', '.join(miss)}}}",
        }
        for v in pair_v
    ]
    return am, pm


def _pm_driven(dvi: DviData, threshold2: float, lr: LRTable, orig: DviData) -> list[Row]:
    rows = []
    for v in dvi.victim_ids:
        lrs = lr.row(v)
        best, max_lr = _safe_max(lrs)
        if max_lr is None:
            raise ValueError(f"dviSolve: no LRs for victim {v!r}")
        high = [(n, x) for n, x in lrs if x is not None and x >= threshold2 - np.finfo(float).eps]
        rups = [(n, x) for n, x in lrs if x is not None and n != best]
        row: Row = {"Sample": v, "Family": "", "Missing": "", "LR": max_lr}
        if len(high) > 1:
            row.update(Family=_family_name(orig, best), Missing=best, Conclusion="Disputed")  # type: ignore[arg-type]
            row["Comment"] = "Also: " + ", ".join(f"{n} (LR={_g2(x)})" for n, x in high if n != best)
        elif len(high) == 1:
            row.update(Family=_family_name(orig, best), Missing=best, Conclusion="Probable")  # type: ignore[arg-type]
            rn, rx = _safe_max(rups)
            row["Comment"] = "Runner-up: " + (f"{rn} (LR={_g2(rx)})" if rx is not None else "-")
        elif max_lr >= 1:
            row.update(Conclusion="Inconclusive", Comment=f"Best: {best}")
        else:
            row.update(Conclusion="No match", Comment=None)
        rows.append(row)
    return rows


def _format(rows: list[Row], columns: Sequence[str], orig: DviData, *, am: bool) -> list[Row]:
    out = []
    for r in rows:
        key = r.get("Missing") if am else r.get("Sample")
        if key is None:
            continue
        out.append({c: r.get(c) for c in columns})
    if am:
        fam_order = {f.name: k for k, f in enumerate(orig.families)}
        miss_order = {m: k for k, m in enumerate(orig.missing)}
        out.sort(
            key=lambda r: (
                fam_order.get(str(r["Family"]), 1 << 30),
                miss_order.get(str(r["Missing"]), 1 << 30),
            )
        )
    else:
        vic_order = {v: k for k, v in enumerate(orig.victim_ids)}
        out.sort(key=lambda r: vic_order.get(str(r["Sample"]), 1 << 30))
    return out


def dvi_solve(
    dvi: DviData, *, threshold: float = 1e4, threshold2: float | None = None, max_incomp: int = 2
) -> SolveResult:
    """Run dvir's ``dviSolve`` and return its AM and PM tables."""
    if threshold2 is None:
        threshold2 = max(1.0, threshold / 10)
    orig = dvi
    am_rows: list[Row] = []
    pm_rows: list[Row] = []
    dvi, rows = find_nonidentifiable(dvi)
    am_rows += rows
    lr_first: LRTable | None = None
    excl_first: LRTable | None = None
    lr_last: LRTable | None = None
    iteration = 0
    while True:
        iteration += 1
        reduced, ex_am, ex_pm, ex_table = find_excluded(dvi, max_incomp)
        if iteration == 1:
            excl_first = ex_table
        if _same(reduced, dvi):
            if iteration > 1:
                break
        else:
            am_rows += ex_am
            pm_rows += ex_pm
            dvi = reduced
        reduced, und_rows, tables = find_undisputed(dvi, threshold)
        if tables:
            if iteration == 1:
                lr_first = tables[0]
            lr_last = tables[-1]
        if _same(reduced, dvi):
            break
        am_rows += und_rows
        pm_rows += und_rows
        dvi = reduced
    if lr_last is None:
        lr_last = LRTable(dvi.victim_ids, dvi.missing, np.full((len(dvi.victims), len(dvi.missing)), np.nan))
    n_miss = {f.name: len(f.missing) for f in dvi.families}
    used_threshold2 = False
    for fam in dvi.families:
        if n_miss[fam.name] == 1 and dvi.victims:
            used_threshold2 = True
            am_rows.append(
                _simple_family(dvi.subset(families=[fam.name], remove_unpaired=False), threshold2, lr_last)
            )
    for fam in list(dvi.families):
        if n_miss[fam.name] > 1:
            dvi1 = dvi.subset(families=[fam.name])
            if not dvi1.victims:
                continue
            am, pm = _complex_family(dvi1, threshold, lr_last)
            am_rows += am
            pm_rows += pm
            done = {r["Sample"] for r in pm}
            dvi = dvi.subset(
                victims=[v for v in dvi.victim_ids if v not in done],
                families=[f.name for f in dvi.families if f.name != fam.name],
                remove_unpaired=False,
            )
    if dvi.victims:
        used_threshold2 = True
        pm_rows += _pm_driven(dvi, threshold2, lr_last, orig)
    # Every MP gets a row (dvir's summary is filled from the original data): one that no step reached,
    # e.g. a family left without candidate victims, is inconclusive.
    reported = {r.get("Missing") for r in am_rows}
    for mp in orig.missing:
        if mp not in reported:
            am_rows.append({"Family": _family_name(orig, mp), "Missing": mp, "Conclusion": "Inconclusive"})
    return SolveResult(
        AM=_format(am_rows, AM_COLUMNS, orig, am=True),
        PM=_format(pm_rows, PM_COLUMNS, orig, am=False),
        lr_matrix_first=lr_first,
        exclusion_matrix_first=excl_first,
        call=_call(threshold, threshold2 if used_threshold2 else None, max_incomp),
    )


def _call(threshold: float, threshold2: float | None, max_incomp: int) -> str:
    """The call as R would print it, with the parameters that were applied: ``threshold`` (undisputed
    matches, joint search) and ``maxIncomp`` (exclusions) always, ``threshold2`` only where a family
    with one missing person or a victim was left for it (otherwise no step read it)."""
    args = [f"threshold = {threshold:g}"]
    if threshold2 is not None:
        args.append(f"threshold2 = {threshold2:g}")
    args.append(f"maxIncomp = {max_incomp}")
    return f"dviSolve(dvi, {', '.join(args)}) [kintrace]"


__all__ = ["LRTable", "SolveResult", "dvi_solve", "kinship", "relationship"]
