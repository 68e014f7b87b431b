"""`kintrace dna match` end to end on the small files of tests/data/dna_match."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.dna.families import read_pedigrees
from kintrace.dna.lr import missing_person_lr
from kintrace.dna.markers import load_frequency_table
from kintrace.dna.profiles import read_profiles

DATA = Path(__file__).parent.parent / "data" / "dna_match"
COLUMNS = [
    "sample_id", "family_id", "LR", "log10_LR", "markers_compared", "markers_inconsistent",
    "rank_in_profile", "rank_in_family",
]  # fmt: skip


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["dna", "match", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("profiles", ["profiles_long.csv", "profiles_wide.csv"])
def test_match_writes_ranked_pairs_equal_to_exact_lr(tmp_path: Path, profiles: str) -> None:
    out = tmp_path / "ranked.csv"
    code, output = run(
        "--profiles", str(DATA / profiles), "--pedigrees", str(DATA / "pedigrees.csv"),
        "--freqs", str(DATA / "freqs.csv"), "--out", str(out), "--top-k", "3", "--threshold", "1e4",
    )  # fmt: skip
    assert code == 0, output
    assert "family 'FAM3': no typed reference; skipped" in output
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == COLUMNS
    markers = load_frequency_table(DATA / "freqs.csv")
    prof = read_profiles(DATA / "profiles_long.csv", markers)
    families = {f.family_id: f for f in read_pedigrees(DATA / "pedigrees.csv")}
    seen = set()
    for row in rows:
        fam = families[row["family_id"]]
        exact = missing_person_lr(
            fam.pedigree, markers, fam.references(prof), prof[row["sample_id"]], fam.missing_id
        )
        assert float(row["LR"]) == pytest.approx(exact.lr_total, rel=1e-12)
        assert float(row["log10_LR"]) == pytest.approx(math.log10(exact.lr_total), abs=1e-12)
        seen.add((row["sample_id"], row["family_id"]))
    # Every positive pair of 3 profiles x 2 families is within the top 3.
    for sample in ("U1", "U2", "U3"):
        for fid in ("FAM1", "FAM2"):
            fam = families[fid]
            lr = missing_person_lr(fam.pedigree, markers, fam.references(prof), prof[sample], fam.missing_id)
            assert ((sample, fid) in seen) == (lr.lr_total > 0)
    lrs = [float(r["LR"]) for r in rows]
    assert lrs == sorted(lrs, reverse=True)
    u1 = next(r for r in rows if r["sample_id"] == "U1" and r["family_id"] == "FAM1")
    assert (u1["markers_compared"], u1["rank_in_profile"]) == ("3", "1")


def test_bad_input_exits_with_the_record_named(tmp_path: Path) -> None:
    bad = tmp_path / "p.csv"
    bad.write_text("sample_id,marker,allele1,allele2\nU1,M1,1,9\n", encoding="utf-8")
    code, output = run(
        "--profiles", str(bad), "--pedigrees", str(DATA / "pedigrees.csv"),
        "--freqs", str(DATA / "freqs.csv"), "--out", str(tmp_path / "o.csv"),
    )  # fmt: skip
    assert code == 2
    assert "allele '9' of marker 'M1'" in " ".join(output.split())
    code, output = run(
        "--profiles", str(DATA / "profiles_long.csv"), "--pedigrees", str(DATA / "pedigrees.csv"),
        "--freqs", str(DATA / "freqs.csv"), "--out", str(tmp_path / "o.csv"), "--references", str(bad),
    )  # fmt: skip
    assert code == 2


def test_match_with_mutation_model_equals_exact_lr(tmp_path: Path) -> None:
    from kintrace.dna.cli_scale import load_markers

    out = tmp_path / "ranked.csv"
    code, output = run(
        "--profiles", str(DATA / "profiles_long.csv"), "--pedigrees", str(DATA / "pedigrees.csv"),
        "--freqs", str(DATA / "freqs.csv"), "--out", str(out), "--threshold", "1e-6",
        "--mutation", "equal", "--mutation-rate", "0.01",
    )  # fmt: skip
    assert code == 0, output
    markers = load_markers(DATA / "freqs.csv", "equal", 0.01)
    prof = read_profiles(DATA / "profiles_long.csv", markers)
    families = {f.family_id: f for f in read_pedigrees(DATA / "pedigrees.csv")}
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    # With mutation nothing is excluded: all 3 x 2 pairs are above the tiny threshold.
    assert len(rows) == 6
    for row in rows:
        fam = families[row["family_id"]]
        exact = missing_person_lr(
            fam.pedigree, markers, fam.references(prof), prof[row["sample_id"]], fam.missing_id
        )
        assert float(row["LR"]) == pytest.approx(exact.lr_total, rel=1e-12)
    u3_fam1 = next(r for r in rows if (r["sample_id"], r["family_id"]) == ("U3", "FAM1"))
    assert int(u3_fam1["markers_inconsistent"]) >= 1
