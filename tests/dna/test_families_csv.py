"""Pedigree CSV: families, their missing person and references; errors name family, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kintrace.dna.families import read_pedigrees
from kintrace.dna.markers import DnaInputError
from kintrace.dna.pedigree import PedigreeError

DATA = Path(__file__).parent.parent / "data" / "dna_match"
HEADER = "family_id,person_id,father_id,mother_id,sex,sample_id,missing\n"


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "pedigrees.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_reads_families_in_order() -> None:
    families = read_pedigrees(DATA / "pedigrees.csv")
    assert [f.family_id for f in families] == ["FAM1", "FAM2", "FAM3"]
    fam2 = families[1]
    assert fam2.missing_id == "dad"
    assert dict(fam2.samples) == {"gm": "R2", "sib": "R3"}
    assert fam2.pedigree.person("sib").father == "dad"
    assert fam2.pedigree.person("mum").sex == 2


def test_sex_words_and_founder_markers(tmp_path: Path) -> None:
    path = write(tmp_path, "F,a,0,NA,M,S1,\nF,b,,,female,,no\nF,c,a,b,u,,X\n")
    (fam,) = read_pedigrees(path)
    assert fam.pedigree.person("a").sex == 1 and fam.pedigree.person("a").is_founder
    assert fam.missing_id == "c"


def test_cycle_is_an_error_naming_family(tmp_path: Path) -> None:
    path = write(tmp_path, "F,a,b,m,1,S1,\nF,b,a,m,1,,1\nF,m,,,2,,\n")
    with pytest.raises(PedigreeError, match=r"family 'F':.*"):
        read_pedigrees(path)


def test_parent_of_wrong_sex(tmp_path: Path) -> None:
    path = write(tmp_path, "F,a,,,2,S1,\nF,b,,,2,,\nF,c,a,b,1,,1\n")
    with pytest.raises(PedigreeError, match=r"family 'F'.*person 'c'.*'father' 'a' has sex 2"):
        read_pedigrees(path)


def test_sample_in_two_families(tmp_path: Path) -> None:
    path = write(tmp_path, "F,a,,,1,S1,\nF,b,,,1,,1\nG,c,,,1,S1,\nG,d,,,1,,1\n")
    with pytest.raises(
        DnaInputError,
        match=r"row 4 \(family 'G', person 'c'\), field sample_id: sample 'S1' "
        r"already belongs to family 'F' \(row 2\)",
    ):
        read_pedigrees(path)


def test_family_needs_exactly_one_missing_person(tmp_path: Path) -> None:
    with pytest.raises(DnaInputError, match=r"family 'F', field missing: no missing person"):
        read_pedigrees(write(tmp_path, "F,a,,,1,S1,\n"))
    with pytest.raises(DnaInputError, match=r"family 'F', field missing: 2 missing persons"):
        read_pedigrees(write(tmp_path, "F,a,,,1,S1,\nF,b,,,1,,1\nF,c,,,2,,1\n"))


def test_missing_person_with_sample_and_bad_fields(tmp_path: Path) -> None:
    with pytest.raises(DnaInputError, match=r"row 2 .*field sample_id: the missing person"):
        read_pedigrees(write(tmp_path, "F,a,,,1,S1,1\n"))
    with pytest.raises(DnaInputError, match=r"row 2 .*field sex: 'x'"):
        read_pedigrees(write(tmp_path, "F,a,,,x,S1,\n"))
    with pytest.raises(DnaInputError, match=r"row 2 .*field missing: 'maybe'"):
        read_pedigrees(write(tmp_path, "F,a,,,1,S1,maybe\n"))
    path = tmp_path / "bad.csv"
    path.write_text("family_id,person_id\nF,a\n", encoding="utf-8")
    with pytest.raises(DnaInputError, match="header lacks column"):
        read_pedigrees(path)
