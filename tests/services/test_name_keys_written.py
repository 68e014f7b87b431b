"""The wt:/ws: keys of a name as written meet exactly the words name search's LIKE test met."""

from __future__ import annotations

import re

import pytest

from kintrace.services.name_keys import WRITTEN_MAX, writing_keys

TEXTS = (
    "мельник ольга петрівна",
    "мельник ольга петрівна\nmelnyk olha\nmelnik olga",
    "ольга",
    "",
    "петров-водкін  іван",
    "a | b c",
    "de la cruz maria\nкузьменко",
    "x" * (WRITTEN_MAX + 1) + " ольга",
    "x" * WRITTEN_MAX + " ольга",
)
WORDS = ("мельник", "ольга", "петрівна", "melnyk", "olha", "olga", "петров", "водкін", "іван", "a", "b", "c")
WORDS += ("de", "la", "cruz", "maria", "кузьменко", "x" * WRITTEN_MAX, "x" * (WRITTEN_MAX + 1), "ivan")


def _like(pattern: str, text: str) -> bool:
    # SQL LIKE with % only (the typed words hold letters only), case-sensitive as the texts are folded.
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("%")), text, re.S) is not None


@pytest.mark.parametrize("text", TEXTS)
def test_the_keys_meet_the_words_that_like_met(text: str) -> None:
    padded = "| " + text.replace("\n", " | ") + " |"
    keys = writing_keys(text)
    for word in WORDS:
        if len(word) > WRITTEN_MAX:
            assert f"wt:{word}" not in keys and f"ws:{word}" not in keys
            continue
        assert (f"wt:{word}" in keys) == _like(f"% {word} %", padded), (text, word)
        assert (f"ws:{word}" in keys) == _like(f"%| {word} %", padded), (text, word)
    assert all(len(key) <= 100 for key in keys)


def test_a_surname_is_the_first_word_of_each_spelling() -> None:
    keys = writing_keys("мельник ольга петрівна\nmelnyk olha")
    assert {k for k in keys if k.startswith("ws:")} == {"ws:мельник", "ws:melnyk"}
    assert {k for k in keys if k.startswith("wt:")} == {
        "wt:мельник",
        "wt:ольга",
        "wt:петрівна",
        "wt:melnyk",
        "wt:olha",
    }
