"""Loading of the dvir reference data copied into tests/data/dvi (see its README)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from kintrace.dna.dvi_data import DviData, load_dvi

DVI_DIR = Path(__file__).resolve().parents[1] / "data" / "dvi"
NAMES = sorted(p.name.removesuffix("_results.json") for p in DVI_DIR.glob("*_results.json"))


@cache
def dataset(name: str) -> DviData:
    return load_dvi(DVI_DIR / f"{name}_input.json")


@cache
def expected(name: str) -> dict[str, Any]:
    return json.loads((DVI_DIR / f"{name}_results.json").read_text(encoding="utf-8"))


def as_array(values: list[list[float | None]]) -> np.ndarray:
    return np.array([[math.nan if x is None else float(x) for x in row] for row in values], dtype=float)


def close(got: Any, want: Any, rel: float = 1e-9) -> bool:
    """Equal strings/None, or numbers within ``rel`` (zeros exactly)."""
    if isinstance(want, float | int) and not isinstance(want, bool):
        if got is None:
            return False
        if want == 0:
            return got == 0
        return math.isclose(float(got), float(want), rel_tol=rel)
    return bool(got == want)
