"""`kintrace dna lr-cases` end to end on oracle cases, and its error path."""

from __future__ import annotations

import json
from pathlib import Path

from oracle_data import case_records, relative_error
from typer.testing import CliRunner

from kintrace.dna.cli import app

CASE_IDS = ["PUB-01-parent-child", "PUB-19-exclusion-no-mutation", "PUB-38-multi-hypothesis"]


def test_lr_cases_writes_results(tmp_path: Path) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"cases": [case_records()[cid] for cid in CASE_IDS]}))
    out = tmp_path / "out" / "results.json"
    result = CliRunner().invoke(app, ["lr-cases", str(cases), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert list(written) == CASE_IDS
    for cid in CASE_IDS:
        expected = case_records()[cid]["expected"]
        got = written[cid]
        assert set(got) == {"LR_total", "LR_per_marker", "alternatives"}
        if expected["LR_total"] == 0:
            assert got["LR_total"] == 0
        else:
            assert relative_error(got["LR_total"], expected["LR_total"]) < 1e-9
    alternatives = written["PUB-38-multi-hypothesis"]["alternatives"]
    assert [a["placement"] for a in alternatives] == ["MP", "GF", "UN", "NE", "GC"]
    assert written["PUB-01-parent-child"]["alternatives"] == []


def test_lr_cases_reports_unknown_allele(tmp_path: Path) -> None:
    record = json.loads(json.dumps(case_records()["PUB-01-parent-child"]))
    record["poi_genotype"]["TH01"] = ["99", "7"]
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"cases": [record]}))
    result = CliRunner().invoke(app, ["lr-cases", str(cases), "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert "TH01" in result.output and "'99'" in result.output
    assert not (tmp_path / "r.json").exists()
