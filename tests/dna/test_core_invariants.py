"""Hypothesis invariants of the exact engine: relabelling, product over markers, untyped references."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_core_brute_force import EXAMPLES, MUTATIONS, Example, make_marker

from kintrace.dna.genotypes import Genotype
from kintrace.dna.likelihood import evidence_likelihood, genotype_evidence, likelihood
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.markers import Marker
from kintrace.dna.pedigree import Pedigree, Person

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def typed_example(draw: st.DrawFn) -> tuple[Example, str, dict[str, Genotype]]:
    example = draw(st.sampled_from(EXAMPLES))
    mutation = draw(st.sampled_from(MUTATIONS))
    alleles = make_marker(example, mutation).alleles
    ids = [p.id for p in example.persons]
    typed = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True))
    allele = st.sampled_from(alleles)
    genotypes: dict[str, Genotype] = {}
    for pid in typed:
        first = draw(allele)
        second = draw(st.one_of(allele, st.none()))
        genotypes[pid] = (first, second)
    return example, mutation, genotypes


def _same(a: float, b: float) -> bool:
    return a == b == 0.0 or math.isclose(a, b, rel_tol=1e-12)


@SETTINGS
@given(typed_example(), st.randoms(use_true_random=False))
def test_relabelling_persons_leaves_likelihood_unchanged(
    drawn: tuple[Example, str, dict[str, Genotype]], rnd: object
) -> None:
    example, mutation, genotypes = drawn
    marker = make_marker(example, mutation)
    ids = [p.id for p in example.persons]
    new_names = [f"x{i}" for i in range(len(ids))]
    rnd.shuffle(new_names)  # type: ignore[attr-defined]
    rename = dict(zip(ids, new_names, strict=True))
    persons = [
        Person(
            rename[p.id],
            None if p.father is None else rename[p.father],
            None if p.mother is None else rename[p.mother],
            p.sex,
        )
        for p in example.persons
    ]
    rnd.shuffle(persons)  # type: ignore[attr-defined]
    original, relabelled = Pedigree(example.persons), Pedigree(persons)
    inbreeding = {rename[k]: v for k, v in (example.inbreeding or {}).items()}
    moved = {rename[k]: g for k, g in genotypes.items()}
    assert _same(
        likelihood(original, marker, genotypes, founder_inbreeding=example.inbreeding),
        likelihood(relabelled, marker, moved, founder_inbreeding=inbreeding),
    )
    ev = {k: genotype_evidence(marker, g) for k, g in genotypes.items()}
    ev_moved = {rename[k]: v for k, v in ev.items()}
    assert _same(
        float(evidence_likelihood(original, marker, ev, founder_inbreeding=example.inbreeding)),
        float(evidence_likelihood(relabelled, marker, ev_moved, founder_inbreeding=inbreeding)),
    )


TRIO = Pedigree([Person("FA", None, None, 1), Person("MO", None, None, 2), Person("MP", "FA", "MO", 1)])
MARKERS = [
    Marker("A", ("1", "2", "3"), np.array([0.5, 0.25, 0.25])),
    Marker("B", ("7", "8", "9", "10"), np.array([0.25, 0.25, 0.25, 0.25])),
    Marker("C", ("5", "6"), np.array([0.75, 0.25])),
]


def _genotype(marker: Marker) -> st.SearchStrategy[Genotype]:
    allele = st.sampled_from(marker.alleles)
    return st.tuples(allele, allele)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Genotype]:
    return {m.name: draw(_genotype(m)) for m in MARKERS if draw(st.booleans())}


@SETTINGS
@given(profiles(), profiles())
def test_lr_total_is_product_over_markers(father: dict[str, Genotype], poi: dict[str, Genotype]) -> None:
    result = missing_person_lr(TRIO, MARKERS, {"FA": father}, poi, "MP")
    assert set(result.lr_per_marker) == {m.name for m in MARKERS}
    assert _same(result.lr_total, math.prod(result.lr_per_marker.values()))
    for name, value in result.lr_per_marker.items():
        assert _same(value, result.likelihood_h1_per_marker[name] / result.likelihood_h2_per_marker[name])
        if name not in poi or name not in father:
            assert math.isclose(value, 1.0, rel_tol=1e-12)


@SETTINGS
@given(st.sampled_from(EXAMPLES), profiles(), st.data())
def test_lr_is_one_when_nobody_in_the_reference_is_typed(
    example: Example, poi: dict[str, Genotype], data: st.DataObject
) -> None:
    ped = Pedigree(example.persons)
    # A child of related parents is inbred: its own genotype probability is not Hardy-Weinberg.
    outbred = [p.id for p in example.persons if not (example.name.startswith("loop") and p.id == "C")]
    missing = data.draw(st.sampled_from(outbred))
    result = missing_person_lr(ped, MARKERS, {}, poi, missing)
    for value in result.lr_per_marker.values():
        assert math.isclose(value, 1.0, rel_tol=1e-12)
    assert math.isclose(result.lr_total, 1.0, rel_tol=1e-12)


@st.composite
def random_pedigree(draw: st.DrawFn) -> tuple[Pedigree, dict[str, Genotype]]:
    """Pedigrees grown person by person: a founder, or a child of an earlier man and woman."""
    persons: list[Person] = [Person("p0", None, None, 1), Person("p1", None, None, 2)]
    for i in range(2, draw(st.integers(3, 9))):
        sex = draw(st.sampled_from([1, 2]))
        men = [p.id for p in persons if p.sex == 1]
        women = [p.id for p in persons if p.sex == 2]
        if draw(st.booleans()):
            persons.append(Person(f"p{i}", draw(st.sampled_from(men)), draw(st.sampled_from(women)), sex))
        else:
            persons.append(Person(f"p{i}", None, None, sex))
    ids = [p.id for p in persons]
    typed = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
    allele = st.sampled_from(("10", "11", "12"))
    genotypes = {pid: (draw(allele), draw(st.one_of(allele, st.none()))) for pid in typed}
    return Pedigree(persons), genotypes


@SETTINGS
@given(random_pedigree(), st.sampled_from(MUTATIONS))
def test_oracle_path_equals_plain_elimination_on_random_pedigrees(
    drawn: tuple[Pedigree, dict[str, Genotype]], mutation: str
) -> None:
    """With frequencies summing exactly to one, pedprobr's bookkeeping must not change the value."""
    ped, genotypes = drawn
    marker = make_marker(EXAMPLES[0], mutation)
    evidence = {pid: genotype_evidence(marker, g) for pid, g in genotypes.items()}
    assert _same(likelihood(ped, marker, genotypes), float(evidence_likelihood(ped, marker, evidence)))
