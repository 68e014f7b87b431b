"""Military unit numbers: one test per pattern."""

from __future__ import annotations

import pytest

from kintrace.linkage.fields import parse_unit


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("в/ч 12345", "12345"),
        ("В/Ч 12345", "12345"),
        ("в/ч-12345", "12345"),
        ("в / ч № 12345", "12345"),
        ("в.ч. 12345", "12345"),
        ("вч 12345", "12345"),
        ("ВЧ-12345", "12345"),
        ("войсковая часть 12345", "12345"),
        ("войсковой части 12345", "12345"),
        ("Войсковая часть № 12345 (г. Псков)", "12345"),
        ("військова частина А1234", "А1234"),
        ("військової частини А1234", "А1234"),
        ("в/ч А1234", "А1234"),
        ("в/ч A-1234", "А1234"),  # Latin A becomes the Cyrillic letter
        ("в/ч a1234", "А1234"),
        ("military unit 12345", "12345"),
        ("Military Unit No. 12345", "12345"),
        ("mil. unit 12345", "12345"),
        ("unit 12345", "12345"),
        ("v/ch 12345", "12345"),
        ("12345", "12345"),  # a bare number in a unit column
        ("А0123", "А0123"),
        ("№ 12345", "12345"),
    ],
)
def test_parse_unit(text: str, unit: str) -> None:
    assert parse_unit(text) == unit


@pytest.mark.parametrize("text", ["", "   ", None, "3 батальон", "разведрота", "12"])
def test_no_unit(text: str | None) -> None:
    assert parse_unit(text) is None
