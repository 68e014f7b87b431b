"""dvir data sets through `kintrace dna match`: exported as CSVs, matched all against all through the
fast path, the LRs are dvir 3.4.2's pairwise LR matrix (data sets without a mutation model)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kintrace.cli.main import app

DVI = Path(__file__).parent.parent / "data" / "dvi"
NO_MUTATION = ["example1", "example2", "grave", "icmp", "KETPchap481", "symmetricSibs"]


@pytest.mark.parametrize("name", NO_MUTATION)
def test_match_on_exported_dvi_data_gives_dvirs_pairwise_lrs(tmp_path: Path, name: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["dna", "dvi-export", str(DVI / f"{name}_input.json"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    ranked = tmp_path / "ranked.csv"
    result = runner.invoke(
        app,
        ["dna", "match", "--profiles", str(tmp_path / "profiles.csv"),
         "--pedigrees", str(tmp_path / "pedigrees.csv"), "--freqs", str(tmp_path / "freqs.csv"),
         "--out", str(ranked), "--top-k", "1000", "--threshold", "1e-300"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with ranked.open(newline="") as fh:
        got = {(r["sample_id"], r["family_id"].rsplit("/", 1)[1]): float(r["LR"]) for r in csv.DictReader(fh)}
    want = json.loads((DVI / f"{name}_results.json").read_text(encoding="utf-8"))["pairwise_LR_matrix"]
    n_checked = 0
    for victim, row in zip(want["rows"], want["values"], strict=True):
        for mp, lr in zip(want["cols"], row, strict=True):
            if lr is None:  # not a candidate pairing in dvir (e.g. sex)
                continue
            n_checked += 1
            if lr == 0:
                assert (victim, mp) not in got
            else:
                assert got[(victim, mp)] == pytest.approx(lr, rel=1e-9), (victim, mp)
    assert n_checked > 0
