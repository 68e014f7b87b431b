"""The package README's example runs and its commands are the CLI's commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from kintrace.dna.cli import app

README = Path(__file__).parents[2] / "src" / "kintrace" / "dna" / "README.md"
ROOT = Path(__file__).parents[2]


def test_python_example_runs_on_the_shipped_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = README.read_text(encoding="utf-8").split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(code, str(README), "exec"), {})
    # FAM1 (father typed) against U1: per-marker LRs 2.5 x 1 x 7/6, as the exact path gives.
    assert capsys.readouterr().out.startswith("LR 2.917 (log10 0.465)")


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"kintrace dna ([a-z-]+)", README.read_text(encoding="utf-8")))
    registered = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert documented == registered == {"lr-cases", "dvi", "dvi-export", "match", "power", "familias"}
