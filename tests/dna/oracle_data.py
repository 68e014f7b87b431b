"""Shared loading of the oracle files copied into tests/data/oracle (see its README)."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

ORACLE_DIR = Path(__file__).resolve().parents[1] / "data" / "oracle"
CASES_PATH = ORACLE_DIR / "public_cases.json"
# Gzipped (3.8 MB -> far less): the file is byte-for-byte the oracle's once decompressed.
MATRICES_PATH = ORACLE_DIR / "public_mutation_matrices.json.gz"


@lru_cache(maxsize=1)
def case_records() -> dict[str, dict[str, Any]]:
    data = json.loads(CASES_PATH.read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["cases"]}


@lru_cache(maxsize=1)
def matrix_records() -> dict[str, dict[str, Any]]:
    with gzip.open(MATRICES_PATH, "rt", encoding="utf-8") as handle:
        return json.load(handle)["matrices"]


def relative_error(got: float, expected: float) -> float:
    if expected == 0.0:
        return 0.0 if got == 0.0 else float("inf")
    return abs(got - expected) / abs(expected)
