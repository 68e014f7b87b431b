"""Text as people type it, made safe to store: one Unicode form, no characters a database refuses.

Phones and some keyboards send decomposed letters (NFD: "й" as "и" + a combining breve) and stress
marks (a combining acute over a vowel, as in dictionaries). Both are folded into the composed form
(NFC) everyone else stores, so the same name is the same text. A NUL character (PostgreSQL cannot
store it) and a lone UTF-16 surrogate (not a character at all) are refused, naming the field.
"""

from __future__ import annotations

import re
import unicodedata

from kintrace.domain.errors import InvalidValue

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Combining acute and grave: the stress marks of Russian and Ukrainian dictionaries and textbooks.
_STRESS_MARKS = re.compile("[\u0301\u0300]")


def check_storable(value: str, field: str) -> None:
    """Refuse NUL characters and unpaired surrogates (InvalidValue naming `field`)."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return
    if found.group() == "\x00":
        raise InvalidValue("contains a NUL character", field=field)
    raise InvalidValue("contains an unpaired surrogate, which is not a character", field=field)


def normalised(value: str, field: str) -> str:
    """`value` in NFC, after checking it can be stored."""
    check_storable(value, field)
    return unicodedata.normalize("NFC", value)


def without_stress_marks(value: str) -> str:
    """NFC text without stress marks: "Оле́г" -> "Олег". Composed letters such as "й", "ё", "é" stay."""
    composed = unicodedata.normalize("NFC", value)
    # After composition, an acute or grave still standing alone sits on a letter that has no
    # precomposed form with it (Cyrillic vowels): a stress mark.
    return unicodedata.normalize("NFC", _STRESS_MARKS.sub("", composed))
