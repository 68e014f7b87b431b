"""The missing person as the registry records them: names as written at home, service details, looks.

All records are frozen dataclasses that validate themselves on construction and raise `InvalidValue`
naming the field, so a bad value is refused where it enters, whichever door it came through.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from kintrace.domain.dates import EARLIEST_BIRTH_YEAR, PartialDate
from kintrace.domain.errors import DomainError, InvalidValue
from kintrace.domain.text import normalised, without_stress_marks
from kintrace.domain.vocabulary import Sex


class Script(StrEnum):
    """ISO 15924 code of the script a name is written in."""

    CYRILLIC = "Cyrl"
    LATIN = "Latn"


# Letters of a name plus what real names contain: hyphen (Мамин-Сибиряк), Ukrainian apostrophe in its
# three common encodings (Мар'яна, Марʼяна, Мар’яна), space (Де ла Крус) and a dot for initials.
_NAME_PUNCTUATION = frozenset("-'ʼ’ .")
_MAX_NAME_LENGTH = 100


@functools.lru_cache(maxsize=4096)
def _letter_script(char: str) -> Script | None:
    name = unicodedata.name(char, "")
    if name.startswith("CYRILLIC"):
        return Script.CYRILLIC
    if name.startswith("LATIN"):
        return Script.LATIN
    return None


def detect_script(text: str) -> Script | None:
    """The script of the letters in `text`, or None when it has no letters or mixes scripts."""
    scripts = set()
    for char in text:
        if not char.isalpha() or char in _NAME_PUNCTUATION:  # ʼ (U+02BC) counts as a letter
            continue
        script = _letter_script(char)
        if script is None:
            return None
        scripts.add(script)
    return scripts.pop() if len(scripts) == 1 else None


def _check_name_part(value: str | None, field_name: str, script: Script, *, required: bool) -> None:
    if value is None or not value.strip():
        if required:
            raise InvalidValue("must not be empty", field=field_name)
        if value is not None:
            raise InvalidValue("leave it out (None) rather than blank", field=field_name)
        return
    if value != value.strip():
        raise InvalidValue(f"{value!r} has spaces at its ends", field=field_name)
    if len(value) > _MAX_NAME_LENGTH:
        raise InvalidValue(f"is longer than {_MAX_NAME_LENGTH} characters", field=field_name)
    bad = sorted({c for c in value if not c.isalpha() and c not in _NAME_PUNCTUATION})
    if bad:
        raise InvalidValue(
            f"{value!r} contains characters a name cannot hold: {''.join(bad)!r}", field=field_name
        )
    found = detect_script(value)
    if found is not script:
        # A Latin "a" typed inside a Cyrillic name is the commonest source of missed duplicates.
        raise InvalidValue(
            f"{value!r} is not written in the declared script {script.value}", field=field_name
        )


@dataclass(frozen=True)
class PersonName:
    """One spelling of a person's name: last, first and (for Russian and Ukrainian names) patronymic."""

    last: str
    first: str
    patronymic: str | None = None
    script: Script = Script.CYRILLIC

    def __post_init__(self) -> None:
        try:
            script = Script(self.script)
        except ValueError:
            raise InvalidValue(
                f"{self.script!r} is not a known script (use {', '.join(s.value for s in Script)})",
                field="script",
            ) from None
        object.__setattr__(self, "script", script)
        # Decomposed letters and stress marks (a phone keyboard sends them) become the stored form.
        for part in ("last", "first", "patronymic"):
            value = getattr(self, part)
            if isinstance(value, str):
                object.__setattr__(self, part, without_stress_marks(normalised(value, part)))
        _check_name_part(self.last, "last", script, required=True)
        _check_name_part(self.first, "first", script, required=True)
        _check_name_part(self.patronymic, "patronymic", script, required=False)

    @classmethod
    def of(cls, last: str, first: str, patronymic: str | None = None) -> PersonName:
        """A name whose script is read from its letters."""
        script = detect_script(f"{last}{first}{patronymic or ''}")
        if script is None:
            raise InvalidValue(
                f"cannot tell the script of {last} {first} {patronymic or ''}".strip(), field="script"
            )
        return cls(last, first, patronymic, script)

    @property
    def full(self) -> str:
        return " ".join(part for part in (self.last, self.first, self.patronymic) if part)

    def __str__(self) -> str:
        return self.full


@dataclass(frozen=True)
class PhysicalDescription:
    """What a searcher or a forensic team can check a candidate against."""

    height_cm: int | None = None
    build: str | None = None
    hair: str | None = None
    eyes: str | None = None
    distinguishing_marks: str | None = None  # scars, tattoos, birthmarks, amputations
    dental_notes: str | None = None  # crowns, implants, missing teeth: decisive for remains

    def __post_init__(self) -> None:
        if self.height_cm is not None and not 50 <= self.height_cm <= 250:
            raise InvalidValue(f"{self.height_cm} cm is not a human height (50-250)", field="height_cm")
        for name in ("build", "hair", "eyes", "distinguishing_marks", "dental_notes"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise InvalidValue("leave it out (None) rather than blank", field=name)

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class LastSeen:
    """When and where the person was last seen, as precisely as anyone knows."""

    date: PartialDate | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    circumstances: str | None = None

    def __post_init__(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise InvalidValue("coordinates need both latitude and longitude", field=missing)
        if self.latitude is not None and not -90.0 <= self.latitude <= 90.0:
            raise InvalidValue(f"latitude {self.latitude} is outside -90..90", field="latitude")
        if self.longitude is not None and not -180.0 <= self.longitude <= 180.0:
            raise InvalidValue(f"longitude {self.longitude} is outside -180..180", field="longitude")
        if self.place is not None and not self.place.strip():
            raise InvalidValue("leave it out (None) rather than blank", field="place")


# "в/ч 12345" (Russian and Soviet-style five-digit numbers) and "в/ч А1234" (Ukrainian: a letter and
# four digits). The prefix may be spelt out, abbreviated, or absent.
_UNIT_PREFIX = re.compile(
    r"^\s*(?:в\s*/\s*ч|в\.\s*ч\.?|вч|войсковая\s+часть|військова\s+частина|military\s+unit|v\s*/\s*ch)"
    r"\.?\s*(?:№\s*)?",
    re.IGNORECASE,
)
_UNIT_CODE = re.compile(r"^(?:(\d{5})|([АВAB])\s*-?\s*(\d{4}))$", re.IGNORECASE)
_LATIN_TO_CYRILLIC_UNIT_LETTER = {"A": "А", "B": "В"}


def parse_unit(text: str | None) -> str | None:
    """The unit number from how people write it: "в/ч 12345" -> "12345", "в/ч А1234" -> "А1234".

    Blank gives None (unit unknown). Anything else that is not a unit number raises InvalidValue on
    field "unit". A Latin A/B typed for the Cyrillic letter is folded to Cyrillic so the same unit
    always has one spelling.
    """
    if text is None or not text.strip():
        return None
    rest = _UNIT_PREFIX.sub("", text, count=1).strip()
    match = _UNIT_CODE.match(rest)
    if match is None:
        raise InvalidValue(
            f"{text!r} is not a military unit number (expected e.g. 'в/ч 12345' or 'в/ч А1234')", field="unit"
        )
    digits5, letter, digits4 = match.groups()
    if digits5:
        return str(digits5)
    upper = letter.upper()
    return _LATIN_TO_CYRILLIC_UNIT_LETTER.get(upper, upper) + digits4


_CITIZENSHIP = re.compile(r"^[A-Z]{2}$")
_SERVICE_NUMBER = re.compile(r"^[0-9A-Za-zА-ЯЁЇІЄҐа-яёїієґ][0-9A-Za-zА-ЯЁЇІЄҐа-яёїієґ /-]{0,29}$")


@dataclass(frozen=True)
class MissingPerson:
    """Everything the registry holds about who the person is (not what happened to them)."""

    name: PersonName
    sex: Sex = Sex.UNKNOWN
    alternative_names: tuple[PersonName, ...] = ()  # transliterations, maiden names, misspellings in lists
    birth_date: PartialDate | None = None
    birth_place: str | None = None
    citizenship: str | None = None  # ISO 3166-1 alpha-2, e.g. "UA", "RU"
    service_number: str | None = None  # личный номер / особовий номер
    rank: str | None = None
    unit: str | None = None  # the number only, as `parse_unit` gives it
    branch: str | None = None
    description: PhysicalDescription = field(default_factory=PhysicalDescription)
    last_seen: LastSeen = field(default_factory=LastSeen)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "sex", Sex(self.sex))
        except ValueError:
            raise InvalidValue(f"{self.sex!r} is not one of {', '.join(Sex)}", field="sex") from None
        object.__setattr__(self, "alternative_names", tuple(self.alternative_names))
        if self.name in self.alternative_names:
            raise InvalidValue("repeats the main name", field="alternative_names")
        if len(set(self.alternative_names)) != len(self.alternative_names):
            raise InvalidValue("lists the same spelling twice", field="alternative_names")
        if self.citizenship is not None and not _CITIZENSHIP.match(self.citizenship):
            raise InvalidValue(
                f"{self.citizenship!r} is not an ISO 3166-1 alpha-2 code such as 'UA'", field="citizenship"
            )
        if self.service_number is not None and not _SERVICE_NUMBER.match(self.service_number):
            raise InvalidValue(f"{self.service_number!r} is not a service number", field="service_number")
        if self.unit is not None:
            try:
                canonical = parse_unit(self.unit)
            except DomainError as error:
                raise InvalidValue(error.message, field="unit") from None
            object.__setattr__(self, "unit", canonical)
        for name in ("birth_place", "rank", "branch"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise InvalidValue("leave it out (None) rather than blank", field=name)
        seen = self.last_seen.date
        today = dt.date.today()
        if self.birth_date is not None:
            if self.birth_date.year < EARLIEST_BIRTH_YEAR:
                raise InvalidValue(f"{self.birth_date} is before {EARLIEST_BIRTH_YEAR}", field="birth_date")
            if self.birth_date.earliest > today:
                raise InvalidValue(f"{self.birth_date} is in the future", field="birth_date")
        if seen is not None and seen.earliest > today:
            raise InvalidValue(f"{seen} is in the future", field="last_seen.date")
        if self.birth_date is not None and seen is not None and seen.certainly_before(self.birth_date):
            raise InvalidValue(
                f"last seen {seen} is before the birth date {self.birth_date}", field="last_seen.date"
            )

    @property
    def all_names(self) -> tuple[PersonName, ...]:
        return (self.name, *self.alternative_names)
