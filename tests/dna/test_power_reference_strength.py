"""Reference strength: exact per-marker figures, simulation against them, report files and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.dna.families import Family
from kintrace.dna.genotypes import genotype_alleles
from kintrace.dna.likelihood import hardy_weinberg
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.pedigree import Pedigree, Person
from kintrace.dna.power import marker_lrs, reference_strength, strength_with_relative, write_report

DATA = Path(__file__).parent.parent / "data" / "dna_match"
P = np.array([0.1, 0.2, 0.3, 0.4])
M1 = Marker("M1", ("1", "2", "3", "4"), P)
M2 = Marker("M2", ("a", "b"), np.array([0.5, 0.5]))
TRIO = Pedigree([Person("fa", None, None, 1), Person("mo", None, None, 2), Person("ch", "fa", "mo", 1)])
FAMILY = Family("F", TRIO, "ch", {"fa": "S"})
REFS = {"fa": {"M1": ("1", "2")}}


def test_posterior_of_child_given_father() -> None:
    lrs = marker_lrs(FAMILY, REFS, M1)
    ia, ib = genotype_alleles(4)
    # Child of father 1/2: one allele 1 or 2 (1/2 each), the other from the population.
    expected = np.zeros(ia.size)
    for k, (a, b) in enumerate(zip(ia, ib, strict=True)):
        for paternal in (0, 1):
            if a == paternal:
                expected[k] += 0.5 * P[b]
            if b == paternal and a != b:
                expected[k] += 0.5 * P[a]
    np.testing.assert_allclose(lrs.posterior, expected, rtol=1e-13)
    np.testing.assert_allclose(lrs.ratio * lrs.prior, expected, rtol=1e-13)


def test_simulation_agrees_with_exact_figures() -> None:
    result = reference_strength(FAMILY, REFS, {"M1": M1, "M2": M2}, n=20_000, seed=5, threshold=3.0)
    assert result.markers == ("M1",)  # M2: nobody typed
    # Unrelated excluded unless carrying 1 or 2: (1 - 0.1 - 0.2)^2.
    assert result.exclusion_power_exact == pytest.approx(0.49, rel=1e-12)
    assert result.summary["exclusion_power"] == pytest.approx(0.49, abs=0.015)
    assert not (result.true_lr == 0).any()
    lrs = marker_lrs(FAMILY, REFS, M1)
    expected_true = float(lrs.posterior[lrs.ratio >= 3.0].sum())
    expected_unrel = float(lrs.prior[lrs.ratio >= 3.0].sum())
    assert result.summary["p_true_lr_at_least_threshold"] == pytest.approx(expected_true, abs=0.015)
    assert result.summary["p_unrelated_lr_at_least_threshold"] == pytest.approx(expected_unrel, abs=0.01)
    same = reference_strength(FAMILY, REFS, {"M1": M1}, n=20_000, seed=5, threshold=3.0)
    np.testing.assert_array_equal(same.true_lr, result.true_lr)


def test_report_files(tmp_path: Path) -> None:
    result = reference_strength(FAMILY, REFS, {"M1": M1}, n=500, seed=1)
    paths = write_report(result, tmp_path / "out")
    summary = json.loads(paths["summary"].read_text())
    assert summary["family_id"] == "F" and summary["verdict"].startswith("weak")
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(paths["lrs"].read_text().splitlines()) == 501


def test_untyped_family_is_an_error() -> None:
    with pytest.raises(DnaInputError, match="family 'F': no reference is typed"):
        reference_strength(FAMILY, {}, {"M1": M1}, n=10)


def test_power_cli(tmp_path: Path) -> None:
    out = tmp_path / "power"
    result = CliRunner().invoke(
        app,
        [
            "dna", "power", "--pedigrees", str(DATA / "pedigrees.csv"), "--freqs", str(DATA / "freqs.csv"),
            "--profiles", str(DATA / "profiles_long.csv"), "--family", "FAM2", "--n", "2000",
            "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "power_summary.json").read_text())
    assert summary["markers"] == ["M1", "M2", "M3"]
    assert 0.9 < summary["exclusion_power"] < 0.98
    assert (out / "power.png").exists()
    missing = CliRunner().invoke(
        app,
        [
            "dna", "power", "--pedigrees", str(DATA / "pedigrees.csv"), "--freqs", str(DATA / "freqs.csv"),
            "--profiles", str(DATA / "profiles_long.csv"), "--family", "NOPE", "--out", str(out),
        ],
    )  # fmt: skip
    assert missing.exit_code == 2 and "no family 'NOPE'" in missing.output


def test_one_more_relative_agrees_with_exact_figures() -> None:
    """Adding the mother (a founder, unrelated to the father): her genotype j is drawn with HWE weight,
    and the family's LR is then the one `marker_lrs` gives with her typed as j."""
    threshold = 3.0
    exact = 0.0
    for j, (a, b) in enumerate(zip(*genotype_alleles(4), strict=True)):
        refs = {**REFS, "mo": {"M1": (M1.alleles[a], M1.alleles[b])}}
        lrs = marker_lrs(FAMILY, refs, M1)
        exact += float(hardy_weinberg(M1)[j]) * float(lrs.posterior[lrs.ratio >= threshold].sum())
    result = strength_with_relative(FAMILY, REFS, {"M1": M1}, "mo", n=40_000, seed=3, threshold=threshold)
    assert result.p_true == pytest.approx(exact, abs=0.01)
    again = strength_with_relative(FAMILY, REFS, {"M1": M1}, "mo", n=40_000, seed=3, threshold=threshold)
    assert again == result  # seeded: the same figure every time


def test_one_more_relative_must_be_an_untyped_relative() -> None:
    with pytest.raises(DnaInputError, match="'fa' is typed already"):
        strength_with_relative(FAMILY, REFS, {"M1": M1}, "fa", n=10)
    with pytest.raises(DnaInputError, match="'nobody' is not a relative"):
        strength_with_relative(FAMILY, REFS, {"M1": M1}, "nobody", n=10)


def test_a_parent_helps_more_than_a_half_sibling() -> None:
    pedigree = Pedigree(
        [
            Person("gf", None, None, 1),
            Person("gm", None, None, 2),
            Person("fa", "gf", "gm", 1),
            Person("mo", None, None, 2),
            Person("ch", "fa", "mo", 1),
            Person("other", None, None, 2),
            Person("half", "fa", "other", 1),
            Person("uncle", "gf", "gm", 1),
        ]
    )
    family = Family("G", pedigree, "ch", {})
    rng = np.random.default_rng(0)
    table = {f"M{i}": Marker(f"M{i}", tuple("abcdef"), rng.dirichlet(np.ones(6))) for i in range(12)}
    refs = {"gm": {name: ("a", "b") for name in table}}
    figures = {
        who: strength_with_relative(family, refs, table, who, n=1000, seed=1, threshold=1e2).p_true
        for who in ("mo", "half", "uncle")
    }
    assert figures["mo"] > figures["half"] > 0
    assert figures["mo"] > figures["uncle"]


def test_the_pair_table_is_the_batch_of_families_with_the_relative_typed() -> None:
    """P(refs, X = j, MP = k) from one elimination equals the engine's joint with X typed as each j."""
    from kintrace.dna.genotypes import genotype_alleles as alleles_of
    from kintrace.dna.likelihood import genotype_evidence, joint_likelihood_by_genotypes
    from kintrace.dna.lr_table import joint_with_missing

    pedigree = Pedigree(
        [
            Person("gf", None, None, 1),
            Person("gm", None, None, 2),
            Person("fa", "gf", "gm", 1),
            Person("mo", None, None, 2),
            Person("ch", "fa", "mo", 1),
            Person("uncle", "gf", "gm", 1),
        ]
    )
    marker = Marker("M", ("1", "2", "3", "4", "5"), np.array([0.1, 0.15, 0.2, 0.25, 0.3]))
    refs = {"gm": ("1", "2"), "uncle": ("2", "4")}
    table = joint_likelihood_by_genotypes(
        pedigree, marker, {p: genotype_evidence(marker, g) for p, g in refs.items()}, ["fa", "ch"]
    )
    ia, ib = alleles_of(5)
    every = [(marker.alleles[a], marker.alleles[b]) for a, b in zip(ia, ib, strict=True)]
    batch, data = joint_with_missing(
        pedigree, "ch", marker, ["gm", "uncle", "fa"], [(refs["gm"], refs["uncle"], g) for g in every]
    )
    np.testing.assert_allclose(table, batch, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(table.sum(axis=1), data, rtol=1e-12)
