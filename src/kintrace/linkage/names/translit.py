"""Cyrillic -> Latin transliteration under the standards that published lists really use, and Latin
back to candidate Cyrillic forms.

Each standard has a Russian and a Ukrainian variant; unless the language is given, each word is read
by its own letters (і ї є ґ or ьо -> Ukrainian; ы э ё ъ -> Russian) and otherwise by the language of
the whole text. Libraries are used where they were checked against the standard's own examples
(tests/linkage/test_names_translit.py); where a library is wrong the table is written here from the
standard, with the reason next to it.

Checked library defects (iuliia 0.13, translitua 2.0), which is why those standards are not delegated:
- every iuliia schema: an all-capital word comes out as "ShchERBAKOV", "IuRII"; fixed for every
  standard by transliterating each word in lower case and re-applying its case.
- iuliia bgn_pcgn and gost_779 (ISO 9) leave ё as a *Cyrillic* letter ("Yёlkin", "Ёlkin").
- translitua UkrainianGerman writes ж as "sh"; German (Duden) practice is "sch" (Житомир -> Schytomyr).
- translitua UkrainianISO9 writes ь as U+2032 PRIME; ISO 9 uses U+02B9 MODIFIER LETTER PRIME.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import iuliia
import translitua

from kintrace.linkage.names.normalise import (
    APOSTROPHES,
    is_cyrillic,
    normalise,
    script_of,
    strip_diacritics,
)

Standard = Literal["icao", "bgn_pcgn", "gost_7_79", "iso9", "ua_2010", "popular", "german"]
Lang = Literal["ru", "uk"]

STANDARDS: tuple[Standard, ...] = ("icao", "bgn_pcgn", "gost_7_79", "iso9", "ua_2010", "popular", "german")

_UKRAINIAN_ONLY = frozenset("іїєґ")
_RUSSIAN_ONLY = frozenset("ыэёъ")
_VOWELS = frozenset("аеёиоуыэюяіїє")
_WORD_RE = re.compile(f"[\\w{re.escape(APOSTROPHES)}]+")


def _looks_ukrainian(low: str) -> bool:
    # ьо is how Ukrainian writes what Russian writes ё (Льоша/Лёша); Russian has it only in loanwords.
    return (any(c in _UKRAINIAN_ONLY for c in low) or "ьо" in low) and not any(
        c in _RUSSIAN_ONLY for c in low
    )


def detect_lang(text: str) -> Lang:
    """Ukrainian when the text has a letter only Ukrainian uses (or ьо), otherwise Russian."""
    return "uk" if _looks_ukrainian(text.lower()) else "ru"


# --------------------------------------------------------------------------------------------------
# Own tables, written from the standards. A rule sees the lower-case word and the index of the letter.
# --------------------------------------------------------------------------------------------------

Rule = Callable[[str, int], str]
Table = dict[str, "str | Rule"]


def _after_vowel_or_sign(word: str, i: int) -> bool:
    """Word-initial, or after a vowel, й, ъ or ь: where BGN/PCGN and Duden write the iotated form."""
    return i == 0 or word[i - 1] in _VOWELS or word[i - 1] in "йъь'’ʼ"


def _iotated(initial: str, medial: str) -> Rule:
    return lambda w, i: initial if _after_vowel_or_sign(w, i) else medial


# BGN/PCGN 1947 (Russian). The optional middle dot separators (t·s, s·h, ...) are not written: lists
# never carry them.
_BGN_PCGN_RU: Table = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d",
    "е": _iotated("ye", "e"),
    "ё": _iotated("yë", "ë"),
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "\u201d", "ы": "y", "ь": "\u2019", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

# ISO 9:1995 (identical to GOST 7.79-2000 system A): one letter for one letter, all Cyrillic languages.
_ISO9: Table = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g\u0300", "д": "d", "е": "e", "ё": "ë", "є": "ê",
    "ж": "ž", "з": "z", "и": "i", "і": "ì", "ї": "ï", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č",
    "ш": "š", "щ": "ŝ", "ъ": "\u02ba", "ы": "y", "ь": "\u02b9", "э": "è", "ю": "û", "я": "â",
    "'": "\u2019", "\u2019": "\u2019", "\u02bc": "\u2019",
}  # fmt: skip


def _gost_b_ts(w: str, i: int) -> str:
    # GOST 7.79 system B: ц is "c" before i, e, y, j (и, е, ы, й and Ukrainian і, є) and "cz" elsewhere.
    nxt = w[i + 1] if i + 1 < len(w) else ""
    return "c" if nxt in "иеыйіїєэ" else "cz"


# GOST 7.79-2000 system B, Ukrainian column (iuliia's gost_779_alt is Russian only).
_GOST_B_UK: Table = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g`", "д": "d", "е": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "y`", "і": "i", "ї": "yi", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": _gost_b_ts, "ч": "ch",
    "ш": "sh", "щ": "shh", "ь": "`", "ю": "yu", "я": "ya", "'": "''", "\u2019": "''", "\u02bc": "''",
}  # fmt: skip


def _de_e(w: str, i: int) -> str:
    return "je" if _after_vowel_or_sign(w, i) else "e"


def _de_yo(w: str, i: int) -> str:
    # Duden: ё is "jo", but "o" after ж, ч, ш, щ (Горбачёв -> Gorbatschow).
    return "o" if i > 0 and w[i - 1] in "жчшщ" else "jo"


def _de_s(w: str, i: int) -> str:
    # Duden: с between vowels is doubled so that German readers do not voice it (Васильев -> Wassiljew).
    prev_v = i > 0 and w[i - 1] in _VOWELS
    next_v = i + 1 < len(w) and w[i + 1] in _VOWELS
    return "ss" if prev_v and next_v else "s"


def _de_short_i(w: str, i: int) -> str:
    # Duden: -ий at the end of a word is "i" (Юрий -> Juri), -ый is "y"; elsewhere й is "j".
    if i == len(w) - 1 and i > 0 and w[i - 1] in "иы":
        return ""
    return "j"


def _de_i(w: str, i: int) -> str:
    return "ji" if i > 0 and w[i - 1] == "ь" else "i"


def _de_k(w: str, i: int) -> str:
    # кс is written x (Александр -> Alexander); the с is then consumed by _de_s_after_k.
    return "x" if i + 1 < len(w) and w[i + 1] == "с" else "k"


def _de_s_full(w: str, i: int) -> str:
    if i > 0 and w[i - 1] == "к":
        return ""
    return _de_s(w, i)


# German (Duden) practice, Russian and Ukrainian.
_GERMAN_RU: Table = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": _de_e, "ё": _de_yo, "ж": "sch", "з": "s",
    "и": _de_i, "й": _de_short_i, "к": _de_k, "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": _de_s_full, "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch",
    "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja",
}  # fmt: skip

_GERMAN_UK: Table = {
    "а": "a", "б": "b", "в": "w", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "je", "ж": "sch",
    "з": "s", "и": "y", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": _de_s, "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch",
    "ш": "sch", "щ": "schtsch", "ь": "", "ю": "ju", "я": "ja", "'": "", "\u2019": "", "\u02bc": "",
}  # fmt: skip

# Letters a Russian-language name may carry into a Ukrainian-standard transliteration (KMU 55 has no
# ы, э, ё, ъ): rewritten into the Ukrainian letters a Ukrainian clerk would use before transliterating.
_RU_LETTERS_FOR_UK = str.maketrans({"ы": "и", "э": "е", "ъ": "'", "ё": "йо"})


def _apply_table(word: str, table: Table) -> str:
    out: list[str] = []
    for i, ch in enumerate(word):
        rule = table.get(ch)
        if rule is None:
            out.append(ch)
        elif isinstance(rule, str):
            out.append(rule)
        else:
            out.append(rule(word, i))
    return "".join(out)


def _iuliia(schema_name: str) -> Callable[[str], str]:
    schema = iuliia.schemas.get(schema_name)
    return lambda w: str(schema.translate(w))


def _translitua(table: type[translitua.TransliterationTable]) -> Callable[[str], str]:
    return lambda w: str(translitua.translit(w, table))


def _table(table: Table) -> Callable[[str], str]:
    return lambda w: _apply_table(w, table)


def _uk_standard(fn: Callable[[str], str]) -> Callable[[str], str]:
    return lambda w: fn(w.translate(_RU_LETTERS_FOR_UK))


_KMU = _translitua(translitua.UkrainianKMU)

# (standard, language) -> word transliterator working on lower-case words.
_ENGINES: dict[tuple[Standard, Lang], Callable[[str], str]] = {
    # ICAO Doc 9303 Part 3: Russian table via iuliia (matches the standard's table and samples).
    ("icao", "ru"): _iuliia("icao_doc_9303"),
    # ICAO Ukrainian column (И->Y, Є->IE, Ї->I, Ґ->G): translitua's Passport2007 is exactly that table.
    ("icao", "uk"): _translitua(translitua.UkrainianPassport2007),
    ("bgn_pcgn", "ru"): _table(_BGN_PCGN_RU),
    # BGN/PCGN adopted the Ukrainian national system (KMU 55) in 2019.
    ("bgn_pcgn", "uk"): _KMU,
    ("gost_7_79", "ru"): _iuliia("gost_779_alt"),
    ("gost_7_79", "uk"): _table(_GOST_B_UK),
    ("iso9", "ru"): _table(_ISO9),
    ("iso9", "uk"): _table(_ISO9),
    ("ua_2010", "ru"): _uk_standard(_KMU),
    ("ua_2010", "uk"): _KMU,
    # "Popular" English: Russian as English-language press and Wikipedia write it (iuliia "wikipedia":
    # Yury, Yevgeny, Pyotr); Ukrainian names are written in the national system in English today.
    ("popular", "ru"): _iuliia("wikipedia"),
    ("popular", "uk"): _KMU,
    ("german", "ru"): _table(_GERMAN_RU),
    ("german", "uk"): _table(_GERMAN_UK),
}


def _recase(source: str, result: str) -> str:
    if not result:
        return result
    letters = [c for c in source if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return result.upper()
    if letters and source[0].isupper():
        return result[0].upper() + result[1:]
    return result


@lru_cache(maxsize=1 << 16)
def _word_lang(word: str, default: Lang) -> Lang:
    low = word.lower()
    if _looks_ukrainian(low):
        return "uk"
    if any(c in _RUSSIAN_ONLY for c in low):
        return "ru"
    return default


def _finish(out: str, standard: Standard, language: Lang) -> str:
    # A letter the language's table lacks (і in a Russian word, ы in a Ukrainian one, a Belarusian ў)
    # is taken from the other language's table, then from ISO 9, never left in Cyrillic.
    if not any(is_cyrillic(c) for c in out):
        return out
    other: Lang = "uk" if language == "ru" else "ru"
    chars: list[str] = []
    for ch in out:
        if is_cyrillic(ch):
            low = ch.lower()
            repl = _ENGINES[(standard, other)](low)
            if any(is_cyrillic(c) for c in repl):
                repl = _apply_table(low, _ISO9)
            if any(is_cyrillic(c) for c in repl):
                repl = strip_diacritics_cyrillic(low)
            chars.append(repl.upper() if ch.isupper() else repl)
        else:
            chars.append(ch)
    return "".join(chars)


def strip_diacritics_cyrillic(ch: str) -> str:
    """Last resort for a Cyrillic letter no table has (ў, ђ, ѣ): the ISO 9 letter of its base, or ""."""
    base = unicodedata.normalize("NFD", ch)[0]
    out = _apply_table(base, _ISO9)
    return "" if any(is_cyrillic(c) for c in out) else out


@lru_cache(maxsize=1 << 16)
def transliterate(text: str, standard: Standard, lang: Lang | None = None) -> str:
    """Transliterate the Cyrillic letters of `text` under `standard` ("icao", "bgn_pcgn", "gost_7_79",
    "iso9", "ua_2010", "popular", "german"). Non-Cyrillic characters pass through; case is kept
    (word-initial capital or all capitals). `lang` ("ru" or "uk") applies the standard's Russian or
    Ukrainian table to every word; by default each word is read by its own letters (і ї є ґ:
    Ukrainian; ы э ё ъ: Russian) and otherwise by the language of the whole text. The output never
    holds a Cyrillic letter."""
    if standard not in STANDARDS:
        raise ValueError(f"unknown transliteration standard {standard!r}; expected one of {STANDARDS}")
    if not text:
        return ""
    text_lang: Lang = lang or detect_lang(text)

    def one(m: re.Match[str]) -> str:
        word = m.group(0)
        language = lang or _word_lang(word, text_lang)
        out = _ENGINES[(standard, language)](word.lower())
        return _recase(word, _finish(out, standard, language))

    return _WORD_RE.sub(one, text)


_ONE_LETTER = "абвгдеёжзийклмнопрстуфхцчшщыэюяґєії"


@lru_cache(maxsize=1)
def latin_initials() -> frozenset[str]:
    """Every way a standard writes one Cyrillic capital in Latin letters, lower case and without
    diacritics: "ye", "yu", "zh", "shch", "tsch" (an initial Ю. is "Yu." in a passport-style list)."""
    out = {
        strip_diacritics(normalise(transliterate(ch.upper(), standard, lang)))
        for ch in _ONE_LETTER
        for standard in STANDARDS
        for lang in ("ru", "uk")
    }
    return frozenset(o for o in out if o)


def is_initial(text: str | None) -> bool:
    """One letter, with or without its dot ("Ю.", "Ю", "J."), or a Latin spelling of one Cyrillic
    letter followed by its dot ("Yu.", "YE.", "Shch."). Without the dot "Yu" is read as a name."""
    if not text:
        return False
    bare = normalise(text).replace(".", "").strip()
    if len(bare) == 1:
        return True
    return text.strip().endswith(".") and strip_diacritics(bare) in latin_initials()


# --------------------------------------------------------------------------------------------------
# Latin -> candidate Cyrillic forms
# --------------------------------------------------------------------------------------------------

# Each Latin grapheme with its Cyrillic readings, cheapest (most likely) first, with a cost. The costs
# rank candidates; they are rough and only need to put the usual reading first.
_BACK: dict[str, tuple[tuple[str, float], ...]] = {
    "schtsch": (("щ", 0.0),),
    "shch": (("щ", 0.0),),
    "tsch": (("ч", 0.0),),
    "sch": (("щ", 0.3), ("ш", 0.5)),
    "shh": (("щ", 0.0),),
    "sh": (("ш", 0.0), ("сх", 1.5)),
    "zh": (("ж", 0.0),),
    "kh": (("х", 0.0),),
    "ch": (("ч", 0.0), ("х", 1.0)),
    "tch": (("ч", 0.2),),
    "ts": (("ц", 0.2), ("тс", 0.6)),
    "tz": (("ц", 0.2),),
    "cz": (("ц", 0.0),),
    "yu": (("ю", 0.0),),
    "iu": (("ю", 0.1), ("иу", 1.0)),
    "ju": (("ю", 0.0),),
    "ya": (("я", 0.0), ("ья", 0.8)),
    "ia": (("я", 0.2), ("ия", 0.3)),
    "ja": (("я", 0.0),),
    "ye": (("е", 0.1), ("ье", 0.8), ("є", 1.2)),
    "ie": (("ие", 0.3), ("е", 0.5), ("ье", 0.8), ("ъе", 1.5)),
    "je": (("е", 0.1), ("є", 1.0)),
    "yo": (("ё", 0.1), ("йо", 0.6), ("ьо", 0.9)),
    "jo": (("ё", 0.1), ("йо", 0.6)),
    "io": (("ио", 0.5), ("ё", 0.6)),
    "yi": (("ый", 0.5), ("ий", 0.5), ("ї", 0.6)),
    "iy": (("ий", 0.0),),
    "yy": (("ый", 0.0), ("ий", 0.3)),
    "ii": (("ий", 0.0), ("ии", 0.8), ("ій", 0.6)),
    "ij": (("ий", 0.0),),
    "yj": (("ый", 0.0),),
    "ei": (("ей", 0.0), ("еи", 1.2)),
    "ai": (("ай", 0.0), ("аи", 1.0)),
    "oi": (("ой", 0.0), ("ои", 1.2)),
    "ui": (("уй", 0.0), ("уи", 1.2)),
    "ks": (("кс", 0.0),),
    "x": (("кс", 0.0), ("х", 0.8)),
    "a": (("а", 0.0),),
    "b": (("б", 0.0),),
    "c": (("ц", 0.3), ("к", 0.6)),
    "d": (("д", 0.0),),
    "e": (("е", 0.0), ("э", 1.6)),
    "f": (("ф", 0.0),),
    "g": (("г", 0.0), ("ґ", 2.0)),
    "h": (("х", 0.2), ("г", 0.5)),
    "i": (("и", 0.0), ("й", 1.0), ("і", 1.2), ("ы", 1.5)),
    "j": (("й", 0.0), ("ж", 1.5)),
    "k": (("к", 0.0),),
    "l": (("л", 0.0), ("ль", 1.5)),
    "m": (("м", 0.0),),
    "n": (("н", 0.0), ("нь", 1.8)),
    "o": (("о", 0.0),),
    "p": (("п", 0.0),),
    "q": (("к", 0.0),),
    "r": (("р", 0.0),),
    "s": (("с", 0.0), ("з", 1.5)),
    "t": (("т", 0.0),),
    "u": (("у", 0.0),),
    "v": (("в", 0.0),),
    "w": (("в", 0.0),),
    "y": (("ы", 0.6), ("и", 0.5), ("й", 0.8)),
    "z": (("з", 0.0), ("ц", 1.5)),
    "ss": (("сс", 0.4), ("с", 0.5)),
    "ff": (("в", 0.3), ("ф", 0.4)),
}
_BACK_KEYS = sorted(_BACK, key=len, reverse=True)
_LATIN_DIACRITICS = str.maketrans(
    {"š": "sh", "ž": "zh", "č": "ch", "ŝ": "shch", "ĉ": "ch", "û": "yu", "â": "ya", "ë": "yo", "ê": "ye",
     "ì": "i", "ï": "yi", "è": "e", "ė": "e", "é": "e", "ý": "y", "á": "a", "ó": "o", "ú": "u", "í": "i",
     "\u0300": ""}
)  # fmt: skip


def _segments(word: str) -> list[tuple[tuple[str, float], ...]]:
    segs: list[tuple[tuple[str, float], ...]] = []
    i = 0
    while i < len(word):
        for key in _BACK_KEYS:
            if word.startswith(key, i):
                segs.append(_BACK[key])
                i += len(key)
                break
        else:
            segs.append(((word[i], 0.0),))
            i += 1
    return segs


def _best_readings(segs: list[tuple[tuple[str, float], ...]], limit: int) -> list[str]:
    # Uniform-cost enumeration over the product of per-segment readings: the `limit` cheapest words.
    start = (0.0, (0,) * len(segs))
    heap: list[tuple[float, tuple[int, ...]]] = [start]
    seen = {start[1]}
    out: list[str] = []
    while heap and len(out) < limit:
        cost, idx = heapq.heappop(heap)
        word = "".join(segs[k][j][0] for k, j in enumerate(idx))
        if word not in out:
            out.append(word)
        for k in range(len(segs)):
            if idx[k] + 1 < len(segs[k]):
                nxt = (*idx[:k], idx[k] + 1, *idx[k + 1 :])
                if nxt not in seen:
                    seen.add(nxt)
                    delta = segs[k][idx[k] + 1][1] - segs[k][idx[k]][1]
                    heapq.heappush(heap, (cost + delta, nxt))
    return out


_RERANK_FACTOR = 6


@lru_cache(maxsize=1)
def _known_forms() -> frozenset[str]:
    """Every Cyrillic given name, diminutive and patronymic of the name-form table, normalised."""
    from kintrace.linkage.names import forms  # forms imports this module

    out: set[str] = set()
    for row in forms.given_names():
        out.update(row.russian + row.ukrainian + row.diminutives + row.patronymics)
        if row.sex == "m":
            for derive, names in (
                (forms.russian_patronymics, row.russian),
                (forms.ukrainian_patronymics, row.ukrainian),
            ):
                for name in names:
                    male, female = derive(name)
                    out.update(male + female)
    return frozenset(normalise(f) for f in out)


@lru_cache(maxsize=1 << 14)
def cyrillic_candidates(latin: str, limit: int = 8) -> list[str]:
    """Candidate Cyrillic spellings of a Latin-script name, most likely first, at most `limit`
    (lower case; one string per candidate, words joined by a space). Readings that are
    given names, diminutives or patronymics of the name-form table come first. Cyrillic input is
    returned normalised. German "w"/"sch"/"tsch" and English/ICAO/ISO spellings are all read."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    text = normalise(latin)
    if not text:
        return []
    if script_of(text) == "cyrillic":
        return [text]
    words = [w.translate(_LATIN_DIACRITICS) for w in text.split(" ")]
    known = _known_forms()
    per_word: list[list[str]] = []
    for w in words:
        # Read more than asked, then put the readings that are real name forms first (Serhii -> сергій
        # before серхий), keeping the cost order otherwise.
        readings = _best_readings(_segments(w), limit * _RERANK_FACTOR)
        readings.sort(key=lambda r: r.replace("ё", "е") not in known)
        per_word.append(readings[:limit])
    # Combine words by rank sum: the first candidate is every word's best reading.
    combos: list[tuple[int, str]] = [(0, "")]
    for readings in per_word:
        combos = sorted(
            ((r + k, f"{prev} {cand}".strip()) for r, prev in combos for k, cand in enumerate(readings)),
            key=lambda t: t[0],
        )[:limit]
    return [c for _, c in combos]
