"""The waterfall of a pair's score: valid SVG, one bar per field from the prior, ending at the weight."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from tests.services.list_helpers import REASONS, weight_of

from kintrace.web.waterfall import NEGATIVE, POSITIVE, bars, waterfall

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def field_bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "field" in r.get("class", "")]


def test_one_bar_per_field_and_they_sum_from_the_prior_to_the_weight():
    weight = weight_of(REASONS)
    root = parsed(waterfall("Why these two may be one man", REASONS, weight))
    fields = field_bars(root)
    assert len(fields) == 5
    prior = next(r for r in root.iter(f"{SVG}rect") if "prior" in r.get("class", ""))
    total = next(r for r in root.iter(f"{SVG}rect") if "total" in r.get("class", ""))
    moved = sum(float(r.get("data-weight")) for r in fields)
    assert float(prior.get("data-weight")) + moved == pytest.approx(weight, abs=1e-5)
    assert float(total.get("data-weight")) == pytest.approx(weight)
    # Each bar starts where the one before it ended.
    at = float(prior.get("data-weight"))
    for bar in fields:
        assert float(bar.get("data-start")) == pytest.approx(at, abs=1e-5)
        at += float(bar.get("data-weight"))
    assert float(fields[0].get("data-weight")) == pytest.approx(math.log2(412))


def test_fields_are_labelled_coloured_by_sign_and_titled():
    names = {"surname": "Surname", "unit": "Unit"}
    svg = waterfall("Score of pair 7", REASONS, weight_of(REASONS), label=lambda f: names.get(f, f))
    root = parsed(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Score of pair 7"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Surname" in texts and "Unit" in texts and "+8.69" in texts and "-2.00" in texts
    colours = {r.get("data-weight"): r.get("fill") for r in field_bars(root)}
    assert colours[f"{math.log2(412):.6f}"] == POSITIVE and colours[f"{-2.0:.6f}"] == NEGATIVE
    assert "href" not in svg and "<script" not in svg  # nothing fetched, nothing run


def test_without_a_stored_prior_the_prior_is_what_the_fields_leave():
    reasons = {k: v for k, v in REASONS.items() if k != "prior_weight"}
    prior, steps = bars(reasons, 3.0)
    assert prior + sum(s.weight for s in steps) == pytest.approx(3.0)
    assert len(steps) == 5


def test_a_remainder_the_fields_do_not_explain_is_a_bar_of_its_own():
    prior, steps = bars(REASONS, weight_of(REASONS) + 1.5)
    assert steps[-1].field == "other" and steps[-1].weight == pytest.approx(1.5)
    assert prior + sum(s.weight for s in steps) == pytest.approx(weight_of(REASONS) + 1.5)


def test_an_impossible_field_and_hostile_labels_still_parse():
    reasons = {"surname": {"level": "<b>&", "bf": 0.0}, "prior_weight": -10.0}
    root = parsed(waterfall("<script>", reasons, -75.0, label=lambda f: "a<b>&c"))
    assert root.find(f"{SVG}title").text == "<script>"
    assert len(field_bars(root)) == 2  # the field, and what is left to reach the weight
