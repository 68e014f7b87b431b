"""The exact engine against brute-force enumeration over a named set of small pedigrees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from brute_force import Coded, brute_force_likelihood

from kintrace.dna.genotypes import Genotype, genotype_alleles, n_genotypes
from kintrace.dna.likelihood import (
    evidence_likelihood,
    genotype_evidence,
    joint_genotype_table,
    likelihood,
    likelihood_by_genotype,
)
from kintrace.dna.markers import Marker
from kintrace.dna.mutation import MutationModel, mutation_matrix
from kintrace.dna.pedigree import Pedigree, Person

ALLELES = ("10", "11", "12")
FREQS = np.array([0.5, 0.25, 0.25])  # sums to exactly 1: lumping then changes nothing
FREQS_2 = np.array([0.75, 0.25])


def P(pid: str, father: str | None = None, mother: str | None = None, sex: int = 1) -> Person:
    return Person(pid, father, mother, sex)


@dataclass(frozen=True)
class Example:
    name: str
    persons: tuple[Person, ...]
    genotypes: dict[str, Genotype]
    missing: str  # an untyped person whose genotype distribution is checked too
    inbreeding: dict[str, float] | None = None
    n_alleles: int = 3  # two for the larger pedigrees, to keep the enumeration small


EXAMPLES = [
    Example(
        "parent-child",
        (P("FA"), P("MO", sex=2), P("CH", "FA", "MO")),
        {"FA": ("10", "11"), "CH": ("11", "12")},
        "MO",
    ),
    Example(
        "full-sibs",
        (P("FA"), P("MO", sex=2), P("S1", "FA", "MO"), P("S2", "FA", "MO", 2), P("S3", "FA", "MO")),
        {"S1": ("10", "11"), "S2": ("11", "11")},
        "S3",
    ),
    Example(
        "half-sibs",
        (P("FA"), P("M1", sex=2), P("M2", sex=2), P("H1", "FA", "M1"), P("H2", "FA", "M2")),
        {"H1": ("10", "12"), "H2": ("12", "12")},
        "FA",
    ),
    Example(
        "trio",
        (P("FA"), P("MO", sex=2), P("CH", "FA", "MO")),
        {"FA": ("10", "11"), "MO": ("12", "12"), "CH": ("11", "12")},
        "CH",
    ),
    Example(
        "grandparent",
        (P("GF"), P("GM", sex=2), P("FA", "GF", "GM"), P("MO", sex=2), P("CH", "FA", "MO")),
        {"GM": ("10", "11"), "CH": ("11", "12")},
        "FA",
    ),
    Example(
        "first-cousins",
        (
            P("GF"),
            P("GM", sex=2),
            P("FA", "GF", "GM"),
            P("UN", "GF", "GM"),
            P("MO", sex=2),
            P("AU", sex=2),
            P("C1", "FA", "MO"),
            P("C2", "UN", "AU", 2),
        ),
        {"C1": ("10", "11"), "C2": ("11", None)},
        "FA",
        n_alleles=2,
    ),
    Example(
        "loop-half-sib-mating",
        (
            P("FA"),
            P("M1", sex=2),
            P("M2", sex=2),
            P("A", "FA", "M1"),
            P("B", "FA", "M2", 2),
            P("C", "A", "B"),
        ),
        {"FA": ("10", "11"), "C": ("11", "11")},
        "A",
        n_alleles=2,
    ),
    Example(
        "inbred-founder",
        (P("FA"), P("MO", sex=2), P("S1", "FA", "MO"), P("S2", "FA", "MO")),
        {"S1": ("10", "11"), "S2": ("10", "10")},
        "FA",
        {"FA": 0.25},
    ),
]

MUTATIONS = ("no-mutation", "equal", "sex-specific-stepwise")


def make_marker(example: Example, mutation: str) -> Marker:
    alleles = ALLELES[: example.n_alleles]
    freqs = FREQS if example.n_alleles == 3 else FREQS_2
    model: MutationModel | None = None
    if mutation == "equal":
        m = mutation_matrix("equal", alleles, rate=0.1)
        model = MutationModel(female=m, male=m)
    elif mutation == "sex-specific-stepwise":
        model = MutationModel(
            female=mutation_matrix("stepwise", alleles, rate=0.05, rate2=1e-3, range=0.5),
            male=mutation_matrix("proportional", alleles, freqs, rate=0.2),
        )
    return Marker("M", alleles, freqs, model)


def _coded(marker: Marker, genotypes: dict[str, Genotype]) -> dict[str, Coded]:
    return {
        pid: tuple(None if a is None else marker.index(a) for a in g)  # type: ignore[misc]
        for pid, g in genotypes.items()
    }


def _brute(example: Example, marker: Marker, genotypes: dict[str, Genotype], theta: float = 0.0) -> float:
    mut = marker.mutation
    return brute_force_likelihood(
        Pedigree(example.persons),
        marker.freqs,
        _coded(marker, genotypes),
        male=None if mut is None else mut.male,
        female=None if mut is None else mut.female,
        founder_inbreeding=example.inbreeding,
        theta=theta,
    )


CASES = [(e, m) for e in EXAMPLES for m in MUTATIONS]


@pytest.mark.parametrize(("example", "mutation"), CASES, ids=[f"{e.name}-{m}" for e, m in CASES])
def test_likelihood_equals_brute_force(example: Example, mutation: str) -> None:
    marker = make_marker(example, mutation)
    ped = Pedigree(example.persons)
    expected = _brute(example, marker, example.genotypes)
    assert expected > 0
    got = likelihood(ped, marker, example.genotypes, founder_inbreeding=example.inbreeding)
    assert got == pytest.approx(expected, rel=1e-12)
    evidence = {pid: genotype_evidence(marker, g) for pid, g in example.genotypes.items()}
    batched = evidence_likelihood(ped, marker, evidence, founder_inbreeding=example.inbreeding)
    assert float(batched) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("example", "mutation"), CASES, ids=[f"{e.name}-{m}" for e, m in CASES])
def test_batched_genotype_distribution_equals_brute_force(example: Example, mutation: str) -> None:
    """Identity evidence on an untyped person gives P(data, person = k) for every genotype k at once."""
    marker = make_marker(example, mutation)
    ped = Pedigree(example.persons)
    n = marker.n_alleles
    g = n_genotypes(n)
    evidence = {pid: genotype_evidence(marker, gt) for pid, gt in example.genotypes.items()}
    evidence[example.missing] = np.eye(g)
    table = evidence_likelihood(ped, marker, evidence, founder_inbreeding=example.inbreeding)
    assert table.shape == (g,)
    ia, ib = genotype_alleles(n)
    for k in range(g):
        data = dict(example.genotypes)
        data[example.missing] = (marker.alleles[ia[k]], marker.alleles[ib[k]])
        assert table[k] == pytest.approx(_brute(example, marker, data), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("example", EXAMPLES[:7], ids=[e.name for e in EXAMPLES[:7]])
def test_theta_equals_brute_force(example: Example) -> None:
    marker = make_marker(example, "no-mutation")
    expected = _brute(example, marker, example.genotypes, theta=0.03)
    got = likelihood(Pedigree(example.persons), marker, example.genotypes, theta=0.03)
    assert got == pytest.approx(expected, rel=1e-12)


def test_impossible_data_gives_exact_zero() -> None:
    marker = Marker("M", ALLELES, FREQS)
    ped = Pedigree((P("FA"), P("MO", sex=2), P("CH", "FA", "MO")))
    data: dict[str, Genotype] = {"FA": ("10", "10"), "MO": ("10", "10"), "CH": ("11", "11")}
    assert likelihood(ped, marker, data) == 0.0
    evidence = {pid: genotype_evidence(marker, g) for pid, g in data.items()}
    assert float(evidence_likelihood(ped, marker, evidence)) == 0.0


def test_many_alleles_are_lumped_without_changing_the_value() -> None:
    alleles = tuple(str(a) for a in range(5, 17))
    freqs = np.full(12, 1 / 16)
    freqs[:4] = 1 / 8
    example = EXAMPLES[5]  # first cousins
    marker = Marker("M", alleles, freqs)
    genotypes: dict[str, Genotype] = {"C1": ("5", "6"), "C2": ("6", "16")}
    ped = Pedigree(example.persons)
    evidence = {pid: genotype_evidence(marker, g) for pid, g in genotypes.items()}
    assert likelihood(ped, marker, genotypes) == pytest.approx(
        float(evidence_likelihood(ped, marker, evidence)), rel=1e-12
    )


@pytest.mark.parametrize(("example", "mutation"), CASES, ids=[f"{e.name}-{m}" for e, m in CASES])
def test_likelihood_by_genotype_and_joint_table_equal_brute_force(example: Example, mutation: str) -> None:
    marker = make_marker(example, mutation)
    ped = Pedigree(example.persons)
    others = {pid: g for pid, g in example.genotypes.items() if pid != example.missing}
    evidence = {pid: genotype_evidence(marker, g) for pid, g in others.items()}
    column = likelihood_by_genotype(
        ped, marker, evidence, example.missing, founder_inbreeding=example.inbreeding
    )
    n = marker.n_alleles
    ia, ib = genotype_alleles(n)
    expected = []
    for k in range(n_genotypes(n)):
        data = dict(others)
        data[example.missing] = (marker.alleles[ia[k]], marker.alleles[ib[k]])
        expected.append(_brute(example, marker, data))
    np.testing.assert_allclose(column, expected, rtol=1e-12, atol=1e-300)

    typed = [pid for pid, g in others.items() if None not in g][:1]
    joint = joint_genotype_table(
        ped, marker, [*typed, example.missing], founder_inbreeding=example.inbreeding
    )
    assert joint.sum() == pytest.approx(1.0, rel=1e-12)
    if typed:
        g = example.genotypes[typed[0]]
        i, j = sorted((marker.index(g[0]), marker.index(g[1])))  # type: ignore[arg-type]
        row = joint[int(np.flatnonzero((ia == i) & (ib == j))[0])]
        data_only = {typed[0]: g}
        for k in range(n_genotypes(n)):
            data = {**data_only, example.missing: (marker.alleles[ia[k]], marker.alleles[ib[k]])}
            assert row[k] == pytest.approx(_brute(example, marker, data), rel=1e-12, abs=1e-300)
