"""Every `kintrace dna` command answers bad input with exit code 2 and one line naming the record.

The inputs are the shipped test files with one defect each: an unknown marker, an allele missing from
the frequency table, a pedigree cycle, a parent of the wrong sex, a sample in two families.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dvi_oracle import DVI_DIR
from oracle_data import case_records
from typer.testing import CliRunner

from kintrace.cli.main import app

DATA = Path(__file__).parent.parent / "data" / "dna_match"
PEDIGREES = (DATA / "pedigrees.csv").read_text(encoding="utf-8")
PROFILES = (DATA / "profiles_long.csv").read_text(encoding="utf-8")


def error_line(args: list[str]) -> str:
    """Run a command that must fail on its input; return its single output line."""
    result = CliRunner().invoke(app, ["dna", *args])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.output  # not an uncaught exception
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: "), result.output
    return lines[0]


# --- match and power: CSV profiles, pedigrees, frequencies -------------------------------------------

CSV_DEFECTS: dict[str, tuple[str, str, list[str]]] = {
    # name: (profiles text, pedigrees text, fragments the error line must hold)
    "unknown marker": (PROFILES + "R1,M9,1,2\n", PEDIGREES, ["row 19", "'R1'", "marker 'M9'"]),
    "allele not in table": (
        PROFILES.replace("R1,M1,1,2", "R1,M1,1,77"),
        PEDIGREES,
        ["row 2", "'R1'", "allele2", "allele '77' of marker 'M1'"],
    ),
    "cycle": (PROFILES, PEDIGREES.replace("FAM1,fa,,,1,R1,", "FAM1,fa,mp,mo,1,R1,"), ["'FAM1'", "cycle"]),
    "parent of wrong sex": (
        PROFILES,
        PEDIGREES.replace("FAM1,mo,,,2,,", "FAM1,mo,,,1,,"),
        ["'FAM1'", "person 'mp'", "'mother' 'mo' has sex 1"],
    ),
    "sample in two families": (
        PROFILES,
        PEDIGREES.replace("FAM2,gm,,,2,R2,", "FAM2,gm,,,2,R1,"),
        ["row 6", "person 'gm'", "sample 'R1'", "family 'FAM1'"],
    ),
    "sample not in the profiles": (
        PROFILES,
        PEDIGREES.replace("FAM1,fa,,,1,R1,", "FAM1,fa,,,1,R77,"),
        ["row 2", "family 'FAM1'", "person 'fa'", "field sample_id", "sample 'R77'"],
    ),
}


@pytest.mark.parametrize("command", ["match", "power"])
@pytest.mark.parametrize("defect", list(CSV_DEFECTS))
def test_match_and_power_name_the_bad_record(tmp_path: Path, command: str, defect: str) -> None:
    profiles_text, pedigrees_text, fragments = CSV_DEFECTS[defect]
    profiles, pedigrees = tmp_path / "profiles.csv", tmp_path / "pedigrees.csv"
    profiles.write_text(profiles_text, encoding="utf-8")
    pedigrees.write_text(pedigrees_text, encoding="utf-8")
    args = [command, "--profiles", str(profiles), "--pedigrees", str(pedigrees)]
    args += ["--freqs", str(DATA / "freqs.csv"), "--out", str(tmp_path / "out")]
    if command == "power":
        args += ["--family", "FAM1", "--n", "50"]
    line = error_line(args)
    for fragment in fragments:
        assert fragment in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "cannot read"), (b"\xff\xfe\x00", "not UTF-8 text (byte 0xff at offset 0)")],
)
def test_match_names_an_unreadable_file(tmp_path: Path, content: bytes | None, fragment: str) -> None:
    freqs = tmp_path / "freqs.csv"
    if content is not None:
        freqs.write_bytes(content)
    args = [
        "match",
        "--profiles",
        str(DATA / "profiles_long.csv"),
        "--pedigrees",
        str(DATA / "pedigrees.csv"),
    ]
    line = error_line([*args, "--freqs", str(freqs), "--out", str(tmp_path / "o.csv")])
    assert str(freqs) in line and fragment in line


# --- lr-cases: the oracle's case format ---------------------------------------------------------------

Edit = Callable[[dict[str, Any]], object]
CASE_DEFECTS: dict[str, tuple[Edit, list[str]]] = {
    "unknown marker": (
        lambda c: c["reference_genotypes"]["FA"].update(XYZ=["1", "2"]),
        ["person 'FA'", "marker 'XYZ'"],
    ),
    "allele not in table": (
        lambda c: c["poi_genotype"].update(TH01=["99", "7"]),
        ["POI genotype", "marker 'TH01'", "allele '99'"],
    ),
    "cycle": (lambda c: c["pedigree"][0].update(father="MP", mother="MO"), ["person 'FA'", "cycle"]),
    "parent of wrong sex": (lambda c: c["pedigree"][0].update(sex=2), ["person 'MP'", "'father' 'FA'"]),
    # Found while computing (after the progress bar started), not while reading.
    "impossible references": (
        lambda c: (
            c["pedigree"].append({"id": "KID", "father": "FA", "mother": "MO", "sex": 1})
            or c["reference_genotypes"].update(
                KID={"TH01": ["5", "5"]}, MO={"TH01": ["5", "5"]}, FA={"TH01": ["6", "6"]}
            )
        ),
        ["marker 'TH01'", "impossible"],
    ),
}


@pytest.mark.parametrize("defect", list(CASE_DEFECTS))
def test_lr_cases_names_the_case_and_record(tmp_path: Path, defect: str) -> None:
    edit, fragments = CASE_DEFECTS[defect]
    good = copy.deepcopy(case_records()["PUB-19-exclusion-no-mutation"])
    bad = copy.deepcopy(case_records()["PUB-01-parent-child"])
    edit(bad)
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"cases": [good, bad]}), encoding="utf-8")
    line = error_line(["lr-cases", str(cases), "--out", str(tmp_path / "r.json")])
    assert "case 'PUB-01-parent-child'" in line
    for fragment in fragments:
        assert fragment in line
    assert not (tmp_path / "r.json").exists()


# --- dvi: dvir's JSON layout ----------------------------------------------------------------------------


def _wrong_sex(d: dict[str, Any]) -> None:
    d["families"][0]["pedigree"][0]["sex"] = 2  # M1, father of M2


def _reference_in_two_families(d: dict[str, Any]) -> None:
    d["families"][1]["pedigree"].append({"id": "R1", "father": None, "mother": None, "sex": 2})
    d["families"][1]["genotypes"]["R1"] = d["families"][0]["genotypes"]["R1"]


DVI_DEFECTS: dict[str, tuple[Edit, list[str]]] = {
    "unknown marker": (
        lambda d: d["victims"][0]["genotypes"].update(XYZ=["1", "2"]),
        ["victim 'V1'", "'XYZ'"],
    ),
    "allele not in table": (
        lambda d: d["families"][1]["genotypes"]["R2"].update(L1=["3", "999"]),
        ["family 'F2' person 'R2'", "marker 'L1'", "allele '999'"],
    ),
    "cycle": (lambda d: d["families"][0]["pedigree"][0].update(father="M2", mother="R1"), ["'F1'", "cycle"]),
    "parent of wrong sex": (_wrong_sex, ["family 'F1'", "person 'M2'", "'father' 'M1' has sex 2"]),
    "sample in two families": (_reference_in_two_families, ["family 'F2'", "'R1'", "family 'F1'"]),
}


@pytest.mark.parametrize("defect", list(DVI_DEFECTS))
def test_dvi_names_the_bad_record(tmp_path: Path, defect: str) -> None:
    edit, fragments = DVI_DEFECTS[defect]
    doc = json.loads((DVI_DIR / "example2_input.json").read_text(encoding="utf-8"))
    edit(doc)
    bad = tmp_path / "input.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    line = error_line(["dvi", str(bad), "--out", str(tmp_path / "o.json")])
    for fragment in fragments:
        assert fragment in line
    assert not (tmp_path / "o.json").exists()
