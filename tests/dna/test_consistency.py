"""A family's references against the relationships stated between them (dna/consistency.py),
checked against the brute-force pedigree likelihood."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from tests.dna.brute_force import brute_force_likelihood

from kintrace.dna.consistency import FLAG_LOG10, references_consistency
from kintrace.dna.markers import Marker
from kintrace.dna.pedigree import Pedigree, Person

ALLELES = ("10", "11", "12")
FREQS = np.array([0.2, 0.3, 0.5])
MARKERS = {f"M{i}": Marker(f"M{i}", ALLELES, FREQS) for i in range(1, 4)}
# The missing person's parents and his full brother: father and brother are the references.
PEDIGREE = Pedigree(
    [
        Person("fa", None, None, 1),
        Person("mo", None, None, 2),
        Person("mp", "fa", "mo", 1),
        Person("sib", "fa", "mo", 1),
    ]
)


def _code(genotype: tuple[str, str]) -> tuple[int, int]:
    return ALLELES.index(genotype[0]), ALLELES.index(genotype[1])


def _hw(genotype: tuple[str, str]) -> float:
    a, b = _code(genotype)
    return float(FREQS[a] * FREQS[b] * (1 if a == b else 2))


@pytest.mark.parametrize("seed", range(6))
def test_the_ratio_is_the_brute_force_likelihood_over_unrelated_people(seed):
    rng = random.Random(seed)
    refs = {p: {m: (rng.choice(ALLELES), rng.choice(ALLELES)) for m in MARKERS} for p in ("fa", "sib")}
    [found] = references_consistency(PEDIGREE, "mp", MARKERS, [refs])
    expected, contradicting = 0.0, []
    for name in sorted(MARKERS):
        observed = {p: _code(refs[p][name]) for p in refs}
        stated = brute_force_likelihood(PEDIGREE, FREQS, observed)
        if stated == 0:
            contradicting.append(name)
        else:
            expected += math.log10(stated / (_hw(refs["fa"][name]) * _hw(refs["sib"][name])))
    assert found.contradicting == tuple(contradicting) and found.markers_used == 3
    if contradicting:
        assert found.log10_lr is None and found.flagged
    else:
        assert found.log10_lr == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_a_son_who_shares_no_allele_with_his_father_contradicts_the_pedigree():
    refs = {"fa": {"M1": ("10", "10")}, "sib": {"M1": ("11", "12")}}
    [found] = references_consistency(PEDIGREE, "mp", MARKERS, [refs])
    assert found.contradicting == ("M1",) and found.flagged


def test_one_reference_or_parents_alone_say_nothing():
    alone = {"fa": {m: ("10", "11") for m in MARKERS}}
    parents = {"fa": {m: ("10", "11") for m in MARKERS}, "mo": {m: ("12", "12") for m in MARKERS}}
    found_alone, found_parents = references_consistency(PEDIGREE, "mp", MARKERS, [alone, parents])
    assert found_alone.markers_used == 0 and found_alone.log10_lr == 0.0 and not found_alone.flagged
    # Two founders are unrelated under both hypotheses: the ratio is 1.
    assert found_parents.log10_lr == pytest.approx(0.0, abs=1e-12) and not found_parents.flagged


def test_an_unrelated_man_stated_as_the_brother_is_flagged_on_enough_markers():
    rng = np.random.default_rng(3)
    many = {f"S{i}": Marker(f"S{i}", tuple(str(a) for a in range(8)), np.full(8, 1 / 8)) for i in range(23)}

    def person() -> dict[str, tuple[str, str]]:
        return {m: (str(rng.integers(8)), str(rng.integers(8))) for m in many}

    father, mother, stranger = person(), person(), person()
    son = {m: (father[m][rng.integers(2)], mother[m][rng.integers(2)]) for m in many}
    true, swapped = references_consistency(
        PEDIGREE, "mp", many, [{"fa": father, "sib": son}, {"fa": father, "sib": stranger}]
    )
    assert not true.flagged and true.log10_lr is not None and true.log10_lr > 0
    assert swapped.flagged and (swapped.log10_lr is None or swapped.log10_lr < FLAG_LOG10)
