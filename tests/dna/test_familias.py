"""Familias .fam input: persons, genotypes, pedigrees (one known parent completed), the allele
database with its mutation models, errors naming file and line, and the conversion for `dna match`."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.dna.familias import read_familias
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.markers import DnaInputError, load_frequency_table
from kintrace.dna.mutation import make_stationary, mutation_matrix
from kintrace.dna.profiles import read_profiles

FAM = Path(__file__).parent.parent / "data" / "dna_familias" / "missing_father_child.fam"


def test_persons_genotypes_and_pedigree() -> None:
    data = read_familias(FAM)
    assert data.persons == ("AF", "MO", "MP", "SIB")
    assert data.genotypes["AF"] == {"D3S1358": ("14", "15"), "TH01": ("7", "9.3"), "VWA": ("15", "18")}
    assert data.genotypes["MP"] == {}
    ped = data.pedigrees["H1"]
    assert (ped.person("SIB").father, ped.person("SIB").mother) == ("AF", "MO")
    # MP has only a known father in the file: the mother is added as an untyped founder.
    mp = ped.person("MP")
    assert mp.father == "AF" and mp.mother == "added_1" and ped.person("added_1").sex == 2


def test_database_and_mutation_models() -> None:
    m = read_familias(FAM).markers
    assert m["TH01"].alleles == ("6", "7", "9.3", "10")
    np.testing.assert_array_equal(m["TH01"].freqs, [0.25, 0.125, 0.5, 0.125])
    d3 = m["D3S1358"]
    assert d3.mutation is not None
    np.testing.assert_array_equal(
        d3.mutation.female, mutation_matrix("equal", d3.alleles, d3.freqs, rate=0.001)
    )
    np.testing.assert_array_equal(
        d3.mutation.male, mutation_matrix("equal", d3.alleles, d3.freqs, rate=0.002)
    )
    th = m["TH01"]
    assert th.mutation is not None
    np.testing.assert_array_equal(
        th.mutation.male, mutation_matrix("proportional", th.alleles, th.freqs, rate=0.002)
    )
    vwa = m["VWA"]
    assert vwa.mutation is not None
    step = mutation_matrix("stepwise", vwa.alleles, vwa.freqs, rate=0.002, rate2=1e-6, range=0.5)
    np.testing.assert_allclose(vwa.mutation.male, make_stationary(step, vwa.freqs), rtol=1e-15)
    np.testing.assert_array_equal(
        vwa.mutation.female,
        mutation_matrix("stepwise", vwa.alleles, vwa.freqs, rate=0.001, rate2=1e-6, range=0.5),
    )


@pytest.mark.parametrize(
    ("line", "new", "message"),
    [
        (48, '"Known relation"', r"line 48: expected 'Known relations', found 'Known relation'"),
        (10, "#MAYBE#", r"line 10: expected the sex of person 'AF' \(#TRUE# male, #FALSE# female\)"),
        (92, "7", r"line 92: expected the female model code of 'TH01' \(0..4\), found '7'"),
        (86, "x0.375", r"line 86: expected the frequency of allele '16' of 'D3S1358', found 'x0.375'"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, line: int, new: str, message: str) -> None:
    lines = FAM.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = new
    path = tmp_path / "bad.fam"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DnaInputError, match=r"bad\.fam " + message):
        read_familias(path)


def test_truncated_file_names_the_end(tmp_path: Path) -> None:
    path = tmp_path / "short.fam"
    path.write_text("\r\n".join(FAM.read_text(encoding="utf-8").splitlines()[:30]), encoding="utf-8")
    with pytest.raises(DnaInputError, match=r"short\.fam line 31: expected .*found 'end of file'"):
        read_familias(path)


def test_command_writes_match_inputs_with_the_same_lr(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = CliRunner().invoke(
        app, ["dna", "familias", str(FAM), "--out", str(out), "--missing", "MP", "--pedigree", "H1"]
    )
    assert result.exit_code == 0, result.output
    assert "stepwise (stationary)" in result.output
    profiles = out / "profiles.csv"
    with profiles.open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [["U1", "D3S1358", "14", "16"], ["U1", "TH01", "9.3", "6"], ["U1", "VWA", "15", "17"]]
        )
    ranked = tmp_path / "ranked.csv"
    result = CliRunner().invoke(
        app,
        ["dna", "match", "--profiles", str(profiles), "--pedigrees", str(out / "pedigrees.csv"),
         "--freqs", str(out / "freqs.csv"), "--out", str(ranked)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(ranked.open(newline="")))
    assert row["sample_id"] == "U1" and row["family_id"] == "missing_father_child"
    data = read_familias(FAM)
    plain = [m.with_mutation(None) for m in data.markers.values()]
    refs = {pid: data.genotypes[pid] for pid in ("AF", "SIB")}
    u = read_profiles(profiles, load_frequency_table(out / "freqs.csv"))["U1"]
    exact = missing_person_lr(data.pedigrees["H1"], plain, refs, u, "MP")
    assert float(row["LR"]) == pytest.approx(exact.lr_total, rel=1e-12)


def test_command_rejects_a_typed_missing_person(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["dna", "familias", str(FAM), "--out", str(tmp_path), "--missing", "AF"])
    assert result.exit_code == 2
    assert "person 'AF', --missing: the missing person is typed" in result.output
