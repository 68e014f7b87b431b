"""Pairwise LR and exclusion matrices against dvir 3.4.2 (pairwiseLR, exclusionMatrix)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dvi_oracle import NAMES, as_array, dataset, expected

from kintrace.dna.dvi import FamilyEngine, pairwise_matrices, r_sum, singleton_likelihood
from kintrace.dna.likelihood import likelihood


@pytest.mark.parametrize("name", NAMES)
def test_pairwise_lr_and_exclusions_match_dvir(name: str) -> None:
    d = dataset(name)
    want = expected(name)
    res = pairwise_matrices(d)
    assert list(res.victims) == want["pairwise_LR_matrix"]["rows"]
    assert list(res.missing) == want["pairwise_LR_matrix"]["cols"]
    lr = as_array(want["pairwise_LR_matrix"]["values"])
    assert np.array_equal(np.isnan(lr), np.isnan(res.lr)), "pairings considered differ"
    seen = ~np.isnan(lr)
    assert np.array_equal(lr[seen] == 0, res.lr[seen] == 0), "zero LRs must be exactly zero"
    nz = seen & (lr != 0)
    rel = np.abs(res.lr[nz] - lr[nz]) / np.abs(lr[nz])
    assert rel.max(initial=0.0) < 1e-9
    ex = as_array(want["exclusion_matrix"]["values"])
    assert np.array_equal(np.nan_to_num(ex, nan=-1), np.nan_to_num(res.exclusions, nan=-1))


def test_lr_equals_the_core_exact_likelihood_per_marker() -> None:
    """The engine's lumped tables against the core's pedprobr-exact likelihood, pair by pair."""
    d = dataset("KETPchap484")
    res = pairwise_matrices(d, exclusions=False)
    for i, v in enumerate(d.victims):
        for j, mp in enumerate(d.missing):
            if math.isnan(res.lr[i, j]):
                continue
            fam = d.family_of(mp)
            log_lr = 0.0
            for m in d.markers:
                genos = {pid: g[m.name] for pid, g in fam.genotypes.items() if m.name in g}
                h1 = likelihood(fam.pedigree, m, {**genos, mp: v.genotypes[m.name]})
                h0 = likelihood(fam.pedigree, m, genos) * singleton_likelihood(m, v.genotypes[m.name])
                log_lr += math.log(h1) - math.log(h0) if h1 > 0 else -math.inf
            assert math.isclose(res.lr[i, j], math.exp(log_lr), rel_tol=1e-9)


def test_missing_table_sums_to_the_family_likelihood() -> None:
    d = dataset("grave")
    fam = d.families[0]
    engine = FamilyEngine(fam, d.markers, d.victims)
    for k in range(3):
        base = engine.base_likelihood(k)
        for mp in fam.missing[:3]:
            assert math.isclose(engine.missing_table(k, mp).sum(), base, rel_tol=1e-12)


def test_r_sum_accumulates_in_order_with_extended_precision() -> None:
    x = np.array([1e16, 1.0, -1e16, 1.0])
    assert float(r_sum(x)) == 2.0  # a plain double running sum would lose the first 1.0
    assert r_sum(np.zeros((2, 0)), axis=1).tolist() == [0.0, 0.0]
