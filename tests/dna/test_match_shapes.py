"""Families with several references through the fast path (tables + streaming scan), shape by shape,
against the exact per-pair path (1e-10) and the brute-force enumeration.

Shapes the issue names: both parents; one parent and a full sibling; a paternal grandfather and an
uncle; a child and the spouse (the missing person's child with the child's other parent typed). Each
with and without a mutation model (sex-specific). Frequencies sum to 1 so that pedprobr's lumping of
unseen alleles in the exact path changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from brute_force import brute_force_likelihood

from kintrace.dna.families import Family
from kintrace.dna.genotypes import Genotype
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.lr_table import SlotLayout, TableCache, build_tables
from kintrace.dna.markers import Marker
from kintrace.dna.match import match_all
from kintrace.dna.mutation import mutation_model
from kintrace.dna.pedigree import Pedigree, Person

P = Person
Profile = dict[str, Genotype]
References = dict[str, dict[str, Profile]]
Case = tuple[list[Marker], list[Family], References, list[Profile]]
SHAPES: dict[str, tuple[Pedigree, tuple[str, ...]]] = {
    "both_parents": (
        Pedigree([P("fa", None, None, 1), P("mo", None, None, 2), P("mp", "fa", "mo", 1)]),
        ("fa", "mo"),
    ),
    "parent_and_full_sibling": (
        Pedigree(
            [P("fa", None, None, 1), P("mo", None, None, 2), P("mp", "fa", "mo", 2), P("sib", "fa", "mo", 1)]
        ),
        ("mo", "sib"),
    ),
    "paternal_grandfather_and_uncle": (
        Pedigree(
            [
                P("gf", None, None, 1),
                P("gm", None, None, 2),
                P("fa", "gf", "gm", 1),
                P("uncle", "gf", "gm", 1),
                P("mo", None, None, 2),
                P("mp", "fa", "mo", 1),
            ]
        ),
        ("gf", "uncle"),
    ),
    "child_and_spouse": (
        Pedigree([P("mp", None, None, 1), P("spouse", None, None, 2), P("kid", "mp", "spouse", 2)]),
        ("kid", "spouse"),
    ),
}


MUTATIONS = [None, "equal/proportional", "equal/stepwise"]


def markers(mutation: str | None, sizes: tuple[int, ...]) -> list[Marker]:
    """Markers of ``sizes`` alleles; mutation female/male: lumpable (equal, proportional) or not
    (stepwise), which the table build computes in two different ways."""
    out = []
    rng = np.random.default_rng(len(sizes))
    for i, n in enumerate(sizes):
        alleles = tuple(str(8 + a) for a in range(n))
        freqs = rng.dirichlet(np.ones(n) * 2)
        freqs[-1] = 1.0 - freqs[:-1].sum()
        marker = Marker(f"M{i}", alleles, freqs)
        if mutation:
            female, male = mutation.split("/")
            marker = marker.with_mutation(
                mutation_model(
                    {"female": female, "male": male},
                    alleles,
                    freqs,
                    rate={"female": 0.003, "male": 0.01},
                    rate2={"female": 0.0, "male": 1e-4},
                    range={"female": 0.5, "male": 0.5},
                )
            )
        out.append(marker)
    return out


def draw(rng: np.random.Generator, m: Marker) -> Genotype:
    a, b = rng.choice(m.n_alleles, 2, p=m.freqs)
    return (m.alleles[a], m.alleles[b])


def gene_drop(rng: np.random.Generator, pedigree: Pedigree, m: Marker) -> dict[str, Genotype]:
    """Genotypes of every person: founders from the frequencies, one allele from each parent."""
    out: dict[str, Genotype] = {}
    for pid in pedigree.ids:  # parents first
        person = pedigree.person(pid)
        if person.father is None or person.mother is None:
            out[pid] = draw(rng, m)
        else:
            out[pid] = (out[person.father][rng.integers(2)], out[person.mother][rng.integers(2)])
    return out


def case(shape: str, mutation: str | None, sizes: tuple[int, ...], seed: int = 5) -> Case:
    """Four families of one shape (simulated), eight profiles: the four missing persons (one with a
    partial genotype, one untyped at a marker) and four unrelated people."""
    rng = np.random.default_rng(seed)
    ms = markers(mutation, sizes)
    pedigree, typed = SHAPES[shape]
    families: list[Family] = []
    refs: References = {}
    missing: list[Profile] = []
    for i in range(4):
        fid = f"F{i}"
        families.append(Family(fid, pedigree, "mp", {pid: f"{fid}-{pid}" for pid in typed}))
        truth = {m.name: gene_drop(rng, pedigree, m) for m in ms}
        refs[fid] = {pid: {name: g[pid] for name, g in truth.items()} for pid in typed}
        missing.append({name: g["mp"] for name, g in truth.items()})
        if i == 2:
            del refs[fid][typed[1]][ms[0].name]  # one reference untyped at a marker
    profiles: list[dict[str, Genotype]] = []
    for j in range(8):
        prof = missing[j] if j < 4 else {m.name: draw(rng, m) for m in ms}
        if j in (1, 5):
            prof[ms[-1].name] = (prof[ms[-1].name][0], None)
        if j in (2, 6):
            del prof[ms[0].name]
        profiles.append(prof)
    return ms, families, refs, profiles


def fast_path(
    ms: list[Marker], families: list[Family], refs: References, profiles: list[Profile]
) -> dict[tuple[int, int], float]:
    """Every pair with LR > 0, as the command scans them (streamed blocks, top-k and threshold)."""
    layout = SlotLayout.by_exclusion_power(ms)
    slots = layout.encode(profiles)
    cache = TableCache()
    blocks = (build_tables(families[i : i + 3], refs, layout, cache) for i in range(0, len(families), 3))
    ids = [str(j) for j in range(len(profiles))]
    result = match_all(ids, slots, layout, blocks, top_k=len(families), threshold=1e-300)
    fam_index = {f.family_id: i for i, f in enumerate(families)}
    return {(fam_index[m.family_id], int(m.sample_id)): m.lr for m in result.matches}


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_fast_path_equals_exact_path(shape: str, mutation: str | None) -> None:
    ms, families, refs, profiles = case(shape, mutation, (6, 9, 4, 12))
    got = fast_path(ms, families, refs, profiles)
    n_positive = 0
    for f, fam in enumerate(families):
        for p, prof in enumerate(profiles):
            exact = missing_person_lr(fam.pedigree, ms, refs[fam.family_id], prof, fam.missing_id).lr_total
            if exact == 0:
                assert (f, p) not in got, (shape, f, p)
            else:
                n_positive += 1
                assert got[(f, p)] == pytest.approx(exact, rel=1e-10, abs=0), (shape, f, p)
    assert n_positive >= 4  # the related profiles are never excluded


def _coded(m: Marker, g: Genotype | None) -> tuple[int | None, int | None]:
    return (None, None) if g is None else (m.codes(g))


def brute_lr(m: Marker, pedigree: Pedigree, refs: dict[str, dict[str, Genotype]], prof: Profile) -> float:
    mut = m.mutation
    male, female = (None, None) if mut is None else (mut.male, mut.female)
    observed = {pid: m.codes(g[m.name]) for pid, g in refs.items() if m.name in g}
    with_u = {**observed, "mp": _coded(m, prof.get(m.name))}
    single = Pedigree([Person("u", None, None, 0)])
    p_u = brute_force_likelihood(single, m.freqs, {"u": _coded(m, prof.get(m.name))})
    h1 = brute_force_likelihood(pedigree, m.freqs, with_u, male=male, female=female)
    return h1 / (brute_force_likelihood(pedigree, m.freqs, observed, male=male, female=female) * p_u)


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_fast_path_equals_brute_force(shape: str, mutation: str | None) -> None:
    ms, families, refs, profiles = case(shape, mutation, (3, 2), seed=11)
    got = fast_path(ms, families, refs, profiles)
    for f, fam in enumerate(families):
        for p, prof in enumerate(profiles):
            expected = float(np.prod([brute_lr(m, fam.pedigree, refs[fam.family_id], prof) for m in ms]))
            if expected == 0:
                assert (f, p) not in got
            else:
                assert got[(f, p)] == pytest.approx(expected, rel=1e-10, abs=0), (shape, f, p)


@pytest.mark.parametrize("mutation", [None, "equal/proportional"])
def test_mix_of_shapes_tiles_equal_rows_and_exact(mutation: str | None) -> None:
    """A mix of every shape in blocks of several tiles (families side by side, ``kernel="tiles"``):
    the same kept pairs with bit-identical LRs as one family row at a time (``kernel="rows"``) and as
    the two together (``"auto"``: excluding families in rows, the others in tiles), and the exact
    per-pair path to 1e-10."""
    rng = np.random.default_rng(17)
    ms = markers(mutation, (6, 9, 4, 12, 7))
    shapes = list(SHAPES.values())
    families: list[Family] = []
    refs: References = {}
    profiles: list[Profile] = []
    for i in range(80):
        pedigree, typed = shapes[i % len(shapes)]
        fid = f"F{i:03d}"
        families.append(Family(fid, pedigree, "mp", {pid: f"{fid}-{pid}" for pid in typed}))
        truth = {m.name: gene_drop(rng, pedigree, m) for m in ms}
        refs[fid] = {pid: {name: g[pid] for name, g in truth.items()} for pid in typed}
        if i % 4 == 0:
            profiles.append({name: g["mp"] for name, g in truth.items()})
    profiles += [{m.name: draw(rng, m) for m in ms} for _ in range(20)]
    layout = SlotLayout.by_exclusion_power(ms)
    slots = layout.encode(profiles)
    ids = [f"U{j:02d}" for j in range(len(profiles))]
    results = {}
    for kernel in ("auto", "tiles", "rows"):
        cache = TableCache()
        blocks = (build_tables(families[i : i + 70], refs, layout, cache) for i in range(0, 80, 70))
        results[kernel] = match_all(ids, slots, layout, blocks, top_k=5, threshold=10.0, kernel=kernel)
    assert len(results["tiles"].matches) > 100
    assert results["tiles"].matches == results["rows"].matches == results["auto"].matches
    assert results["tiles"].n_above_threshold == results["rows"].n_above_threshold
    fam_by_id = {f.family_id: f for f in families}
    for m in results["tiles"].matches[::7]:
        fam = fam_by_id[m.family_id]
        prof = profiles[int(m.sample_id[1:])]
        exact = missing_person_lr(fam.pedigree, ms, refs[fam.family_id], prof, "mp").lr_total
        assert m.lr == pytest.approx(exact, rel=1e-10, abs=0)
