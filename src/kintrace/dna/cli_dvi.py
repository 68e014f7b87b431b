"""`kintrace dna dvi INPUT.json --out RESULT.json`: joint identification of a DVI incident.

RESULT.json uses the field names and layouts of the oracle's ``*_results.json`` (dvir 3.4.2) for what
it shares with them: ``pairwise_LR_matrix``, ``exclusion_matrix``, ``grid_size``, ``joint``,
``posterior_marginals``, ``dviSolve``; ``timings_sec`` holds our own wall times.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import typer

from kintrace.dna.cli_common import fail, progress_bar, stderr
from kintrace.dna.dvi import pairwise_matrices
from kintrace.dna.dvi_data import DviData, load_dvi
from kintrace.dna.dvi_joint import (
    TooManyAssignments,
    count_assignments,
    dvi_joint,
    joint_steps,
    joint_to_dict,
    marginals_to_dict,
)
from kintrace.dna.dvi_solve import dvi_solve
from kintrace.dna.markers import DnaInputError


def _matrix(rows: tuple[str, ...], cols: tuple[str, ...], values: np.ndarray) -> dict[str, Any]:
    return {
        "rows": list(rows),
        "cols": list(cols),
        "values": [[None if math.isnan(x) else float(x) for x in r] for r in values],
    }


def _finite(x: Any) -> Any:
    # JSON has no NaN/Infinity: dvir's NA and non-finite values become null, as in the oracle files.
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


def dvi_report(
    dvi: DviData,
    *,
    max_assign: int = 100_000,
    rows: int = 2000,
    joint: bool = True,
    solve: bool = True,
    threshold: float = 1e4,
    threshold2: float | None = None,
    max_incomp: int = 2,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Everything ``kintrace dna dvi`` writes, as a JSON-ready dict."""
    timings: dict[str, float] = {}
    out: dict[str, Any] = {"name": dvi.name}
    t0 = time.perf_counter()
    pw = pairwise_matrices(dvi)
    timings["pairwiseLR"] = time.perf_counter() - t0
    out["pairwise_LR_matrix"] = _matrix(pw.victims, pw.missing, pw.lr)
    out["exclusion_matrix"] = _matrix(pw.victims, pw.missing, pw.exclusions)
    try:
        size: int | None = count_assignments(dvi)
        out["grid_size"] = {"size": size, "type": "exact"}
    except DnaInputError:
        size = None
        out["grid_size"] = {"size": None, "type": "too large to count"}
    if joint:
        if size is None:
            out["joint"] = {"skipped": "too many candidate missing persons to count the assignments"}
        elif size > max_assign:
            out["joint"] = {
                "skipped": f"{size} assignments > max_assign = {max_assign}",
                "n_assignments": size,
            }
        else:
            t0 = time.perf_counter()
            try:
                res = dvi_joint(dvi, max_assign=max_assign, progress=progress)
            except TooManyAssignments as exc:
                out["joint"] = {"skipped": str(exc)}
            else:
                timings["dviJoint"] = time.perf_counter() - t0
                out["joint"] = {"call": "dviJoint(dvi) [kintrace]", **joint_to_dict(res, rows=rows)}
                out["posterior_marginals"] = {
                    "call": "Bmarginal (flat prior) [kintrace]",
                    **marginals_to_dict(res),
                }
    if solve:
        t0 = time.perf_counter()
        try:
            sol = dvi_solve(dvi, threshold=threshold, threshold2=threshold2, max_incomp=max_incomp)
        except TooManyAssignments as exc:  # a remaining family's joint search is too large, as in dvir
            out["dviSolve"] = {"error": str(exc)}
        else:
            timings["dviSolve"] = time.perf_counter() - t0
            out["dviSolve"] = sol.to_dict()
    out["timings_sec"] = timings
    return _finite(out)


def dvi(
    input_path: Path = typer.Argument(..., exists=True, dir_okay=False, help="DVI input JSON (dvir layout)."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write RESULT.json."),
    max_assign: int = typer.Option(100_000, help="Largest joint search to run (dvir's maxAssign)."),
    rows: int = typer.Option(2000, help="Joint assignments to write, best first."),
    threshold: float = typer.Option(1e4, help="dviSolve: LR threshold of an identification."),
    threshold2: float = typer.Option(
        -1.0, help="dviSolve: threshold of a probable match (default threshold/10)."
    ),
    max_incomp: int = typer.Option(2, help="dviSolve: incompatible markers that exclude a pairing."),
    no_joint: bool = typer.Option(False, "--no-joint", help="Skip the joint search."),
    no_solve: bool = typer.Option(False, "--no-solve", help="Skip dviSolve."),
) -> None:
    """Pairwise LR and exclusion matrices, joint identification and dviSolve for one DVI incident."""
    console = stderr()
    try:
        data = load_dvi(input_path)
        with progress_bar(console, "joint search", "family x marker") as bar:
            task = bar.add_task("", total=joint_steps(data))
            result = dvi_report(
                data,
                max_assign=max_assign,
                rows=rows,
                joint=not no_joint,
                solve=not no_solve,
                threshold=threshold,
                threshold2=None if threshold2 < 0 else threshold2,
                max_incomp=max_incomp,
                progress=lambda k: bar.advance(task, k),
            )
    except DnaInputError as exc:
        raise fail(str(exc)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    joint_info = result.get("joint", {})
    n = joint_info.get("n_assignments", "-")
    console.print(
        f"{data.name}: {len(data.victims)} victims, {len(data.missing)} missing, {n} joint assignments; "
        f"wrote {out}"
    )


def register(app: typer.Typer) -> None:
    """Attach this module's commands to `kintrace dna`."""
    app.command("dvi")(dvi)
    app.command("dvi-export")(dvi_export)


def dvi_export(
    input: Path = typer.Argument(..., help="DVI data set (dvir JSON layout)."),
    out: Path = typer.Option(..., "--out", help="Folder for pedigrees.csv, profiles.csv, freqs.csv."),
) -> None:
    """Write a DVI data set as the CSV inputs of `dna match`: one family per (family, missing person)."""
    from kintrace.dna.dvi_export import write_match_inputs

    try:
        data = load_dvi(input)
    except DnaInputError as exc:
        raise fail(str(exc)) from None
    write_match_inputs(data, out)
    note = (
        " Its mutation models are not written: give one to `dna match` with --mutation."
        if any(m.mutation is not None for m in data.markers)
        else ""
    )
    stderr().print(
        f"{data.name}: {len(data.victims)} victims, {len(data.missing)} missing persons "
        f"written to {out}.{note}",
        highlight=False,
        soft_wrap=True,
    )
