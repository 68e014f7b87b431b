"""Pairwise LR and exclusion matrices against dvir 3.4.2 (pairwiseLR, exclusionMatrix)."""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np
import pytest
from dvi_oracle import DVI_DIR, NAMES, as_array, dataset, expected

from kintrace.dna.dvi import (
    FamilyEngine,
    exclusion_matrix,
    pairwise_lr,
    pairwise_matrices,
)
from kintrace.dna.dvi_data import DviData, Victim, load_dvi, parse_dvi
from kintrace.dna.likelihood import likelihood, singleton_likelihood
from kintrace.dna.mutation import r_sum


def dataset_bench200() -> DviData:
    return load_dvi(DVI_DIR / "bench200_input.json")


@cache
def _bench200_types() -> dict[str, str]:
    doc = json.loads((DVI_DIR / "bench200_input.json").read_text(encoding="utf-8"))
    return {str(f["name"]): str(f["type"]) for f in doc["families"]}


def fam_type(name: str) -> str:
    """bench200's family type (father, mother, brother, both parents, ...), kept in its input."""
    return _bench200_types()[name]


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


def _exact_lr(d: DviData, victim: Victim, mp: str) -> float:
    fam = d.family_of(mp)
    log_lr = 0.0
    for m in d.markers:
        genos = {pid: g[m.name] for pid, g in fam.genotypes.items() if m.name in g}
        h1 = likelihood(fam.pedigree, m, {**genos, mp: victim.genotypes[m.name]})
        if h1 == 0:
            return 0.0
        h0 = likelihood(fam.pedigree, m, genos) * singleton_likelihood(m, victim.genotypes[m.name])
        log_lr += math.log(h1) - math.log(h0)
    return math.exp(log_lr)


def test_bench200_fast_tables_equal_the_core_on_every_family_type() -> None:
    full = dataset_bench200()
    by_type: dict[str, str] = {}
    for fam in full.families:
        by_type.setdefault(fam_type(fam.name), fam.missing[0])
    missing = sorted(by_type.values())
    victims = [v for v in full.victim_ids if (full.truth or {}).get(v) in missing][:8] + list(
        full.victim_ids[:4]
    )
    d = full.subset(victims=list(dict.fromkeys(victims)), missing=missing)
    res = pairwise_matrices(d, exclusions=False)
    for i, v in enumerate(d.victims):
        for j, mp in enumerate(d.missing):
            assert math.isclose(res.lr[i, j], _exact_lr(d, v, mp), rel_tol=1e-9, abs_tol=0.0)


def test_inbred_missing_person_with_unobserved_alleles() -> None:
    """Parents of the MP are first cousins, so the two-lump expansion needs its diagonal term."""
    alleles = [str(a) for a in range(1, 9)]
    freqs = [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02]
    ped = [
        {"id": "GF", "father": None, "mother": None, "sex": 1},
        {"id": "GM", "father": None, "mother": None, "sex": 2},
        {"id": "S1", "father": "GF", "mother": "GM", "sex": 1},
        {"id": "S2", "father": "GF", "mother": "GM", "sex": 2},
        {"id": "W1", "father": None, "mother": None, "sex": 2},
        {"id": "H2", "father": None, "mother": None, "sex": 1},
        {"id": "C1", "father": "S1", "mother": "W1", "sex": 1},
        {"id": "C2", "father": "H2", "mother": "S2", "sex": 2},
        {"id": "MP", "father": "C1", "mother": "C2", "sex": 1},
        {"id": "R", "father": "C1", "mother": "C2", "sex": 2},
    ]
    doc = {
        "name": "inbred",
        "markers": ["L1", "L2"],
        "afreq": {"L1": {"alleles": alleles, "freqs": freqs}, "L2": {"alleles": alleles, "freqs": freqs}},
        "mutation_models": None,
        "victims": [
            {"id": "V1", "sex": 1, "genotypes": {"L1": ["7", "7"], "L2": ["1", "8"]}},
            {"id": "V2", "sex": 1, "genotypes": {"L1": ["1", "6"], "L2": ["8", "8"]}},
            {"id": "V3", "sex": 1, "genotypes": {"L1": ["2", "3"], "L2": ["5", "6"]}},
        ],
        "families": [
            {
                "name": "F",
                "pedigree": ped,
                "missing": ["MP"],
                "genotypes": {"R": {"L1": ["1", "2"], "L2": ["1", "3"]}},
            }
        ],
        "missing": ["MP"],
        "pairings": None,
    }
    d = parse_dvi(doc)
    res = pairwise_matrices(d)
    for i, v in enumerate(d.victims):
        assert math.isclose(res.lr[i, 0], _exact_lr(d, v, "MP"), rel_tol=1e-9)


@pytest.mark.parametrize("name", ["KETPchap484", "grave"])  # with and without mutation model
def test_partial_victim_profiles(name: str) -> None:
    """A victim untyped at one marker and another with one unknown allele ("a/-")."""
    doc = json.loads((DVI_DIR / f"{name}_input.json").read_text(encoding="utf-8"))
    first = doc["markers"][0]
    del doc["victims"][0]["genotypes"][first]
    a = doc["victims"][1]["genotypes"][doc["markers"][1]][0]
    doc["victims"][1]["genotypes"][doc["markers"][1]] = [a, None]
    d = parse_dvi(doc)
    res = pairwise_matrices(d, exclusions=False)
    for i in (0, 1):
        v = d.victims[i]
        for j, mp in enumerate(d.missing):
            if math.isnan(res.lr[i, j]):
                continue
            fam = d.family_of(mp)
            log_lr = 0.0
            for m in d.markers:
                genos = {pid: g[m.name] for pid, g in fam.genotypes.items() if m.name in g}
                g = v.genotypes.get(m.name)
                h1 = likelihood(fam.pedigree, m, {**genos, mp: g} if g else genos)
                h0 = likelihood(fam.pedigree, m, genos) * singleton_likelihood(m, g)
                log_lr += math.log(h1) - math.log(h0) if h1 > 0 else -math.inf
            assert math.isclose(res.lr[i, j], math.exp(log_lr), rel_tol=1e-9, abs_tol=0.0)


def test_single_matrix_helpers() -> None:
    d = dataset("example2")
    both = pairwise_matrices(d)
    assert np.array_equal(np.nan_to_num(pairwise_lr(d), nan=-1), np.nan_to_num(both.lr, nan=-1))
    assert np.array_equal(np.nan_to_num(exclusion_matrix(d), nan=-1), np.nan_to_num(both.exclusions, nan=-1))
