"""The overdue report as a file, through the API, the desk and the CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kintrace.cli.main import app as cli
from kintrace.domain.vocabulary import Role


def test_staff_download_the_report_and_its_hash(
    client: TestClient, make_user: Any, token_for: Any, factories: Any
) -> None:
    factories.StatusRequestFactory(authority="Координаційний штаб")
    worker = token_for(make_user(Role.CASEWORKER))
    pdf = client.get("/api/v1/reports/overdue", params={"language": "en"}, headers=worker)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    assert pdf.headers["x-content-sha256"] == hashlib.sha256(pdf.content).hexdigest()
    table = client.get("/api/v1/reports/overdue", params={"format": "csv"}, headers=worker)
    assert table.status_code == 200 and "Координаційний штаб" in table.text


def test_families_are_refused_and_bad_parameters_name_the_field(
    client: TestClient, make_user: Any, token_for: Any
) -> None:
    family = token_for(make_user(Role.FAMILY))
    assert client.get("/api/v1/reports/overdue", headers=family).status_code == 403
    worker = token_for(make_user(Role.CASEWORKER))
    bad = client.get("/api/v1/reports/overdue", params={"format": "docx"}, headers=worker)
    assert bad.status_code == 422 and "format" in bad.text


def test_the_cli_writes_the_report(fresh_sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "overdue.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "reports",
            "overdue",
            "--out",
            str(out),
            "--database-url",
            fresh_sqlite_url,
            "--as-of",
            "2026-01-31",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "recorded in the audit log" in result.output
    bad = CliRunner().invoke(
        cli, ["reports", "overdue", "--out", str(tmp_path / "x.docx"), "--database-url", fresh_sqlite_url]
    )
    assert bad.exit_code == 1 and "format" in bad.output


def test_the_case_dossier_through_the_api(
    client: TestClient, make_user: Any, token_for: Any, factories: Any
) -> None:
    case = factories.CaseFactory()
    worker = token_for(make_user(Role.CASEWORKER))
    made = client.get(f"/api/v1/cases/{case.id}/dossier", params={"language": "en"}, headers=worker)
    assert made.status_code == 200 and made.content.startswith(b"%PDF")
    assert made.headers["x-content-sha256"] == hashlib.sha256(made.content).hexdigest()
    assert client.get("/api/v1/cases/999999/dossier", headers=worker).status_code == 404
    family = token_for(make_user(Role.FAMILY))
    assert client.get(f"/api/v1/cases/{case.id}/dossier", headers=family).status_code == 404  # not theirs


def test_the_cli_writes_a_dossier(fresh_sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    missing = CliRunner().invoke(
        cli, ["reports", "dossier", "KT-NONE", "--out", str(out), "--database-url", fresh_sqlite_url]
    )
    assert missing.exit_code == 1 and "KT-NONE" in missing.output and not out.exists()
