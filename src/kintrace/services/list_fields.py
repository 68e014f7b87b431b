"""A list's columns and cells as entry fields: the mapping guessed from headers, dates as lists write
them, and a whole name split into its parts.

Headers come in Ukrainian, Russian and English, in capitals, with apostrophes of every kind and with
abbreviations ("р.н.", "В/ч"); dates as "05.03.1985", "5.3.1985", "1985", "1985 р.н.", "1985 г.р.",
"03.1985" or ISO. A date that cannot be read is an error for the caller to name with its row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from kintrace.domain.dates import EARLIEST_BIRTH_YEAR, PartialDate, PartialDateError
from kintrace.domain.lists import ENTRY_FIELDS

_APOSTROPHES = re.compile(r"['’ʼ`´‘]")
_PUNCT = re.compile(r"[^\w/ ]+")


def header_key(header: str) -> str:
    """A header folded for comparison: lower case, no apostrophes, punctuation as spaces."""
    text = _APOSTROPHES.sub("", header.casefold().replace("ё", "е"))
    return " ".join(_PUNCT.sub(" ", text).split())


# Exact header forms (after header_key) per field; the patterns below catch longer phrasings.
_EXACT: dict[str, tuple[str, ...]] = {
    "full_name": (
        "піб",
        "пиб",
        "фио",
        "full name",
        "full_name",
        "name",
        "прізвище імя по батькові",
        "фамилия имя отчество",
        "прізвище та імя",
        "особа",
    ),
    "last_name": ("прізвище", "фамилия", "surname", "last name", "last_name", "family name", "family_name"),
    "first_name": ("імя", "имя", "first name", "first_name", "given name", "given_name", "forename"),
    "patronymic": ("по батькові", "по батькови", "отчество", "patronymic", "middle name", "middle_name"),
    "birth_date": (
        "дата народження",
        "дата рождения",
        "р н",
        "г р",
        "рік народження",
        "год рождения",
        "date of birth",
        "date_of_birth",
        "birth date",
        "birth_date",
        "dob",
        "born",
    ),
    "birth_place": ("місце народження", "место рождения", "place of birth", "birth place", "birth_place"),
    "unit": (
        "в/ч",
        "в ч",
        "військова частина",
        "воинская часть",
        "часть",
        "частина",
        "підрозділ",
        "подразделение",
        "unit",
        "military unit",
    ),
    "service_number": ("особистий номер", "личный номер", "жетон", "service number", "service_number"),
    "rank": ("звання", "звание", "військове звання", "воинское звание", "rank"),
    "sex": ("стать", "пол", "sex", "gender"),
    "event_date": (
        "дата",
        "дата обміну",
        "дата обмена",
        "дата полону",
        "дата пленения",
        "дата смерті",
        "дата смерти",
        "date",
        "event date",
        "event_date",
        "source_date",
    ),
    "place": ("місце", "место", "place", "home_city", "location", "last_known_location"),
    "notes": (
        "примітка",
        "примітки",
        "примечание",
        "примечания",
        "коментар",
        "комментарий",
        "notes",
        "note",
        "description",
        "comment",
        "comments",
    ),
}
_EXACT_FIELD = {form: field for field, forms in _EXACT.items() for form in forms}

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(прізвище|фамилия).*(імя|имя)"), "full_name"),
    (re.compile(r"^(піб|фио)\b"), "full_name"),
    (re.compile(r"місце народж|место рожд|place of birth"), "birth_place"),
    (re.compile(r"народж|рожд|\bр н\b|\bг р\b|birth"), "birth_date"),
    (re.compile(r"прізвищ|фамил|surname"), "last_name"),
    (re.compile(r"батьков|отчеств"), "patronymic"),
    (re.compile(r"^(імя|имя)\b"), "first_name"),
    (re.compile(r"військова част|воинская част|в/ч|\bunit\b"), "unit"),
    (re.compile(r"звання|звание|\brank\b"), "rank"),
    (re.compile(r"номер жетон|особ\w* номер|личн\w* номер"), "service_number"),
    (re.compile(r"^дата\b"), "event_date"),
    (re.compile(r"примітк|примечан|коментар|коммент"), "notes"),
)


def guess_field(header: str) -> str | None:
    key = header_key(header)
    if key in _EXACT_FIELD:
        return _EXACT_FIELD[key]
    for pattern, field in _PATTERNS:
        if pattern.search(key):
            return field
    return None


def guess_mapping(headers: Iterable[str]) -> dict[str, str]:
    """Header -> entry field for the headers recognised; each field taken by its first column only."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = guess_field(header)
        if field is not None and field not in taken:
            mapping[header] = field
            taken.add(field)
    if "full_name" in taken and "last_name" in taken:
        # Separate name columns win: a "Name" column beside "Surname" is the given name.
        full = next(h for h, f in mapping.items() if f == "full_name")
        if "first_name" in taken:
            del mapping[full]
        else:
            mapping[full] = "first_name"
    assert set(mapping.values()) <= set(ENTRY_FIELDS)
    return mapping


# --- dates -----------------------------------------------------------------------------------------

_YEAR_SUFFIX = re.compile(
    r"\s*(р\.?\s*н\.?|г\.?\s*р\.?|року народження|года рождения|року|года|рік|год|р\.|г\.|y\.?o\.?b\.?)\s*$",
    re.IGNORECASE,
)
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[./-](\d{4})$")
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2})?$")


def parse_list_date(text: str) -> PartialDate | None:
    """A date as lists write it, known to the day, month or year; None for an empty cell.

    PartialDateError for anything else (the caller names the row and the column)."""
    value = " ".join(text.split())
    if not value:
        return None
    value = _YEAR_SUFFIX.sub("", value) or value
    iso_time = _ISO_TIME.match(value)
    if iso_time:
        value = iso_time.group(1)
    if match := _DMY.match(value):
        day, month, year = (int(part) for part in match.groups())
        return PartialDate(year, month, day)
    if match := _MY.match(value):
        month, year = (int(part) for part in match.groups())
        return PartialDate(year, month)
    return PartialDate.parse(value)  # YYYY, YYYY-MM, YYYY-MM-DD, or PartialDateError


def check_birth_date(date: PartialDate, today: dt.date | None = None) -> None:
    """A birth date the registry can believe: not before 1850, not in the future."""
    today = today or dt.date.today()
    if date.year < EARLIEST_BIRTH_YEAR:
        raise PartialDateError(f"{date} is before {EARLIEST_BIRTH_YEAR}")
    if date.earliest > today:
        raise PartialDateError(f"{date} is in the future")


# --- names -----------------------------------------------------------------------------------------

_PATRONYMIC = re.compile(
    r"(ович|евич|єв\w*ич|івич|ьович|йович|ич|івна|ївна|овна|евна|ична|інічна|ovych|evych|ovich|evich"
    r"|ivna|ovna|evna|ichna|ych|ich)$",
    re.IGNORECASE,
)


def looks_patronymic(word: str) -> bool:
    return len(word) > 4 and bool(_PATRONYMIC.search(word.rstrip(".")))


def split_full_name(full_name: str) -> tuple[str | None, str | None, str | None]:
    """(last, first, patronymic) from one name cell.

    Lists write "Прізвище Ім'я По-батькові"; some write "Ім'я По-батькові Прізвище", recognised when the
    second word is a patronymic and the third is not. Two words are surname and given name; a double
    surname before a given name and patronymic stays whole ("Сидоренко-Коваль Іван Петрович")."""
    words = full_name.replace(",", " ").split()
    if not words:
        return None, None, None
    if len(words) == 1:
        return words[0], None, None
    if len(words) == 2:
        return words[0], words[1], None
    if len(words) == 3 and looks_patronymic(words[1]) and not looks_patronymic(words[2]):
        return words[2], words[0], words[1]
    if looks_patronymic(words[-1]):
        return " ".join(words[:-2]), words[-2], words[-1]
    return words[0], words[1], " ".join(words[2:])
