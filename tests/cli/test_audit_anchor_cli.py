"""`kintrace audit checkpoint` / `audit verify --anchor`, and the server's checkpoint schedule."""

from __future__ import annotations

import sqlite3
import time

import pytest
from fastapi.testclient import TestClient
from tests.services.helpers import person
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.server.app import create_app
from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.store.audit_anchor import read_anchor
from kintrace.store.db import make_engine, session_scope

runner = CliRunner()
KEY = "cli-anchor-key-0123456789-abcdefghijklmnop"


def _run(*args: str, url: str):
    return runner.invoke(app, [*args, "--database-url", url], catch_exceptions=False)


def _add_cases(url: str, n: int) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        for i in range(n):
            cases.create_case(session, SYSTEM, person(first=f"Іван{'н' * i}"))
    engine.dispose()


def test_checkpoint_then_truncation_is_named(fresh_sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("KINTRACE_AUDIT_ANCHOR_KEY", KEY)
    anchor = tmp_path / "anchor.jsonl"
    _add_cases(fresh_sqlite_url, 3)
    written = _run("audit", "checkpoint", "--anchor", str(anchor), url=fresh_sqlite_url)
    assert written.exit_code == 0 and "checkpoint #1" in written.output, written.output
    ok = _run("audit", "verify", "--anchor", str(anchor), url=fresh_sqlite_url)
    assert ok.exit_code == 0 and "matching 1 checkpoint" in ok.output, ok.output

    db = sqlite3.connect(fresh_sqlite_url.removeprefix("sqlite:///"))
    with db:
        newest = db.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        db.execute("DELETE FROM audit_log WHERE id = ?", (newest,))
    db.close()
    plain = _run("audit", "verify", url=fresh_sqlite_url)
    assert plain.exit_code == 0 and "cannot be ruled out" in plain.output
    anchored = _run("audit", "verify", "--anchor", str(anchor), url=fresh_sqlite_url)
    assert anchored.exit_code == 1
    assert "truncated" in anchored.output and f"rows {newest} to {newest}" in anchored.output
    assert "checkpoint #1" in anchored.output


def test_verify_with_an_anchor_needs_the_key(fresh_sqlite_url, tmp_path, monkeypatch):
    monkeypatch.delenv("KINTRACE_AUDIT_ANCHOR_KEY", raising=False)
    monkeypatch.delenv("KINTRACE_AUDIT_ANCHOR_KEY_FILE", raising=False)
    result = _run("audit", "verify", "--anchor", str(tmp_path / "a.jsonl"), url=fresh_sqlite_url)
    assert result.exit_code == 1 and "KINTRACE_AUDIT_ANCHOR_KEY" in result.output


def test_the_key_may_come_from_a_file(fresh_sqlite_url, tmp_path, monkeypatch):
    key_file = tmp_path / "anchor.key"
    key_file.write_text(KEY + "\n")
    monkeypatch.delenv("KINTRACE_AUDIT_ANCHOR_KEY", raising=False)
    monkeypatch.setenv("KINTRACE_AUDIT_ANCHOR_KEY_FILE", str(key_file))
    anchor = tmp_path / "anchor.jsonl"
    assert _run("audit", "checkpoint", "--anchor", str(anchor), url=fresh_sqlite_url).exit_code == 0
    assert _run("audit", "verify", "--anchor", str(anchor), url=fresh_sqlite_url).exit_code == 0


def _wait_for(condition, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_server_writes_checkpoints_on_its_schedule(fresh_sqlite_url, tmp_path, monkeypatch):
    anchor = tmp_path / "anchor.jsonl"
    monkeypatch.setenv("KINTRACE_AUDIT_ANCHOR_FILE", str(anchor))
    monkeypatch.setenv("KINTRACE_AUDIT_ANCHOR_KEY", KEY)
    monkeypatch.setenv("KINTRACE_AUDIT_CHECKPOINT_INTERVAL_S", "0.1")
    _add_cases(fresh_sqlite_url, 1)
    server = create_app(fresh_sqlite_url, None, demo=True)
    with TestClient(server):
        assert _wait_for(lambda: len(read_anchor(anchor)) == 1)
        _add_cases(fresh_sqlite_url, 1)
        assert _wait_for(lambda: len(read_anchor(anchor)) == 2)
    points = read_anchor(anchor)
    assert len(points) == 2 and points[1].rows > points[0].rows  # an unchanged head is not repeated
    verified = _run("audit", "verify", "--anchor", str(anchor), url=fresh_sqlite_url)
    assert verified.exit_code == 0, verified.output


def test_the_server_refuses_an_anchor_file_without_a_key(fresh_sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("KINTRACE_AUDIT_ANCHOR_FILE", str(tmp_path / "anchor.jsonl"))
    monkeypatch.delenv("KINTRACE_AUDIT_ANCHOR_KEY", raising=False)
    monkeypatch.delenv("KINTRACE_AUDIT_ANCHOR_KEY_FILE", raising=False)
    from kintrace.store.audit_anchor import AnchorError

    with pytest.raises(AnchorError, match="no audit anchor key"):
        create_app(fresh_sqlite_url, None, demo=True)
