"""Non-name fields for record linkage: partial birth dates, military unit numbers, full-name splitting."""

from __future__ import annotations

import calendar
import re
import unicodedata
from functools import lru_cache

from kintrace.linkage.names.forms import given_name_candidates, patronymic_parts
from kintrace.linkage.names.normalise import script_of
from kintrace.linkage.names.translit import is_initial

PartialDate = tuple[int, int | None, int | None]

DATE_LEVELS: tuple[str, ...] = (
    "exact",
    "swapped_day_month",
    "one_digit_slip",
    "same_year_month",
    "same_year",
    "different",
    "missing",
)

# Missing-persons work reaches back to men born in the 1880s (First World War archives); a year
# before 1850 is a slip, not a birth year.
MIN_YEAR = 1850
MAX_YEAR = 2100
# Two-digit years: 00..25 are 20xx, 26..99 are 19xx (birth years of people in the lists this reads).
TWO_DIGIT_PIVOT = 25

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    (
        "январь января янв січень січня січ january jan",
        "февраль февраля фев лютий лютого лют february feb",
        "март марта мар березень березня бер march mar",
        "апрель апреля апр квітень квітня квіт april apr",
        "май мая травень травня трав may",
        "июнь июня июн червень червня черв june jun",
        "июль июля июл липень липня лип july jul",
        "август августа авг серпень серпня серп august aug",
        "сентябрь сентября сен сент вересень вересня вер september sep sept",
        "октябрь октября окт жовтень жовтня жовт october oct",
        "ноябрь ноября ноя листопад листопада лист november nov",
        "декабрь декабря дек грудень грудня груд december dec",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _num

# Unknown parts written as zeros or placeholders: "00.00.1985", "xx.05.1985", "??.??.1985".
_UNKNOWN = r"(?:0{1,2}|x{1,2}|\?{1,2}|-{1,2}|_{1,2})"
_NUM = r"(\d{1,2}|" + _UNKNOWN + ")"
_SEP = r"\s*[./\-\\ ]\s*"

_RE_YMD = re.compile(rf"^(\d{{4}}){_SEP}{_NUM}{_SEP}{_NUM}(?:[t ].*)?$")
_RE_YM = re.compile(rf"^(\d{{4}}){_SEP}{_NUM}$")
_RE_DMY = re.compile(rf"^{_NUM}{_SEP}{_NUM}{_SEP}(\d{{4}}|\d{{2}})$")
_RE_MY = re.compile(rf"^{_NUM}{_SEP}(\d{{4}})$")
_RE_Y = re.compile(r"^(\d{4})$")
_RE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RE_WORDS = re.compile(r"^(?:(\d{1,2})\s+)?([^\d\s.]+)\.?\s+(\d{4})$")
# Noise around a date: "г.", "г.р.", "року", "р.н.", "born", "b.", "рождения", "circa"/"ок.", and
# marks of uncertainty ("~1985", "1985?", "(approx)"); the date itself is kept.
_NOISE = re.compile(
    r"(?<![^\W\d_])(?:г\.?\s*р\.?|р\.?\s*н\.?|года?|року|рік|рождения|народження|род|нар|born|b|dob|"
    r"д\.?\s*р\.?|circa|ca|c|approx|about|ок|около|прибл|приблизно|г|р)(?![^\W\d_])\.?",
    re.IGNORECASE,
)
_MARKS = re.compile(r"[~?():,;\[\]]")
# Soviet documents write the month in Roman numerals (7.III.1985).
_ROMAN_MONTH = re.compile(r"(?<=[.\s/-])(xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)(?=[.\s/-])")
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
}


def _part(text: str) -> int | None:
    return None if re.fullmatch(_UNKNOWN, text) else int(text)


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y <= TWO_DIGIT_PIVOT else 1900
    return y


def _check(raw: str, y: int, m: int | None, d: int | None) -> PartialDate:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValueError(f"not a date: {raw!r} (year {y} outside {MIN_YEAR}..{MAX_YEAR})")
    if m is None:
        return (y, None, None)
    if not 1 <= m <= 12:
        raise ValueError(f"not a date: {raw!r} (month {m})")
    if d is not None and not 1 <= d <= calendar.monthrange(y, m)[1]:
        raise ValueError(f"not a date: {raw!r} (day {d} of {y}-{m:02d})")
    return (y, m, d)


def _day_month(raw: str, a: int | None, b: int | None, y: int) -> PartialDate:
    # Day first (European and post-Soviet practice); a US-style month-first date is accepted only when
    # the day-first reading is impossible (05/13/1990).
    if a is not None and b is not None and b > 12 and a <= 12:
        a, b = b, a
    if b is None:
        return _check(raw, y, None, None)
    return _check(raw, y, b, a)


@lru_cache(maxsize=1 << 16)
def parse_partial_date(text: str | None) -> PartialDate | None:
    """Parse a birth date that may be full, year-month or year only: (year, month|None, day|None).

    Accepts ISO (1985-03-07, 1985-03, 1985, with or without time), DD.MM.YYYY and D/M/YY, MM/YYYY,
    YYYYMMDD, Roman-numeral months (7.III.1985), "7 марта 1985", "березень 1985", "March 7 1985"-style
    words, zero or placeholder unknown parts (00.00.1985, xx.03.1985), noise such as "г.р." and marks
    of uncertainty ("~1985", "1985?"). Returns None for empty input; raises ValueError naming the text
    when it is not a date (a range such as "1985-1986" is not one date)."""
    if text is None:
        return None
    raw = str(text)
    s = unicodedata.normalize("NFKC", raw).strip().casefold()
    s = _MARKS.sub(" ", s)
    s = _NOISE.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip(" .")
    s = _ROMAN_MONTH.sub(lambda m: str(_ROMAN[m[1]]), s)
    if not s:
        return None
    if m := _RE_COMPACT.match(s):
        return _check(raw, int(m[1]), int(m[2]), int(m[3]))
    if m := _RE_YMD.match(s):
        return _check(raw, int(m[1]), _part(m[2]), _part(m[3]))
    if m := _RE_YM.match(s):
        return _check(raw, int(m[1]), _part(m[2]), None)
    if m := _RE_DMY.match(s):
        return _day_month(raw, _part(m[1]), _part(m[2]), _year(m[3]))
    if m := _RE_MY.match(s):
        return _check(raw, int(m[2]), _part(m[1]), None)
    if m := _RE_Y.match(s):
        return _check(raw, int(m[1]), None, None)
    if m := _RE_WORDS.match(s):
        month = _MONTHS.get(m[2])
        if month is not None:
            return _check(raw, int(m[3]), month, int(m[1]) if m[1] else None)
    if m := re.fullmatch(r"([^\d\s.]+)\.?\s+(\d{1,2}),?\s+(\d{4})", s):
        month = _MONTHS.get(m[1])
        if month is not None:
            return _check(raw, int(m[3]), month, int(m[2]))
    raise ValueError(f"not a date: {raw!r}")


def _as_date(value: str | PartialDate | None) -> PartialDate | None:
    if value is None or isinstance(value, tuple):
        return value
    return parse_partial_date(value)


def _digits(d: PartialDate) -> str:
    return f"{d[0]:04d}{d[1] or 0:02d}{d[2] or 0:02d}"


def date_agreement(a: str | PartialDate | None, b: str | PartialDate | None) -> str:
    """Agreement level of two partial dates (strings are parsed; a string that is not a date raises
    ValueError), strongest first:

    - "exact": both full and equal;
    - "swapped_day_month": both full, same year, day and month exchanged (07.03 vs 03.07);
    - "one_digit_slip": both full and one digit of YYYYMMDD differs (1985 vs 1986, 17 vs 11);
    - "same_year_month": year and month agree (at least one lacks the day, or the days differ more);
    - "same_year": the year agrees (at least one lacks the month, or months differ);
    - "different": the years differ;
    - "missing": either date is absent.
    """
    da, db = _as_date(a), _as_date(b)
    if da is None or db is None:
        return "missing"
    full = all(v is not None for v in (*da, *db))
    if full and da == db:
        return "exact"
    if full and da[0] == db[0] and da[1] == db[2] and da[2] == db[1]:
        return "swapped_day_month"
    if full and sum(x != y for x, y in zip(_digits(da), _digits(db), strict=True)) == 1:
        return "one_digit_slip"
    if da[0] != db[0]:
        return "different"
    if da[1] is not None and da[1] == db[1]:
        return "same_year_month"
    return "same_year"


def to_iso(d: PartialDate | None) -> str | None:
    """ISO text of a partial date at its own precision: "1985", "1985-03" or "1985-03-07"."""
    if d is None:
        return None
    if d[1] is None:
        return f"{d[0]:04d}"
    if d[2] is None:
        return f"{d[0]:04d}-{d[1]:02d}"
    return f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}"


# --------------------------------------------------------------------------------------------------
# Unit numbers
# --------------------------------------------------------------------------------------------------

_UNIT_PREFIX = (
    r"(?:в\s*/\s*ч|в\s*\.\s*ч\.?|вч|в-ч|"
    r"войсков(?:ая|ой|ую)\s+част(?:ь|и|ью)|військов(?:а|ої|у)\s+частин(?:а|и|у)|"
    r"military\s+unit|mil\.?\s*unit|unit|v\s*/\s*ch|vch|w\s*/\s*tsch|"
    r"part\s+no\.?)"
)
_UNIT_RE = re.compile(
    _UNIT_PREFIX + r"[\s\-:№#.]*(?:no\.?\s*)?([a-zа-яіїєґ])?[\s\-]?(\d{3,5})\b",
    re.IGNORECASE,
)
# NFKC turns "№" into "No".
_BARE_UNIT_RE = re.compile(r"^(?:№|no\.?)?\s*([a-zа-яіїєґ])?[\s\-]?(\d{3,5})$", re.IGNORECASE)
# Latin letters typed for the Cyrillic letter that prefixes Ukrainian unit numbers (A0123 -> А0123).
_UNIT_LETTER = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")


@lru_cache(maxsize=1 << 16)
def parse_unit(text: str | None) -> str | None:
    """The military unit number in a free-text unit field, normalised: "в/ч 12345", "войсковая часть
    12345", "ВЧ-12345", "military unit 12345" -> "12345"; "військова частина А1234", "в/ч A-1234"
    -> "А1234" (Cyrillic capital letter). A bare number ("12345", "А1234") is taken as the unit.
    None when the text is empty or names no unit number."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s:
        return None
    m = _UNIT_RE.search(s) or _BARE_UNIT_RE.match(s)
    if m is None:
        return None
    letter = (m[1] or "").upper().translate(_UNIT_LETTER)
    return letter + m[2]


# --------------------------------------------------------------------------------------------------
# Full names
# --------------------------------------------------------------------------------------------------

_DOTTED_RE = re.compile(r"[^.]+\.?")
_SURNAME_ENDINGS = (
    "ов", "ев", "ёв", "ин", "ын", "ова", "ева", "ёва", "ина", "ына", "ский", "ская", "цкий", "цкая",
    "енко", "ук", "юк", "чук", "ко", "ых", "их", "ий", "ой", "ова", "ov", "ev", "in", "ova", "eva",
    "ina", "sky", "skiy", "skyi", "skii", "enko", "uk", "yuk", "iuk", "chuk", "ow", "ew", "owa", "ewa",
)  # fmt: skip


def _tokens(text: str) -> list[str]:
    parts: list[str] = []
    for tok in re.split(r"[\s,;]+", text):
        tok = tok.strip()
        if not tok:
            continue
        pieces = _DOTTED_RE.findall(tok)
        if "." in tok and all(is_initial(p) for p in pieces):
            # "Ю.А.", "Yu.A.", "Yu.": initials. A one-letter one loses its dot; a Latin spelling of
            # one Cyrillic letter keeps it, because without the dot "Yu" reads as a name.
            parts.extend(p.rstrip(".") if len(p.rstrip(".")) == 1 else p for p in pieces)
        else:
            parts.append(tok.rstrip("."))
    return [p for p in parts if p]


def _is_given(tok: str) -> bool:
    return len(tok) > 1 and bool(given_name_candidates(tok))


def _is_patronymic(tok: str) -> bool:
    return len(tok) > 3 and patronymic_parts(tok) is not None and not _is_given(tok)


def _looks_surname(tok: str) -> bool:
    low = tok.lower()
    return len(low) > 3 and low.endswith(_SURNAME_ENDINGS) and not _is_given(tok)


def _is_initial(tok: str) -> bool:
    return is_initial(tok)


@lru_cache(maxsize=1 << 16)
def split_full_name(text: str | None) -> tuple[str, str, str]:
    """Split a full name into (last, first, patronymic), "" for a part that is absent.

    Handles "Фамилия Имя Отчество" (the usual order), "Имя Отчество Фамилия", "Имя Фамилия"
    ("Юра Щербаков", "Iurii Shcherbakov"), "SURNAME Given", "Фамилия, Имя", and initials
    ("Щербаков Ю.А.", "Ю. А. Щербаков", "Shcherbakov I."). Given names are recognised from the
    name-form table, patronymics by their suffixes."""
    if text is None or not str(text).strip():
        return ("", "", "")
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    comma_last = ""
    if "," in raw:
        head, _, tail = raw.partition(",")
        comma_last = head.strip()
        raw = tail
    toks = _tokens(raw)
    if comma_last:
        rest = toks
        first = next((t for t in rest if not _is_patronymic(t)), "")
        patr = next((t for t in rest if t != first), "")
        return (comma_last, first, patr)
    if not toks:
        return ("", "", "")
    if len(toks) == 1:
        return (toks[0], "", "") if not _is_given(toks[0]) else ("", toks[0], "")

    # Initials belong to the first name and patronymic, in order; the other token is the surname.
    initials = [t for t in toks if _is_initial(t)]
    words = [t for t in toks if not _is_initial(t)]
    if initials and words:
        not_given = [w for w in words if not _is_given(w)]
        last = not_given[0] if not_given else words[0]
        named = [w for w in words if w is not last] + initials
        return (last, named[0] if named else "", named[1] if len(named) > 1 else "")

    patr_idx = [i for i, t in enumerate(toks) if _is_patronymic(t)]
    if len(toks) >= 3 and patr_idx:
        p = patr_idx[-1]
        if p == len(toks) - 1:
            # Фамилия Имя Отчество (extra words join the surname: "Петров-Водкин" written with a space)
            return (" ".join(toks[: p - 1]), toks[p - 1], toks[p])
        if p == 1:
            # Имя Отчество Фамилия
            return (" ".join(toks[2:]), toks[0], toks[1])
    if len(toks) == 2:
        a, b = toks
        a_upper = a.isupper() and len(a) > 1 and not b.isupper()
        b_upper = b.isupper() and len(b) > 1 and not a.isupper()
        if a_upper:
            return (a, b, "")
        if b_upper:
            return (b, a, "")
        if _is_given(a) and not _is_given(b):
            return (b, a, "")
        if _is_given(b) and not _is_given(a):
            return (a, b, "")
        if _looks_surname(b) and not _looks_surname(a):
            return (b, a, "")
        # Latin-script lists written by foreign agencies put the given name first; Cyrillic lists the
        # surname first.
        if script_of(a + b) == "latin" and _looks_surname(b):
            return (b, a, "")
        return (a, b, "")
    # Three or more words with no recognisable patronymic: surname first unless the first word is a
    # known given name and the last is not.
    if _is_given(toks[0]) and not _is_given(toks[-1]):
        return (toks[-1], toks[0], " ".join(toks[1:-1]))
    return (toks[0], toks[1], " ".join(toks[2:]))
