"""Genotype indexing, markers and frequency tables, pedigree validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kintrace.dna.genotypes import (
    genotype_alleles,
    genotype_index,
    genotype_index_matrix,
    n_genotypes,
    ordered_from_unordered,
)
from kintrace.dna.likelihood import genotype_evidence
from kintrace.dna.markers import DnaInputError, Marker, load_frequency_table
from kintrace.dna.pedigree import Pedigree, PedigreeError, Person


def test_genotype_order_is_upper_triangle_row_by_row() -> None:
    ia, ib = genotype_alleles(3)
    assert list(zip(ia.tolist(), ib.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 1),
        (1, 2),
        (2, 2),
    ]
    assert n_genotypes(3) == 6
    for k, (a, b) in enumerate(zip(ia, ib, strict=True)):
        assert genotype_index(int(a), int(b), 3) == k
        assert genotype_index(int(b), int(a), 3) == k
    idx = genotype_index_matrix(3)
    assert (idx == idx.T).all()
    assert ordered_from_unordered(np.arange(6.0), 3)[2, 1] == 4.0


def test_genotype_index_rejects_out_of_range() -> None:
    with pytest.raises(IndexError):
        genotype_index(0, 3, 3)


def test_marker_index_names_marker_and_allele() -> None:
    m = Marker("TH01", ("6", "7", "9.3"), np.array([0.2, 0.3, 0.5]))
    assert m.index("9.3") == 2
    with pytest.raises(DnaInputError, match=r"TH01.*'8'"):
        m.index("8")


def test_marker_rejects_bad_frequencies() -> None:
    with pytest.raises(DnaInputError, match="TPOX"):
        Marker("TPOX", ("8", "9"), np.array([0.5]))
    with pytest.raises(DnaInputError, match="TPOX"):
        Marker("TPOX", ("8", "9"), np.array([0.5, -0.1]))


def test_genotype_evidence_half_typed() -> None:
    m = Marker("M", ("a", "b", "c"), np.array([0.2, 0.3, 0.5]))
    assert genotype_evidence(m, ("b", "a")).tolist() == [0, 1, 0, 0, 0, 0]
    assert genotype_evidence(m, ("b", None)).tolist() == [0, 1, 0, 1, 1, 0]
    assert genotype_evidence(m, (None, None)).tolist() == [1] * 6


def test_load_frequency_table(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("marker,allele,frequency\nTH01,6,0.4\nTH01,7,0.6\nTPOX,8,1.0\n")
    table = load_frequency_table(path)
    assert list(table) == ["TH01", "TPOX"]
    assert table["TH01"].alleles == ("6", "7")
    np.testing.assert_array_equal(table["TH01"].freqs, [0.4, 0.6])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("TH01,6,abc\n", r"row 2.*'abc'"),
        ("TH01,6,0.5\nTH01,6,0.5\n", r"row 3.*listed twice"),
        ("TH01,,0.5\n", r"row 2.*allele"),
        ("TH01,6,1.5\n", r"row 2.*outside"),
    ],
)
def test_load_frequency_table_errors_name_the_row(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text("marker,allele,frequency\n" + body)
    with pytest.raises(DnaInputError, match=message):
        load_frequency_table(path)


def test_pedigree_orders_parents_first() -> None:
    ped = Pedigree(
        [
            Person("kid", "fa", "mo", 1),
            Person("fa", None, None, 1),
            Person("mo", None, None, 2),
        ]
    )
    assert ped.ids.index("fa") < ped.ids.index("kid")
    assert set(ped.founders) == {"fa", "mo"}
    assert ped.children("mo") == ("kid",)
    assert ped.person("kid").father == "fa"


@pytest.mark.parametrize(
    ("persons", "message"),
    [
        ([Person("a", None, None, 1), Person("a", None, None, 2)], "'a': duplicate"),
        ([Person("c", "x", "m", 1), Person("m", None, None, 2)], r"'c'.*'x' is not in"),
        ([Person("f", None, None, 2), Person("m", None, None, 2), Person("c", "f", "m", 1)], r"'c'.*sex 2"),
        ([Person("c", "f", None, 1), Person("f", None, None, 1)], "'c': has one parent"),
        (
            [
                Person("a", "b", "m", 1),
                Person("b", "a", "m", 1),
                Person("m", None, None, 2),
            ],
            "cycle",
        ),
    ],
)
def test_pedigree_errors_name_the_person(persons: list[Person], message: str) -> None:
    with pytest.raises(PedigreeError, match=message):
        Pedigree(persons)


def test_missing_person_lr_names_bad_records() -> None:
    from kintrace.dna.lr import missing_person_lr

    ped = Pedigree([Person("FA", None, None, 1), Person("MO", None, None, 2), Person("MP", "FA", "MO", 1)])
    markers = [Marker("TH01", ("6", "7"), np.array([0.4, 0.6]))]
    with pytest.raises(DnaInputError, match=r"'FA'.*'VWA'"):
        missing_person_lr(ped, markers, {"FA": {"VWA": ("6", "7")}}, {"TH01": ("6", "6")}, "MP")
    with pytest.raises(DnaInputError, match=r"'VWA'"):
        missing_person_lr(ped, markers, {"FA": {"TH01": ("6", "7")}}, {"VWA": ("6", "6")}, "MP")
    with pytest.raises(DnaInputError, match=r"TH01.*'8'"):
        missing_person_lr(ped, markers, {"FA": {"TH01": ("6", "8")}}, {"TH01": ("6", "6")}, "MP")
    with pytest.raises(DnaInputError, match=r"'XX'"):
        missing_person_lr(ped, markers, {}, {"TH01": ("6", "6")}, "XX")
    with pytest.raises(DnaInputError, match=r"'MP' must be untyped"):
        missing_person_lr(ped, markers, {"MP": {"TH01": ("6", "7")}}, {"TH01": ("6", "6")}, "MP")
    impossible = {"FA": {"TH01": ("6", "6")}, "MO": {"TH01": ("6", "6")}}
    with pytest.raises(DnaInputError, match=r"TH01.*impossible"):
        missing_person_lr(
            ped.with_person(Person("SIB", "FA", "MO", 2)),
            markers,
            {**impossible, "SIB": {"TH01": ("7", "7")}},
            {"TH01": ("6", "6")},
            "MP",
        )
