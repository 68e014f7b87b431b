"""The lookup kernels against the exact per-pair path (``missing_person_lr``), to 1e-12 relative.

Kept small: CI reruns them with NUMBA_DISABLE_JIT=1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kintrace.dna.families import Family
from kintrace.dna.genotypes import Genotype
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.lr_table import SlotLayout, build_tables
from kintrace.dna.markers import Marker, load_frequency_table
from kintrace.dna.match_kernel import score_block, score_block_numpy
from kintrace.dna.mutation import mutation_model
from kintrace.dna.pedigree import Pedigree, Person

pytestmark = pytest.mark.kernels
DATA = Path(__file__).parent.parent / "data" / "dna_match"

# Reference pedigrees of different shapes (missing person "mp").
PARENT_CHILD = Pedigree(
    [Person("fa", None, None, 1), Person("mo", None, None, 2), Person("mp", "fa", "mo", 1)]
)
GRANDMOTHER_AND_CHILD = Pedigree(
    [
        Person("gf", None, None, 1),
        Person("gm", None, None, 2),
        Person("mp", "gf", "gm", 1),
        Person("wife", None, None, 2),
        Person("kid", "mp", "wife", 2),
    ]
)
SIBLINGS = Pedigree(
    [
        Person("fa", None, None, 1),
        Person("mo", None, None, 2),
        Person("mp", "fa", "mo", 2),
        Person("sib", "fa", "mo", 1),
        Person("sib2", "fa", "mo", 2),
    ]
)
SHAPES = [(PARENT_CHILD, ("fa",)), (GRANDMOTHER_AND_CHILD, ("gm", "kid")), (SIBLINGS, ("sib", "sib2"))]


def markers(mutation: bool) -> list[Marker]:
    """Four real markers (grave table), renormalised so no pedprobr allele lumping shifts the exact path."""
    table = load_frequency_table(DATA / "freqs_grave_subset.csv")
    out = []
    for m in table.values():
        freqs = m.freqs / m.freqs.sum()
        marker = Marker(m.name, m.alleles, freqs)
        if mutation:
            marker = marker.with_mutation(
                mutation_model(
                    {"female": "equal", "male": "proportional"},
                    m.alleles,
                    freqs,
                    rate={"female": 0.002, "male": 0.005},
                )
            )
        out.append(marker)
    return out


def draw(rng: np.random.Generator, marker: Marker) -> Genotype:
    a, b = rng.choice(marker.n_alleles, 2, p=marker.freqs)
    return (marker.alleles[a], marker.alleles[b])


def make_case(mutation: bool, seed: int = 7):
    rng = np.random.default_rng(seed)
    ms = markers(mutation)
    families, refs = [], {}
    for i in range(4):
        pedigree, typed = SHAPES[i % len(SHAPES)]
        fid = f"F{i}"
        families.append(Family(fid, pedigree, "mp", {pid: f"{fid}-{pid}" for pid in typed}))
        refs[fid] = {pid: {m.name: draw(rng, m) for m in ms if rng.random() > 0.15} for pid in typed}
        if i == 1:  # a reference with one allele unknown ("a/-")
            genos = refs[fid][typed[0]]
            name = next(iter(genos))
            genos[name] = (genos[name][0], None)
    profiles: list[dict[str, Genotype]] = []
    for j in range(7):
        prof = {m.name: draw(rng, m) for m in ms}
        if j % 3 == 0:  # share an allele with a reference to get non-zero LRs
            fam = refs[f"F{j % 4}"]
            for name, g in next(iter(fam.values())).items():
                prof[name] = (g[0], prof[name][1])
        if j % 4 == 1:
            del prof[ms[1].name]
        if j % 4 == 2:
            prof[ms[2].name] = (prof[ms[2].name][0], None)
        profiles.append(prof)
    return ms, families, refs, profiles


def score(ms, families, refs, profiles):
    layout = SlotLayout.for_markers(ms)
    block = build_tables(families, refs, layout)
    slots = layout.encode(profiles)
    untyped = np.array([layout.untyped_slot(m) for m in range(len(ms))], dtype=np.int32)
    shape = (len(families), len(profiles))
    lr, log10_lr = np.empty(shape), np.empty(shape)
    compared, bad = np.empty(shape, np.int32), np.empty(shape, np.int32)
    score_block(slots, block.ratio, block.inconsistent, block.typed, untyped, lr, log10_lr, compared, bad)
    return layout, block, slots, lr, log10_lr, compared, bad


@pytest.mark.parametrize("mutation", [False, True])
def test_kernel_equals_exact_per_pair_path(mutation: bool) -> None:
    ms, families, refs, profiles = make_case(mutation)
    _, _, _, lr, log10_lr, compared, bad = score(ms, families, refs, profiles)
    plain = [m.with_mutation(None) for m in ms]
    n_zero = 0
    for f, fam in enumerate(families):
        for p, prof in enumerate(profiles):
            exact = missing_person_lr(fam.pedigree, ms, refs[fam.family_id], prof, fam.missing_id)
            assert lr[f, p] == pytest.approx(exact.lr_total, rel=1e-12, abs=0), (fam.family_id, p)
            n_zero += exact.lr_total == 0
            if exact.lr_total == 0:
                assert lr[f, p] == 0.0 and log10_lr[f, p] == -np.inf
            else:
                assert log10_lr[f, p] == pytest.approx(np.log10(exact.lr_total), abs=1e-12)
            no_mut = missing_person_lr(fam.pedigree, plain, refs[fam.family_id], prof, fam.missing_id)
            assert bad[f, p] == sum(v == 0 for v in no_mut.lr_per_marker.values())
            typed_refs = {name for g in refs[fam.family_id].values() for name in g}
            assert compared[f, p] == len(typed_refs & set(prof))
    assert 0 < n_zero < lr.size or mutation


def test_numpy_baseline_equals_kernel() -> None:
    ms, families, refs, profiles = make_case(True, seed=3)
    _, block, slots, lr, *_ = score(ms, families, refs, profiles)
    np.testing.assert_allclose(score_block_numpy(slots, block.ratio), lr, rtol=1e-14, atol=0)
