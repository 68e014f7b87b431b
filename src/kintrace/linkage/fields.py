"""Non-name fields for record linkage: partial birth dates and military unit numbers."""

from __future__ import annotations

import calendar
import re
import unicodedata
from functools import lru_cache

PartialDate = tuple[int, int | None, int | None]


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
