"""The array reader behind `kintrace dna match` reads what the reference reader reads, errors included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kintrace.dna.families import read_pedigrees
from kintrace.dna.lr_table import SlotLayout, build_tables, build_tables_coded
from kintrace.dna.markers import DnaInputError, Marker, load_frequency_table
from kintrace.dna.profile_table import UNKNOWN, _Fallback, _read_fast, read_profile_table
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


@pytest.mark.parametrize(("name", "layout"), [("profiles_long.csv", "auto"), ("profiles_wide.csv", "wide")])
def test_fast_path_equals_reference_reader_on_the_test_files(name: str, layout: str) -> None:
    markers = load_frequency_table(DATA / "freqs.csv")
    fast = _read_fast(DATA / name, markers, layout, "unknown")  # type: ignore[arg-type]
    slow = read_profiles(DATA / name, markers, layout=layout)  # type: ignore[arg-type]
    got = fast.to_profile_set()
    assert got.sample_ids == slow.sample_ids
    assert got.profiles == slow.profiles
    assert got.ignored_columns == slow.ignored_columns


@pytest.mark.parametrize("single", ["unknown", "homozygous"])
def test_partial_untyped_sex_loci_and_spaces(tmp_path: Path, single: str) -> None:
    path = write(
        tmp_path,
        "\ufeffsample_id,marker,allele1,allele2\nU1, D3S1358 ,15 ,17.3\nU1,VWA,,16\nU1,AMEL,X,Y\n"
        "U2,D3S1358,,\nU2,VWA,18,17\nU3,Amelogenin,X,X\nU4,D3S1358,OL,14\nU4,VWA,18,OL\n"
        "U5,VWA,OL,OL\nU5,D3S1358,16,\n",
    )
    fast = _read_fast(path, MARKERS, "auto", single)  # type: ignore[arg-type]
    slow = read_profiles(path, MARKERS, single_allele=single)  # type: ignore[arg-type]
    assert fast.to_profile_set().profiles == slow.profiles
    assert fast.sample_ids == ["U1", "U2", "U3", "U4", "U5"]
    assert (fast.alleles[2] == UNKNOWN).all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sample_id,marker,allele1,allele2\nU1,VWA,16,18\nU1,D99S1,1,2\n",
            r"row 3 \(sample 'U1'\), field marker",
        ),
        (
            "sample_id,marker,allele1,allele2\nU1,VWA,16,19\n",
            r"row 2 \(sample 'U1'\), field allele2: allele '19'",
        ),
        ("sample_id,marker,allele1,allele2\nU1,VWA,16,18\n\nU1,VWA,16,17\n", r"row 4.*given twice"),
        ("Sample Name,VWA 1,VWA 2\nU1,16,15\n", r"row 2 \(sample 'U1'\), column 'VWA 2': allele '15'"),
        ("Sample Name,VWA 1,VWA 2\nU1,16,18\nU1,16,17\n", r"row 3.*repeated"),
        ("sample_id,marker,allele1,allele2\n,VWA,16,18\n", r"row 2, field sample_id: empty"),
    ],
)
def test_bad_files_fall_back_to_the_reference_readers_error(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(_Fallback):
        _read_fast(path, MARKERS, "auto", "unknown")
    with pytest.raises(DnaInputError, match=message):
        read_profile_table(path, MARKERS)


def test_ragged_rows_read_as_the_reference_reader_reads_them(tmp_path: Path) -> None:
    path = write(tmp_path, "sample_id,marker,allele1,allele2\nU1,VWA,16\nU2,VWA,16,18,\n")
    got = read_profile_table(path, MARKERS).to_profile_set()
    assert got.profiles == read_profiles(path, MARKERS).profiles


def test_coded_tables_equal_dict_tables() -> None:
    markers = load_frequency_table(DATA / "freqs.csv")
    table = read_profile_table(DATA / "profiles_long.csv", markers)
    families = [f for f in read_pedigrees(DATA / "pedigrees.csv") if f.samples]
    layout = SlotLayout.by_exclusion_power(list(markers.values()))
    rows = table.rows()
    ref_rows = []
    for fam in families:
        r = np.full(len(fam.pedigree.ids), -1)
        for pid, sid in fam.samples.items():
            r[fam.pedigree.ids.index(pid)] = rows[sid]
        ref_rows.append(r)
    coded = build_tables_coded(families, ref_rows, layout.local(table), layout)
    refs = {f.family_id: f.references(table.to_profile_set()) for f in families}
    plain = build_tables(families, refs, layout)
    np.testing.assert_allclose(coded.ratio, plain.ratio, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(coded.inconsistent, plain.inconsistent)
    np.testing.assert_array_equal(coded.typed, plain.typed)
    np.testing.assert_array_equal(
        layout.encode_table(table), layout.encode(list(table.to_profile_set().profiles.values()))
    )
