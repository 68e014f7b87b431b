"""The case's pedigree drawn as SVG: it parses, one symbol per member with the usual shapes (square a
man, circle a woman, diamond unknown), filled where a profile is stored, the missing person marked;
on the family's DNA page, server-rendered, in the reader's language."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi import FastAPI
from tests.services.dna_helpers import frequency_file
from tests.web.conftest import CASEWORKER
from tests.web.test_dna_pages import UK, _samples
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.domain.dna_samples import MISSING_ID, Donor, DonorSex, Kinship, pedigree_layout
from kintrace.web.pedigree_svg import generations, pedigree_svg

SVG = "{http://www.w3.org/2000/svg}"
SHAPE = {"rect": 1, "circle": 2, "polygon": 0}


def _members(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return {g.get("data-person"): g for g in root.iter(f"{SVG}g") if "member" in g.get("class", "").split()}


def _shape(member: ET.Element) -> ET.Element:
    [symbol] = [child for child in member if child.get("class") == "symbol"]
    return symbol


@pytest.mark.parametrize(
    "donors",
    [
        [Donor("F", Kinship.FATHER, DonorSex.MALE)],
        [Donor("F", Kinship.FATHER, DonorSex.MALE), Donor("M", Kinship.MOTHER, DonorSex.FEMALE)],
        [Donor("S", Kinship.FULL_SIBLING, DonorSex.UNKNOWN)],
        [Donor("C", Kinship.CHILD, DonorSex.FEMALE), Donor("W", Kinship.SPOUSE, DonorSex.FEMALE)],
        [
            Donor("G", Kinship.PATERNAL_GRANDFATHER, DonorSex.MALE),
            Donor("U", Kinship.PATERNAL_UNCLE_OR_AUNT, DonorSex.MALE),
        ],
    ],
)
def test_every_member_has_its_symbol(donors: list[Donor]) -> None:
    layout = pedigree_layout(DonorSex.MALE, donors)
    typed = frozenset(list(layout.typed)[:1])  # only the first donor's profile is stored
    labels = {node: f"label {node}" for node in layout.typed} | {MISSING_ID: "the missing person"}
    members = _members(str(pedigree_svg(layout, labels, typed, title="Family tree")))
    assert set(members) == {row.id for row in layout.rows}
    for row in layout.rows:
        member = members[row.id]
        symbol = _shape(member)
        assert SHAPE[symbol.tag.removeprefix(SVG)] == row.sex, row
        classes = member.get("class", "").split()
        assert ("typed" in classes) == (row.id in typed)
        assert (symbol.get("fill") != "#fff") == (row.id in typed)
        assert ("missing" in classes) == (row.id == MISSING_ID)
    missing = members[MISSING_ID]
    assert (
        _shape(missing).get("stroke") == "#b00020" and missing.find(f"{SVG}path[@class='arrow']") is not None
    )
    assert missing.find(f"{SVG}text").text == "the missing person"
    # Parents sit a row above their children; a spouse beside the missing person.
    depth = generations(layout.rows)
    for row in layout.rows:
        for parent in (row.father, row.mother):
            if parent is not None:
                assert depth[parent] == depth[row.id] - 1


def test_labels_are_escaped() -> None:
    layout = pedigree_layout(DonorSex.MALE, [Donor("F", Kinship.FATHER, DonorSex.MALE)])
    svg = str(pedigree_svg(layout, {MISSING_ID: "<b>&</b>"}, frozenset(), title="a < b"))
    assert ET.fromstring(svg) is not None and "<b>" not in svg


def test_the_family_page_draws_its_pedigree(
    web_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    family = sign_up(web_app, "oksana")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    assert worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)}).status_code == 303
    assert "<svg" not in family.get(f"/my/cases/{case_id}/dna", headers=UK).text  # no donor yet
    _samples(web_app, case_id, tmp_path)

    page = family.get(f"/my/cases/{case_id}/dna", headers=UK)
    assert page.status_code == 200 and "Родинне дерево пошуку за ДНК" in page.text
    svg = re.search(r"<svg.*?</svg>", page.text, re.S).group(0)  # type: ignore[union-attr]
    members = _members(svg)
    # Father and mother typed (both profiles stored), the missing son marked and untyped (the case
    # filed here gives no sex: a diamond).
    assert {m: _shape(g).tag.removeprefix(SVG) for m, g in members.items()} == {
        "father": "rect",
        "mother": "circle",
        MISSING_ID: "polygon",
    }
    assert all("typed" in members[p].get("class", "").split() for p in ("father", "mother"))
    assert "missing" in members[MISSING_ID].get("class", "").split()
    texts = {g.find(f"{SVG}text").text for g in members.values()}
    assert {"батько", "мати"} <= texts
    assert "WEB-" not in svg
