"""normalise and script_of."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kintrace.linkage.names.normalise import normalise, script_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  ЩЕРБАКОВ   Юрий ", "щербаков юрий"),
        ("Ёлкин", "елкин"),  # ё -> е
        ("Знам’янка", "знамянка"),  # U+2019 apostrophe
        ("Знамʼянка", "знамянка"),  # U+02BC apostrophe
        ("Znam'ianka", "znamianka"),
        ("Петров – Водкин", "петров-водкин"),  # en dash with spaces
        ("Петров—Водкин", "петров-водкин"),
        ("ＩＶＡＮＯＶ", "ivanov"),  # NFKC full-width
        ("Straße", "strasse"),  # case fold
        ("Іван Їжак Єва Ґудзь", "іван їжак єва ґудзь"),  # Ukrainian letters kept
        ("Иванов, Иван.", "иванов иван"),
        ("Иванoв", "иванов"),  # Latin o inside a Cyrillic word
        ("Ob”yedkov", "obyedkov"),  # BGN/PCGN hard sign mark removed, not a word break
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_normalise(raw: str | None, expected: str) -> None:
    assert normalise(raw) == expected


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Щербаков", "cyrillic"),
        ("Shcherbakov", "latin"),
        ("Ŝerbakov", "latin"),
        ("Ivanов", "mixed"),
        ("12345", "none"),
        ("", "none"),
        (None, "none"),
    ],
)
def test_script_of(text: str | None, script: str) -> None:
    assert script_of(text) == script
