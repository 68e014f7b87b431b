"""dviSolve (dvir 3.4.2, threshold 1e4, threshold2 1e3, maxIncomp 2): AM and PM conclusions."""

from __future__ import annotations

import json

import pytest
from dvi_oracle import DVI_DIR, NAMES, close, dataset, expected

from kintrace.dna.dvi_data import parse_dvi
from kintrace.dna.dvi_solve import AM_COLUMNS, PM_COLUMNS, dvi_solve, kinship, relationship
from kintrace.dna.pedigree import Pedigree, Person


@pytest.mark.parametrize("name", NAMES)
def test_dvi_solve_tables_match_dvir(name: str) -> None:
    got = dvi_solve(dataset(name))
    want = expected(name)["dviSolve"]
    for table, columns in (("AM", AM_COLUMNS), ("PM", PM_COLUMNS)):
        mine, theirs = getattr(got, table), want[table]
        assert [r["Missing" if table == "AM" else "Sample"] for r in mine] == [
            r["Missing" if table == "AM" else "Sample"] for r in theirs
        ]
        for g, w in zip(mine, theirs, strict=True):
            assert list(g) == list(columns)
            bad = {c: (g[c], w[c]) for c in columns if not close(g[c], w[c], rel=1e-8)}
            assert not bad, f"{table} row {w}: {bad}"
    first = want["LRmatrix_first"]
    assert got.lr_matrix_first is not None
    mine_first = got.lr_matrix_first.to_dict()
    assert mine_first["rows"] == first["rows"] and mine_first["cols"] == first["cols"]
    for row_g, row_w in zip(mine_first["values"], first["values"], strict=True):
        assert all(close(a, b, rel=1e-9) for a, b in zip(row_g, row_w, strict=True))


def test_kinship_and_relationship_names() -> None:
    ped = Pedigree(
        [
            Person("F", None, None, 1),
            Person("M", None, None, 2),
            Person("M2", None, None, 2),
            Person("A", "F", "M", 1),
            Person("B", "F", "M", 2),
            Person("H", "F", "M2", 1),
            Person("W", None, None, 2),
            Person("C1", "A", "W", 1),
            Person("X", "A", "B", 1),  # child of full siblings
        ]
    )
    phi = kinship(ped)
    assert phi[("A", "A")] == 0.5 and phi[("X", "X")] == 0.625  # inbreeding 1/4
    assert phi[("A", "B")] == 0.25 and phi[("F", "A")] == 0.25
    assert phi[("A", "H")] == 0.125 and phi[("F", "M")] == 0.0
    assert phi[("C1", "B")] == 0.125
    assert relationship(ped, "A", "B") == "full siblings"
    assert relationship(ped, "A", "H") == "half siblings"
    assert relationship(ped, "F", "A") == "parent-child"
    assert relationship(ped, "W", "H") == "relatives"


def test_nonidentifiable_missing_person_is_reported() -> None:
    raw = json.loads((DVI_DIR / "example1_input.json").read_text(encoding="utf-8"))
    # A new missing person married into the family and unrelated to everyone typed or missing.
    raw["families"][0]["pedigree"].append({"id": "A", "father": None, "mother": None, "sex": 1})
    raw["families"][0]["missing"].append("A")
    raw["missing"].append("A")
    got = dvi_solve(parse_dvi(raw))
    row = next(r for r in got.AM if r["Missing"] == "A")
    assert row["Conclusion"] == "nonidentifiable"
    assert row["Comment"].startswith("unrelated to")


def test_call_records_the_parameters_the_steps_applied() -> None:
    # fire: every victim is settled by exclusions and undisputed matches, so threshold2 is never read.
    assert dvi_solve(dataset("fire")).call == "dviSolve(dvi, threshold = 10000, maxIncomp = 2) [kintrace]"
    got = dvi_solve(dataset("example2"), threshold=1e2, max_incomp=1).call
    assert got == "dviSolve(dvi, threshold = 100, threshold2 = 10, maxIncomp = 1) [kintrace]"
    got = dvi_solve(dataset("example2"), threshold2=50).call
    assert got == "dviSolve(dvi, threshold = 10000, threshold2 = 50, maxIncomp = 2) [kintrace]"
