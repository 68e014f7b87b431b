"""Profile CSV readers: long and wide layouts, partial genotypes, and errors that name the record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.profiles import read_profiles

DATA = Path(__file__).parent.parent / "data" / "dna_match"

MARKERS = {
    "D3S1358": Marker("D3S1358", ("14", "15", "16", "17.3"), np.array([0.1, 0.2, 0.3, 0.4])),
    "VWA": Marker("VWA", ("16", "17", "18"), np.array([0.2, 0.3, 0.5])),
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profiles.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_long_layout_reads_full_partial_and_untyped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sample_id,marker,allele1,allele2\nU1,D3S1358,15,17.3\nU1,VWA,16,\nU2,D3S1358,,\nU2,VWA,18,17\n",
    )
    got = read_profiles(path, MARKERS)
    assert got.sample_ids == ("U1", "U2")
    assert got["U1"] == {"D3S1358": ("15", "17.3"), "VWA": ("16", None)}
    assert got["U2"] == {"VWA": ("18", "17")}


def test_single_allele_can_mean_homozygous(tmp_path: Path) -> None:
    path = write(tmp_path, "sample_id,marker,allele1,allele2\nU1,VWA,16,\n")
    assert read_profiles(path, MARKERS, single_allele="homozygous")["U1"] == {"VWA": ("16", "16")}


@pytest.mark.parametrize(
    "header",
    [
        "Sample Name,D3S1358 1,D3S1358 2,VWA 1,VWA 2",
        "Sample Name,D3S1358_1,D3S1358_2,VWA_1,VWA_2",
        "SampleName,D3S1358_a,D3S1358_b,VWA.a,VWA.b",
        "sample_id,VWA-1,D3S1358-1,VWA-2,D3S1358-2",
    ],
)
def test_wide_layout_variants(tmp_path: Path, header: str) -> None:
    cols = header.split(",")[1:]
    values = {"D3S1358": ("15", "16"), "VWA": ("17", "")}
    row = ["U9"]
    for col in cols:
        name = col[:-2]
        row.append(values[name][0 if col[-1] in "1a" else 1])
    path = write(tmp_path, header + "\n" + ",".join(row) + "\n")
    got = read_profiles(path, MARKERS)
    assert got["U9"] == {"D3S1358": ("15", "16"), "VWA": ("17", None)}


def test_wide_file_and_long_file_agree() -> None:
    from kintrace.dna.markers import load_frequency_table

    markers = load_frequency_table(DATA / "freqs.csv")
    wide = read_profiles(DATA / "profiles_wide.csv", markers, layout="wide")
    long = read_profiles(DATA / "profiles_long.csv", markers)
    assert wide.profiles == long.profiles
    assert wide.ignored_columns == ("Panel", "AMEL 1", "AMEL 2")


def test_genemapper_long_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "Sample Name,Marker,Allele 1,Allele 2\nU1,VWA,16,18\n")
    assert read_profiles(path, MARKERS)["U1"] == {"VWA": ("16", "18")}


def test_unknown_marker_names_row_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "sample_id,marker,allele1,allele2\nU1,VWA,16,18\nU1,D99S1,1,2\n")
    with pytest.raises(DnaInputError, match=r"row 3 \(sample 'U1'\), field marker: marker 'D99S1'"):
        read_profiles(path, MARKERS)


def test_allele_not_in_table_names_row_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "sample_id,marker,allele1,allele2\nU1,VWA,16,19\n")
    with pytest.raises(
        DnaInputError, match=r"row 2 \(sample 'U1'\), field allele2: allele '19' of marker 'VWA'"
    ):
        read_profiles(path, MARKERS)


def test_wide_allele_error_names_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Sample Name,VWA 1,VWA 2\nU1,16,15\n")
    with pytest.raises(DnaInputError, match=r"row 2 \(sample 'U1'\), column 'VWA 2': allele '15'"):
        read_profiles(path, MARKERS)


def test_wide_unknown_marker_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Sample Name,TH01 1,TH01 2\nU1,6,9.3\n")
    with pytest.raises(DnaInputError, match=r"column 'TH01 1': marker 'TH01' is not in the frequency table"):
        read_profiles(path, MARKERS)


def test_duplicate_marker_and_sample_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "sample_id,marker,allele1,allele2\nU1,VWA,16,18\nU1,VWA,16,17\n")
    with pytest.raises(DnaInputError, match=r"row 3.*given twice"):
        read_profiles(path, MARKERS)
    path = write(tmp_path, "Sample Name,VWA 1,VWA 2\nU1,16,18\nU1,16,17\n")
    with pytest.raises(DnaInputError, match=r"row 3.*repeated"):
        read_profiles(path, MARKERS)


@pytest.mark.parametrize("single", ["unknown", "homozygous"])
def test_off_ladder_is_an_unknown_allele_never_a_homozygote(tmp_path: Path, single: str) -> None:
    path = write(
        tmp_path,
        "Sample Name,AMEL 1,AMEL 2,D3S1358 1,D3S1358 2,VWA 1,VWA 2\nU1,X,Y,OL,17.3,16,ol\nU2,X,X,OL,OL,18,\n",
    )
    got = read_profiles(path, MARKERS, single_allele=single)  # type: ignore[arg-type]
    assert got["U1"] == {"D3S1358": ("17.3", None), "VWA": ("16", None)}
    assert got["U2"] == {"VWA": ("18", "18") if single == "homozygous" else ("18", None)}
    assert got.ignored_columns == ("AMEL 1", "AMEL 2")


def test_off_ladder_beside_an_unknown_allele_names_that_column(tmp_path: Path) -> None:
    path = write(tmp_path, "sample_id,marker,allele1,allele2\nU1,VWA,OL,19\n")
    with pytest.raises(DnaInputError, match=r"row 2 \(sample 'U1'\), field allele2: allele '19'"):
        read_profiles(path, MARKERS)
