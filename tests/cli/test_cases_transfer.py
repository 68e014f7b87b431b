"""`kintrace cases import/export` with the whole case file, on a SQLite file of the test's own."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from kintrace.cli.main import app

runner = CliRunner()
CASE_FILE = Path(__file__).resolve().parent.parent / "data" / "transfer" / "case_file.json"


def _run(*args: str, url: str):
    return runner.invoke(app, [*args, "--database-url", url], catch_exceptions=False)


def _rows(url: str, table: str) -> int:
    (count,) = (
        sqlite3.connect(url.removeprefix("sqlite:///")).execute(f"SELECT count(*) FROM {table}").fetchone()
    )
    return count


def test_case_file_imports_once_and_exports_unchanged(fresh_sqlite_url, tmp_path):
    first = _run("cases", "import", str(CASE_FILE), url=fresh_sqlite_url)
    assert first.exit_code == 0, first.output
    assert "2 created, 0 updated, 0 unchanged" in first.output
    audit_rows = _rows(fresh_sqlite_url, "audit_log")
    second = _run("cases", "import", str(CASE_FILE), url=fresh_sqlite_url)
    assert "0 created, 0 updated, 2 unchanged" in second.output
    assert _rows(fresh_sqlite_url, "audit_log") == audit_rows
    out = tmp_path / "out.json"
    exported = _run(
        "cases", "export", "--format", "json", "--include-contacts", "--out", str(out), url=fresh_sqlite_url
    )
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(CASE_FILE.read_text(encoding="utf-8"))
    verified = _run("audit", "verify", url=fresh_sqlite_url)
    assert verified.exit_code == 0 and "intact" in verified.output


def test_contacts_stay_out_unless_asked_for(fresh_sqlite_url):
    _run("cases", "import", str(CASE_FILE), url=fresh_sqlite_url)
    plain = _run("cases", "export", "--format", "json", url=fresh_sqlite_url)
    document = json.loads(plain.output)
    assert document["contacts"] is False and "+380 50 111 2233" not in plain.output
    assert document["cases"][0]["relatives"] == [
        {"full_name": "Шевченко Марія", "relationship": "mother", "is_reporter": True}
    ]
    flat = _run("cases", "export", "--format", "csv", "--include-contacts", url=fresh_sqlite_url)
    assert flat.exit_code == 1 and "include_contacts" in flat.output


def test_a_bad_case_is_named_and_nothing_is_written(fresh_sqlite_url, tmp_path):
    document = json.loads(CASE_FILE.read_text(encoding="utf-8"))
    document["cases"][1]["evidence"][0]["source"]["credibility"] = "7"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = _run("cases", "import", str(bad), url=fresh_sqlite_url)
    assert result.exit_code == 1
    assert "case UA-2: cases[1].evidence[0].source.credibility" in result.output
    assert "nothing was imported" in result.output
    assert (_rows(fresh_sqlite_url, "cases"), _rows(fresh_sqlite_url, "audit_log")) == (0, 0)


def test_a_clash_found_while_writing_rolls_everything_back(fresh_sqlite_url, tmp_path):
    _run("cases", "import", str(CASE_FILE), url=fresh_sqlite_url)
    held = (_rows(fresh_sqlite_url, "evidence"), _rows(fresh_sqlite_url, "audit_log"))
    document = json.loads(CASE_FILE.read_text(encoding="utf-8"))
    # A new item on the first case (written first), then a history that diverges from the registry's.
    document["cases"][0]["evidence"].append({**document["cases"][0]["evidence"][0], "text": "Новий лист"})
    document["cases"][1]["status_history"]["official"][0]["since"] = "2020"
    document["cases"][1]["official_since"] = "2020"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = _run("cases", "import", str(changed), url=fresh_sqlite_url)
    assert result.exit_code == 1 and "case UA-2: cases[1].status_history.official[0]" in result.output
    assert (_rows(fresh_sqlite_url, "evidence"), _rows(fresh_sqlite_url, "audit_log")) == held


def test_the_csv_export_is_read_by_dedupe_without_editing(fresh_sqlite_url, tmp_path):
    """The export keys rows by `reference`; the linkage reader takes it as the record id."""
    _run("cases", "import", str(CASE_FILE), url=fresh_sqlite_url)
    exported = tmp_path / "cases.csv"
    assert (
        _run("cases", "export", "--format", "csv", "--out", str(exported), url=fresh_sqlite_url).exit_code
        == 0
    )
    assert exported.read_text(encoding="utf-8").startswith("reference,last_name,first_name,patronymic,")
    clusters = tmp_path / "clusters.csv"
    deduped = runner.invoke(app, ["dedupe", str(exported), "--out", str(clusters)], catch_exceptions=False)
    assert deduped.exit_code == 0, deduped.output
    # UA-2 was merged into UA-1 (the same man, "Андрій"/"Андрей"): dedupe finds them one cluster.
    assert clusters.read_text(encoding="utf-8").splitlines() == [
        "record_id,cluster_id,cluster_size",
        "UA-1,UA-1,2",
        "UA-2,UA-1,2",
    ]
