"""The server refuses to start without a genetic master key outside the demo; the demo makes its own."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from tests.api.conftest import SECRET_KEY

from kintrace.server.app import create_app
from kintrace.services.genetic_crypto import KEY_ENV, KEY_FILE_ENV, GeneticKeyError


def test_server_refuses_to_start_without_a_genetic_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    with pytest.raises(GeneticKeyError, match="no genetic master key: set KINTRACE_GENETIC_KEY"):
        create_app("sqlite://", SECRET_KEY)
    monkeypatch.setenv(KEY_ENV, base64.b64encode(b"x" * 16).decode())
    with pytest.raises(GeneticKeyError, match="must hold 32 bytes"):
        create_app("sqlite://", SECRET_KEY)


def test_demo_makes_its_own_key_file_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    first = create_app("sqlite://", None, demo=True)
    key_file = tmp_path / "var" / "genetic.key"
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0
    second = create_app("sqlite://", None, demo=True)
    assert first.state.genetic_key.key_id == second.state.genetic_key.key_id
    first.state.engine.dispose()
    second.state.engine.dispose()
