"""`kintrace link` and `kintrace dedupe` end to end on small CSV files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.linkage.settings import COMPARISONS

DATA = Path(__file__).parents[1] / "data" / "linkage"
runner = CliRunner()


def test_link_writes_both_bands_with_reasons(tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    model_out = tmp_path / "model.json"
    args = ["link", str(DATA / "cases.csv"), str(DATA / "list.csv"), "--out", str(out)]
    # A link threshold so strict that the case known only by birth year (C4) waits for review.
    result = runner.invoke(
        app, [*args, "--threshold", "0.999", "--review-threshold", "0.2", "--model-out", str(model_out)]
    )
    assert result.exit_code == 0, result.output
    pairs = pd.read_csv(out, dtype={"case_id": str, "record_id": str})
    assert list(pairs.columns[:6]) == [
        "case_id",
        "record_id",
        "match_probability",
        "match_weight",
        "band",
        "reasons",
    ]
    assert {f"{c}_level" for c in COMPARISONS} <= set(pairs.columns)
    bands = {(c, r): b for c, r, b in zip(pairs["case_id"], pairs["record_id"], pairs["band"], strict=True)}
    assert bands[("C1", "L01")] == "link" and bands[("C5", "L05")] == "link"
    assert bands[("C4", "L04")] == "review"
    assert bands.get(("C3", "L03")) != "link"
    assert "links" in result.output and "to review" in result.output

    # The saved model scores the same files again without training.
    again = tmp_path / "again.csv"
    result = runner.invoke(app, [*args[:3], "--out", str(again), "--model", str(model_out)])
    assert result.exit_code == 0, result.output
    linked = pd.read_csv(again, dtype=str).query("band == 'link'")
    assert ("C4", "L04") in set(zip(linked["case_id"], linked["record_id"], strict=True))


def test_link_malformed_input_names_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "list.csv"
    bad.write_text(
        "record_id,last_name,birth_date\nL1,Иванов,1990-01-02\nL2,Петров,32.13.1990\n", encoding="utf-8"
    )
    args = ["link", str(DATA / "cases.csv"), str(bad), "--out", str(tmp_path / "p.csv")]
    result = runner.invoke(app, [*args, "--strict"])
    assert result.exit_code == 2
    assert "row 3" in result.output and "'birth_date'" in result.output and "32.13.1990" in result.output
    assert not (tmp_path / "p.csv").exists()
    # Without --strict the date is unknown for that row, reported, and the run goes on.
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 birth_date cell(s) could not be read (row 3 '32.13.1990')" in result.output
    assert (tmp_path / "p.csv").exists()


def test_link_stops_on_misnamed_columns_and_header_only_files(tmp_path: Path) -> None:
    misnamed = tmp_path / "misnamed.csv"
    misnamed.write_text("record_id,surname,name\nL1,Иванов,Иван\n", encoding="utf-8")
    result = runner.invoke(
        app, ["link", str(DATA / "cases.csv"), str(misnamed), "--out", str(tmp_path / "p.csv")]
    )
    assert result.exit_code == 2
    assert "none of the name columns last_name, first_name, patronymic" in result.output
    assert "Traceback" not in result.output
    header_only = tmp_path / "header.csv"
    header_only.write_text("record_id,last_name,first_name\n", encoding="utf-8")
    result = runner.invoke(
        app, ["link", str(DATA / "cases.csv"), str(header_only), "--out", str(tmp_path / "p.csv")]
    )
    assert result.exit_code == 2
    assert "no records" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "p.csv").exists()


def test_link_rejects_bad_options(tmp_path: Path) -> None:
    args = ["link", str(DATA / "cases.csv"), str(DATA / "list.csv"), "--out", str(tmp_path / "p.csv")]
    result = runner.invoke(app, [*args, "--engine", "oracle"])
    assert result.exit_code == 2 and "--engine must be one of duckdb, spark" in result.output
    result = runner.invoke(app, [*args, "--threshold", "0.5", "--review-threshold", "0.8"])
    assert result.exit_code == 2 and "--review-threshold" in result.output


def test_dedupe_finds_the_duplicate_case(tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    shutil.copy(DATA / "cases.csv", cases)
    with cases.open("a", encoding="utf-8") as fh:
        fh.write("C8,Shcherbakov,Yuri,Alekseyevich,1990-05-12,military unit 12345,comrade\n")
    out = tmp_path / "clusters.csv"
    result = runner.invoke(app, ["dedupe", str(cases), "--out", str(out)])
    assert result.exit_code == 0, result.output
    clusters = pd.read_csv(out, dtype=str).set_index("record_id")
    assert len(clusters) == 8
    assert clusters.loc["C1", "cluster_id"] == clusters.loc["C8", "cluster_id"]
    others = clusters.drop(index=["C1", "C8"])
    assert others["cluster_id"].is_unique and not set(others["cluster_id"]) & {
        clusters.loc["C1", "cluster_id"]
    }


def test_link_applies_reviewers_decisions(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    # The reviewer rejected C1-L01 and confirmed C4-L04 (already a link) and C2-L02.
    labels.write_text("case_id,record_id,is_match\nC1,L01,0\nC2,L02,yes\n", encoding="utf-8")
    out = tmp_path / "pairs.csv"
    args = [
        "link",
        str(DATA / "cases.csv"),
        str(DATA / "list.csv"),
        "--out",
        str(out),
        "--labels",
        str(labels),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    pairs = pd.read_csv(out, dtype=str)
    found = set(zip(pairs["case_id"], pairs["record_id"], pairs["band"], strict=True))
    assert ("C2", "L02", "link") in found
    assert not any(c == "C1" and r == "L01" for c, r, _ in found)
