"""Latin spellings of Cyrillic names for readers of Latin script.

Ukrainian names (they hold і, ї, є or ґ) go through the Ukrainian national system (translitua);
other Cyrillic through the Russian Wikipedia scheme (iuliia). Searching goes the other way on the
linkage engine's cross-script keys (services/name_search), not through guessed spellings.
"""

from __future__ import annotations

import functools
import re

import iuliia
import translitua

_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def is_ukrainian(text: str) -> bool:
    return any(char in _UKRAINIAN_LETTERS for char in text)


@functools.lru_cache(maxsize=8192)
def to_latin(text: str) -> str:
    """The Latin spelling of a Cyrillic text ("Шевченко Олександр" -> "Shevchenko Oleksandr")."""
    if not has_cyrillic(text):
        return text
    if is_ukrainian(text):
        return str(translitua.translit(text))
    return str(iuliia.WIKIPEDIA.translate(text))
