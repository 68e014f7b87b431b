"""`kintrace dna lr-cases`: exact likelihood ratios for files in the R oracle's case format."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

from kintrace.dna.cli_common import fail, progress_bar, stderr
from kintrace.dna.markers import DnaInputError, read_json
from kintrace.dna.oracle_cases import evaluate_case, parse_case


def _json_number(value: float) -> float | str:
    # JSON has no infinities; keep them readable rather than failing the whole file.
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _clean(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "LR_total": _json_number(result["LR_total"]),
        "LR_per_marker": {k: _json_number(v) for k, v in result["LR_per_marker"].items()},
        "alternatives": [
            {
                "placement": alt["placement"],
                "LR_total": _json_number(alt["LR_total"]),
                "LR_per_marker": {k: _json_number(v) for k, v in alt["LR_per_marker"].items()},
                "likelihood_per_marker": dict(alt["likelihood_per_marker"]),
            }
            for alt in result["alternatives"]
        ],
    }


def lr_cases(
    cases_path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Cases JSON (oracle format)."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write {case_id: {LR_total, ...}}."),
) -> None:
    """Compute LR_total, LR per marker and alternative placements for every case in CASES_PATH."""
    console = stderr()
    try:
        data = read_json(cases_path)
    except DnaInputError as exc:
        raise fail(str(exc)) from None
    records = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise fail(f"{cases_path}: expected a 'cases' list")
    try:
        cases = [parse_case(record) for record in records]
    except DnaInputError as exc:
        raise fail(str(exc)) from None
    results: dict[str, Any] = {}
    failure: str | None = None
    with progress_bar(console, "LR cases", "{task.description}") as progress:
        task = progress.add_task("", total=len(cases))
        for case in cases:
            progress.update(task, description=case.id)
            try:
                results[case.id] = _clean(evaluate_case(case))
            except DnaInputError as exc:
                failure = str(exc)
                progress.update(task, visible=False)  # the error line alone says where it stopped
                break
            progress.advance(task)
    if failure is not None:
        raise fail(failure)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    console.print(f"wrote {len(results)} case(s) to {out}")


def register(app: typer.Typer) -> None:
    """Attach this module's commands to `kintrace dna`."""
    app.command("lr-cases")(lr_cases)
