"""`kintrace dna dvi INPUT.json --out RESULT.json`."""

from __future__ import annotations

import json
from pathlib import Path

from dvi_oracle import DVI_DIR, close, expected
from typer.testing import CliRunner

from kintrace.cli.main import app


def test_dvi_command_writes_the_oracle_layout(tmp_path: Path) -> None:
    out = tmp_path / "res.json"
    result = CliRunner().invoke(app, ["dna", "dvi", str(DVI_DIR / "example2_input.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = json.loads(out.read_text(encoding="utf-8"))
    want = expected("example2")
    for key in ("pairwise_LR_matrix", "exclusion_matrix"):
        assert got[key]["rows"] == want[key]["rows"] and got[key]["cols"] == want[key]["cols"]
        for rg, rw in zip(got[key]["values"], want[key]["values"], strict=True):
            assert all(close(a, b) for a, b in zip(rg, rw, strict=True))
    assert got["grid_size"] == {"size": 14, "type": "exact"}
    assert got["joint"]["n_assignments"] == want["joint"]["n_assignments"]
    assert close(got["joint"]["loglik_null"], want["joint"]["loglik_null"])
    for g, w in zip(got["joint"]["rows"][:3], want["joint"]["rows"][:3], strict=True):
        assert close(g["loglik"], w["loglik"])
    assert got["posterior_marginals"]["cols"] == want["posterior_marginals"]["cols"]
    assert [r["Conclusion"] for r in got["dviSolve"]["PM"]] == [
        r["Conclusion"] for r in want["dviSolve"]["PM"]
    ]


def test_dvi_command_skips_an_oversized_joint_search(tmp_path: Path) -> None:
    out = tmp_path / "res.json"
    args = ["dna", "dvi", str(DVI_DIR / "exclusionExample_input.json"), "--out", str(out), "--no-solve"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    got = json.loads(out.read_text(encoding="utf-8"))
    assert "skipped" in got["joint"]
    assert got["grid_size"]["size"] == expected("exclusionExample")["grid_size"]["size"]


def test_dvi_command_reports_bad_input(tmp_path: Path) -> None:
    raw = json.loads((DVI_DIR / "example1_input.json").read_text(encoding="utf-8"))
    raw["victims"][0]["genotypes"]["L1"] = ["1", "42"]
    bad = tmp_path / "bad_input.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["dna", "dvi", str(bad), "--out", str(tmp_path / "o.json")])
    assert result.exit_code == 2
    assert "allele '42'" in result.output


def test_report_skips_a_joint_search_too_large_to_count() -> None:
    from kintrace.dna.cli_dvi import dvi_report
    from kintrace.dna.dvi_data import load_dvi

    report = dvi_report(load_dvi(DVI_DIR / "bench200_input.json"), solve=False)
    assert report["grid_size"]["size"] is None
    assert "skipped" in report["joint"]
    assert len(report["pairwise_LR_matrix"]["rows"]) == 200
