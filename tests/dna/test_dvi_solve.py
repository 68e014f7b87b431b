"""dviSolve (dvir 3.4.2, threshold 1e4, threshold2 1e3, maxIncomp 2): AM and PM conclusions."""

from __future__ import annotations

import json

import pytest
from dvi_oracle import DVI_DIR, NAMES, close, dataset, expected

from kintrace.dna.dvi_data import parse_dvi
from kintrace.dna.dvi_solve import AM_COLUMNS, PM_COLUMNS, dvi_solve, kinship, relationship


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
    ped = dataset("fire").families[0].pedigree
    phi = kinship(ped)
    sibs = [p.id for p in ped.persons if not p.is_founder]
    a, b = sibs[0], sibs[1]
    assert phi[(a, a)] == 0.5
    if relationship(ped, a, b) == "full siblings":
        assert phi[(a, b)] == 0.25


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
