"""Joint identification against dvir 3.4.2 (dviGridSize, dviJoint, Bmarginal)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from dvi_oracle import DVI_DIR, NAMES, dataset, expected

import kintrace.dna.dvi_joint as dj
from kintrace.dna.dvi_data import NO_MATCH, DviData, parse_dvi
from kintrace.dna.dvi_joint import (
    UNASSIGNED,
    TooManyAssignments,
    count_assignments,
    dvi_joint,
    enumerate_assignments,
    joint_to_dict,
    marginals_to_dict,
)
from kintrace.dna.likelihood import likelihood, singleton_likelihood
from kintrace.dna.markers import DnaInputError

JOINT_NAMES = [n for n in NAMES if "rows" in expected(n).get("joint", {})]


@pytest.mark.parametrize("name", NAMES)
def test_assignment_count_is_dvir_grid_size(name: str) -> None:
    assert count_assignments(dataset(name)) == expected(name)["grid_size"]["size"]


def _brute_force_assignments(d: DviData) -> set[tuple[int, ...]]:
    idx = {m: j for j, m in enumerate(d.missing)}
    options = [
        ([UNASSIGNED] if NO_MATCH in d.pairings[v] else []) + [idx[c] for c in d.pairings[v] if c != NO_MATCH]
        for v in d.victim_ids
    ]
    out = set()
    for combo in itertools.product(*options):
        used = [j for j in combo if j != UNASSIGNED]
        if len(used) == len(set(used)):
            out.add(combo)
    return out


@pytest.mark.parametrize("name", ["example1", "example2", "fire", "KETPexer498", "symmetricSibs"])
def test_enumeration_is_every_injective_assignment_once(name: str) -> None:
    d = dataset(name)
    rows = enumerate_assignments(d)
    as_tuples = [tuple(int(x) for x in r) for r in rows]
    assert len(as_tuples) == len(set(as_tuples)) == count_assignments(d)
    assert set(as_tuples) == _brute_force_assignments(d)


def test_max_assign_refuses_huge_searches() -> None:
    with pytest.raises(TooManyAssignments, match="exceed max_assign"):
        enumerate_assignments(dataset("exclusionExample"))


def _tie(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("name", JOINT_NAMES)
def test_joint_table_matches_dviJoint(name: str) -> None:
    d = dataset(name)
    want = expected(name)["joint"]
    res = _cached(name)
    got = joint_to_dict(res, rows=want["rows_exported"])
    assert got["n_assignments"] == want["n_assignments"]
    assert math.isclose(got["loglik_null"], want["loglik_null"], rel_tol=1e-9)
    wrows = want["rows"]
    grows = got["rows"]
    assert len(grows) == len(wrows)
    oracle_ll = {tuple(r[v] for v in d.victim_ids): r["loglik"] for r in wrows}
    for r, (g, w) in enumerate(zip(grows, wrows, strict=True)):
        key = tuple(g[v] for v in d.victim_ids)
        if key != tuple(w[v] for v in d.victim_ids):
            # same order up to exact ties: the row dvir put here has our row's log-likelihood
            assert key in oracle_ll or r >= len(wrows) - 50, f"row {r}: {key} not among dvir's rows"
            assert _tie(oracle_ll.get(key, w["loglik"]), w["loglik"]), f"row {r} differs from dvir's"
        if w["loglik"] is None:
            assert g["loglik"] is None
            assert g["LR_vs_null"] == 0.0 and g["posterior_flat"] == 0.0
            continue
        assert math.isclose(g["loglik"], w["loglik"], rel_tol=1e-9)
        for field in ("LR_vs_null", "LR_top_vs_this", "posterior_flat"):
            assert math.isclose(g[field], w[field], rel_tol=1e-6, abs_tol=1e-300), (r, field)
    marg = expected(name)["posterior_marginals"]
    mine = marginals_to_dict(res)
    assert mine["rows"] == marg["rows"] and mine["cols"] == marg["cols"]
    assert np.allclose(np.array(mine["values"]), np.array(marg["values"]), rtol=1e-9, atol=1e-12)


_CACHE: dict[str, dj.JointResult] = {}


def _cached(name: str) -> dj.JointResult:
    if name not in _CACHE:
        _CACHE[name] = dvi_joint(dataset(name))
    return _CACHE[name]


@pytest.mark.parametrize("name", ["fire", "KETPexer498", "example2"])
def test_joint_logliks_equal_the_core_likelihood_per_assignment(name: str) -> None:
    """Each assignment from scratch: victims placed in their families, the core's exact likelihood."""
    d = dataset(name)
    res = dvi_joint(d)
    for r in range(res.n_assignments):
        placed = res.row_labels(r)
        total = 0.0
        for v in d.victims:
            if placed[v.id] == NO_MATCH:
                total += sum(math.log(singleton_likelihood(m, v.genotypes.get(m.name))) for m in d.markers)
        for fam in d.families:
            for m in d.markers:
                genos = {pid: g[m.name] for pid, g in fam.genotypes.items() if m.name in g}
                for v in d.victims:
                    if placed[v.id] in fam.missing and m.name in v.genotypes:
                        genos[placed[v.id]] = v.genotypes[m.name]
                lik = likelihood(fam.pedigree, m, genos)
                total += math.log(lik) if lik > 0 else -math.inf
        if math.isinf(total):
            assert res.loglik[r] == -math.inf
        else:
            assert math.isclose(res.loglik[r], total, rel_tol=1e-10)


def test_batched_placements_equal_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    d = dataset("KETPexer498")
    table = dvi_joint(d)
    monkeypatch.setattr(dj, "PEAK_LIMIT", 0)  # the table's elimination would be too large
    monkeypatch.setattr(dj, "BATCH_SIZE", 3)
    batched = dvi_joint(d)
    assert np.array_equal(table.assignments, batched.assignments)
    assert np.allclose(table.loglik, batched.loglik, rtol=1e-12)
    monkeypatch.setattr(dj, "PEAK_LIMIT", 10**9)
    monkeypatch.setattr(dj, "TABLE_LIMIT", 0)  # the table itself would be too large
    assert np.allclose(dvi_joint(d).loglik, table.loglik, rtol=1e-12)


def test_posteriors_and_marginals_are_probabilities() -> None:
    res = _cached("symmetricSibs")
    post = res.posterior()
    assert math.isclose(post.sum(), 1.0, rel_tol=1e-12)
    assert np.all(np.diff(res.loglik[np.isfinite(res.loglik)]) <= 0)
    marg = res.marginals()
    assert np.allclose(marg.sum(axis=1), 1.0)
    # a missing person is at most one victim: column sums over victims cannot exceed 1
    assert np.all(marg[:, :-1].sum(axis=0) <= 1 + 1e-12)


@pytest.mark.parametrize("name", ["fire", "planecrash"])
def test_joint_does_not_depend_on_the_order_of_victims_or_families(name: str) -> None:
    doc = json.loads((DVI_DIR / f"{name}_input.json").read_text(encoding="utf-8"))
    doc["victims"].reverse()
    doc["families"].reverse()
    shuffled = parse_dvi(doc)
    a, b = _cached(name), dvi_joint(shuffled)
    assert math.isclose(a.loglik_null, b.loglik_null, rel_tol=1e-12)

    def table(res: dj.JointResult) -> dict[tuple[tuple[str, str], ...], float]:
        return {
            tuple(sorted(res.row_labels(r).items())): float(res.loglik[r]) for r in range(res.n_assignments)
        }

    ta, tb = table(a), table(b)
    assert ta.keys() == tb.keys()
    for key, value in ta.items():
        assert (value == tb[key]) or math.isclose(value, tb[key], rel_tol=1e-12)


def test_supplied_assignments_are_scored_and_ranked() -> None:
    d = dataset("planecrash")
    want = expected("planecrash")["joint"]["rows"][:6][::-1]  # dvir's top rows, worst first
    rows = [{v: r[v] for v in d.victim_ids} for r in want]
    res = dvi_joint(d, assignments=dj.assignments_from_labels(d, rows))
    assert res.n_assignments == 6
    assert [res.row_labels(r) for r in range(6)] == rows[::-1]
    for r, w in enumerate(want[::-1]):
        assert math.isclose(res.loglik[r], w["loglik"], rel_tol=1e-9)
    with pytest.raises(DnaInputError, match="'M9' is not a missing person"):
        dj.assignments_from_labels(d, [{**rows[0], d.victim_ids[0]: "M9"}])


def test_a_victim_without_star_must_be_assigned() -> None:
    doc = json.loads((DVI_DIR / "example2_input.json").read_text(encoding="utf-8"))
    doc["pairings"]["V1"] = [c for c in doc["pairings"]["V1"] if c != NO_MATCH]
    d = parse_dvi(doc)
    rows = enumerate_assignments(d)
    assert len(rows) == count_assignments(d) == len(_brute_force_assignments(d))
    assert np.all(rows[:, 0] != UNASSIGNED)


def test_supplied_assignment_outside_the_pairings() -> None:
    """V3 may only be M3 by the pairings; a supplied table may still place it on M1."""
    d = dataset("example2")
    rows = [{"V1": "*", "V2": "*", "V3": "M1"}, {"V1": "M1", "V2": "*", "V3": "*"}]
    res = dvi_joint(d, assignments=dj.assignments_from_labels(d, rows))
    placed = {tuple(res.row_labels(r).values()): float(res.loglik[r]) for r in range(2)}
    for row in rows:
        total = 0.0
        for v in d.victims:
            if row[v.id] == NO_MATCH:
                total += sum(math.log(singleton_likelihood(m, v.genotypes[m.name])) for m in d.markers)
        for fam in d.families:
            for m in d.markers:
                genos = {pid: g[m.name] for pid, g in fam.genotypes.items()}
                genos.update({row[v.id]: v.genotypes[m.name] for v in d.victims if row[v.id] in fam.missing})
                total += math.log(likelihood(fam.pedigree, m, genos))
        assert math.isclose(placed[tuple(row.values())], total, rel_tol=1e-12)
