"""Per-family LR tables against parent-child closed forms, partial genotypes and mutation flags."""

from __future__ import annotations

import numpy as np
import pytest

from kintrace.dna.families import Family
from kintrace.dna.lr_table import SlotLayout, TableCache, build_tables
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.mutation import mutation_model
from kintrace.dna.pedigree import Pedigree, Person

P = np.array([0.1, 0.2, 0.3, 0.4])
M1 = Marker("M1", ("1", "2", "3", "4"), P)
TRIO = Pedigree([Person("fa", None, None, 1), Person("mo", None, None, 2), Person("ch", "fa", "mo", 1)])


def parent_child_lr(parent: tuple[int, int], child: tuple[int, int]) -> float:
    """Textbook parent-child LR: P(child | parent) / P(child), one allele from the parent, one random."""
    a, b = parent
    c, d = child

    def transmitted(x: int) -> float:
        return ((a == x) + (b == x)) / 2

    prob = transmitted(c) * P[d] + (transmitted(d) * P[c] if c != d else 0.0)
    prior = P[c] ** 2 if c == d else 2 * P[c] * P[d]
    return float(prob / prior)


@pytest.mark.parametrize("missing", ["ch", "fa"])
def test_parent_child_closed_form_every_genotype(missing: str) -> None:
    ref = "fa" if missing == "ch" else "ch"
    layout = SlotLayout.for_markers([M1])
    parents = [(0, 1), (2, 2), (3, 0)]
    families = [Family(f"F{i}", TRIO, missing, {ref: f"S{i}"}) for i in range(len(parents))]
    refs = {f"F{i}": {ref: {"M1": (M1.alleles[a], M1.alleles[b])}} for i, (a, b) in enumerate(parents)}
    block = build_tables(families, refs, layout)
    for f, parent in enumerate(parents):
        for c in range(4):
            for d in range(c, 4):
                slot = layout.slot(0, (M1.alleles[c], M1.alleles[d]))
                expected = parent_child_lr(parent, (c, d))
                assert block.ratio[f, slot] == pytest.approx(expected, rel=1e-13, abs=0)
                assert block.inconsistent[f, slot] == (expected == 0)
        assert block.ratio[f, layout.untyped_slot(0)] == 1.0
    assert block.typed.all()


def test_partial_genotype_slot_is_the_sum_over_consistent_genotypes() -> None:
    layout = SlotLayout.for_markers([M1])
    family = Family("F", TRIO, "ch", {"fa": "S"})
    block = build_tables([family], {"F": {"fa": {"M1": ("1", "2")}}}, layout)
    for a in range(4):
        num = 0.0
        den = 0.0
        for other in range(4):
            c, d = sorted((a, other))
            prior = P[c] ** 2 if c == d else 2 * P[c] * P[d]
            num += parent_child_lr((0, 1), (c, d)) * prior
            den += prior
        assert block.ratio[0, layout.slot(0, (M1.alleles[a], None))] == pytest.approx(num / den, rel=1e-13)


def test_mutation_keeps_lr_positive_and_flags_inconsistency() -> None:
    marker = M1.with_mutation(mutation_model("equal", M1.alleles, P, rate=0.01))
    layout = SlotLayout.for_markers([marker])
    family = Family("F", TRIO, "ch", {"fa": "S"})
    block = build_tables([family], {"F": {"fa": {"M1": ("1", "1")}}}, layout)
    excluded = layout.slot(0, ("3", "4"))
    shared = layout.slot(0, ("1", "4"))
    assert block.ratio[0, excluded] > 0
    assert block.inconsistent[0, excluded]
    assert not block.inconsistent[0, shared]


def test_family_without_data_at_marker_gives_ones_and_cache_reuses_rows() -> None:
    m2 = Marker("M2", ("a", "b"), np.array([0.5, 0.5]))
    layout = SlotLayout.for_markers([M1, m2])
    families = [Family(f"F{i}", TRIO, "ch", {"fa": f"S{i}"}) for i in range(3)]
    refs = {f"F{i}": {"fa": {"M1": ("2", "3")}} for i in range(3)}
    cache = TableCache()
    block = build_tables(families, refs, layout, cache)
    lo, hi = int(layout.offsets[1]), int(layout.offsets[2])
    assert (block.ratio[:, lo:hi] == 1.0).all()
    assert block.typed.tolist() == [[True, False]] * 3
    assert len(cache.rows) == 1
    again = build_tables(families[:1], refs, layout, cache)
    np.testing.assert_array_equal(again.ratio[0], block.ratio[0])


def test_impossible_references_name_family_and_marker() -> None:
    layout = SlotLayout.for_markers([M1])
    trio = Pedigree([*TRIO.persons, Person("sib", "fa", "mo", 2)])
    family = Family("BAD", trio, "ch", {"fa": "S1", "mo": "S2", "sib": "S3"})
    refs = {"BAD": {"fa": {"M1": ("1", "1")}, "mo": {"M1": ("2", "2")}, "sib": {"M1": ("3", "3")}}}
    with pytest.raises(DnaInputError, match=r"family 'BAD' marker 'M1'.*impossible"):
        build_tables([family], refs, layout)


def test_exclusion_power_orders_layout() -> None:
    even = Marker("E", ("a", "b"), np.array([0.5, 0.5]))
    # Parent a/a (1/4): excluded b/b (1/4); a/b (1/2): never; b/b (1/4): a/a (1/4) -> 1/8.
    from kintrace.dna.lr_table import parent_child_exclusion

    assert parent_child_exclusion(even) == pytest.approx(0.125, rel=1e-15)
    assert [m.name for m in SlotLayout.by_exclusion_power([even, M1]).markers] == ["M1", "E"]
