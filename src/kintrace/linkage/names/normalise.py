"""Text normalisation and script detection for personal names.

`normalise` is the first step of every comparison: two spellings that differ only in case, Unicode
form, ё/е, apostrophe style or spacing must compare equal before any name rule runs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Script = Literal["cyrillic", "latin", "mixed", "none"]

# Ukrainian writes the apostrophe as U+02BC (official), U+2019, U+0027 or a backtick in the wild, and
# BGN/PCGN, ISO 9 and GOST 7.79 write ъ/ь as ” ’ ʺ ʹ ` marks, and BGN/PCGN separates t·s, s·h, ...
# with a middle dot: all of them are removed, never turned into a word break.
APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4\u02b9\u02bb\u2032\u02ba\u201c\u201d\u2033\"\u00b7\u2027\u22c5"
_APOSTROPHE_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
# All dash-like characters become a plain hyphen; surrounding spaces are dropped ("Петров - Водкин").
_DASH_RE = re.compile(r"\s*(?:[\u002d\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d]\s*)+")
_SPACE_RE = re.compile(r"\s+")
# Anything that is neither a letter, a combining mark, a digit, a hyphen nor a space separates words.
# Combining marks are kept: ISO 9 writes ґ as g + U+0300, which has no precomposed form.
_OTHER_RE = re.compile(r"[^\w\s\-\u0300-\u036f]|_")

# Latin look-alikes typed into Cyrillic words (OCR, mixed keyboards). Only used inside a word that is
# otherwise Cyrillic, so genuine Latin words are never touched.
_LATIN_TO_CYRILLIC_HOMOGLYPHS = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "i": "і",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "h": "н",
        "b": "в",
    }
)


def is_cyrillic(ch: str) -> bool:
    """Whether a character is a Cyrillic letter (basic, supplement and extended blocks)."""
    return "\u0400" <= ch <= "\u052f" or "\u1c80" <= ch <= "\u1c8f" or "\ua640" <= ch <= "\ua69f"


def _is_latin(ch: str) -> bool:
    if not ch.isalpha():
        return False
    return unicodedata.name(ch, "").startswith("LATIN")


def _fix_homoglyphs(word: str) -> str:
    cyr = sum(1 for c in word if is_cyrillic(c))
    lat = sum(1 for c in word if _is_latin(c))
    if cyr and lat and cyr >= lat:
        return word.translate(_LATIN_TO_CYRILLIC_HOMOGLYPHS)
    return word


@lru_cache(maxsize=1 << 18)
def normalise(text: str | None) -> str:
    """Canonical lower-case form of a name: NFKC, case fold, ё->е, apostrophes removed, dashes and
    spaces collapsed, punctuation turned into spaces. Returns "" for None or blank input.

    Ukrainian letters (і, ї, є, ґ) are kept: folding them would merge Ukrainian and Russian forms that
    the name-form tables keep apart on purpose. A Latin look-alike inside a Cyrillic word ("Иванoв"
    with a Latin o) is turned into its Cyrillic letter.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    s = s.replace("ё", "е")
    s = _APOSTROPHE_RE.sub("", s)
    s = _DASH_RE.sub("-", s)
    s = _OTHER_RE.sub(" ", s)
    # Again: a removed character may have left spaces beside a hyphen ("0-\x1b0").
    s = _DASH_RE.sub("-", s)
    s = _SPACE_RE.sub(" ", s).strip(" -")
    if not s:
        return ""
    return " ".join(_fix_homoglyphs(w) for w in s.split(" "))


@lru_cache(maxsize=1 << 16)
def script_of(text: str | None) -> Script:
    """Which script the letters of `text` are written in: "cyrillic", "latin", "mixed" or "none"."""
    if not text:
        return "none"
    has_cyr = has_lat = False
    for ch in str(text):
        if is_cyrillic(ch):
            has_cyr = True
        elif _is_latin(ch):
            has_lat = True
        if has_cyr and has_lat:
            return "mixed"
    if has_cyr:
        return "cyrillic"
    if has_lat:
        return "latin"
    return "none"


def strip_diacritics(text: str) -> str:
    """Remove combining marks (after NFD) and recompose; used for Latin text only."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
