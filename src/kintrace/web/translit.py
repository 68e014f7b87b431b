"""Latin spellings of Cyrillic names for readers of Latin script, and the reverse guesses a search needs.

Ukrainian names (they hold і, ї, є or ґ) go through the Ukrainian national system (translitua);
other Cyrillic through the Russian Wikipedia scheme (iuliia). The reverse direction has no single
answer, so `cyrillic_guesses` gives the Russian and the Ukrainian reading of a Latin spelling; a
search tries each of them.
"""

from __future__ import annotations

import functools
import re

import iuliia
import translitua

_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


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


def latin_spellings(text: str) -> list[str]:
    """Both Latin spellings (Russian and Ukrainian systems) of a Cyrillic text, without repeats."""
    spellings = [str(iuliia.WIKIPEDIA.translate(text)), str(translitua.translit(text))]
    return list(dict.fromkeys(spellings))


# Longest first: "shch" before "sh" before "s".
_COMMON = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("tz", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("iu", "ю"),
    ("ya", "я"),
    ("ia", "я"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("w", "в"),
    ("d", "д"),
    ("z", "з"),
    ("k", "к"),
    ("c", "к"),
    ("q", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("x", "кс"),
    ("j", "й"),
    ("e", "е"),
]
_RUSSIAN = [
    ("yo", "ё"),
    ("ye", "е"),
    ("iy", "ий"),
    ("yy", "ый"),
    ("ey", "ей"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("y", "ы"),
]
_UKRAINIAN = [
    ("yi", "ї"),
    ("ye", "є"),
    ("ie", "є"),
    ("iy", "ій"),
    ("ii", "ій"),
    ("h", "г"),
    ("g", "г"),
    ("i", "і"),
    ("y", "и"),
]


def _table(extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(_COMMON + extra, key=lambda pair: -len(pair[0]))


_TABLES = (_table(_RUSSIAN), _table(_UKRAINIAN))


def _reverse(text: str, table: list[tuple[str, str]]) -> str:
    out: list[str] = []
    position = 0
    lowered = text.lower()
    while position < len(lowered):
        for latin, cyrillic in table:
            if lowered.startswith(latin, position):
                out.append(cyrillic)
                position += len(latin)
                break
        else:
            char = lowered[position]
            if char not in "'’ʼ":
                out.append(char)
            position += 1
    return "".join(out)


def search_spellings(query: str) -> list[str]:
    """The spellings a name search tries: the query itself and its readings in the other script."""
    query = query.strip()
    if not query:
        return []
    spellings = [query]
    if has_cyrillic(query):
        spellings.extend(latin_spellings(query))
    elif _LATIN.search(query):
        spellings.extend(_reverse(query, table) for table in _TABLES)
    return list(dict.fromkeys(s for s in spellings if s))
