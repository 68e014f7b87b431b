"""Russian and Ukrainian forms of given names and patronymics, mapped to one canonical key.

The table `data/given_names.csv` lists, per name, its Russian and Ukrainian full forms, other spellings
(church and popular Latin forms) and diminutives. Patronymics are derived from the male rows by the
Russian and Ukrainian rules (see `russian_patronymics`, `ukrainian_patronymics`), plus the irregular
forms the table lists. Every form is indexed by its `name_key` and by the name_key of its
transliteration under every standard, so a Latin spelling of a form finds the same canonical key.

Diminutives shared by several names (Саша: Александр/Александра, Слава: Вячеслав/Ярослав/...) resolve to
the first row of the table that has them (male rows come first: the lists this engine reads are mostly
of men) unless `sex` is given; `given_name_candidates` returns every reading.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from kintrace.linkage.names.keys import name_key, phonetic_key
from kintrace.linkage.names.translit import STANDARDS, transliterate

Sex = Literal["m", "f"]

_RU_VOWELS = "аеёиоуыэюя"


@dataclass(frozen=True)
class GivenName:
    canonical: str
    sex: Sex
    russian: tuple[str, ...]
    ukrainian: tuple[str, ...]
    other: tuple[str, ...]
    diminutives: tuple[str, ...]
    patronymics: tuple[str, ...]

    @property
    def full_forms(self) -> tuple[str, ...]:
        return self.russian + self.ukrainian + self.other


def _split(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in cell.split("|") if v.strip())


@lru_cache(maxsize=1)
def given_names() -> tuple[GivenName, ...]:
    """The rows of data/given_names.csv, in file order."""
    text = resources.files("kintrace.linkage.names").joinpath("data/given_names.csv").read_text("utf-8")
    rows: list[GivenName] = []
    for lineno, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        sex = row["sex"]
        if sex not in ("m", "f") or not row["canonical"]:
            raise ValueError(f"given_names.csv line {lineno}: bad canonical/sex {row!r}")
        rows.append(
            GivenName(
                canonical=row["canonical"],
                sex="m" if sex == "m" else "f",
                russian=_split(row["ru"]),
                ukrainian=_split(row["uk"]),
                other=_split(row["other"]),
                diminutives=_split(row["diminutives"]),
                patronymics=_split(row["patronymics"]),
            )
        )
    return tuple(rows)


# --------------------------------------------------------------------------------------------------
# Patronymic rules
# --------------------------------------------------------------------------------------------------


def russian_patronymics(name: str) -> tuple[list[str], list[str]]:
    """(male, female) patronymics of a Russian male name by the regular rules:
    consonant: +ович/+овна (Иван); hushing or ц: +евич/+евна; -ь: -евич (Игорь);
    vowel+й: -евич (Алексей, Николай); -ий: -ьевич and the older -иевич (Юрий, Дмитрий);
    -а/-я: -ич/-ична and -инична (Никита, Кузьма, Илья)."""
    n = name.lower().replace("ё", "е")
    if n.endswith("ий"):
        stem = n[:-2]
        return [stem + "ьевич", stem + "иевич"], [stem + "ьевна", stem + "иевна"]
    if n.endswith("й") and len(n) > 1 and n[-2] in _RU_VOWELS:
        stem = n[:-1]
        return [stem + "евич"], [stem + "евна"]
    if n.endswith("ь"):
        stem = n[:-1]
        return [stem + "евич"], [stem + "евна"]
    if n.endswith(("а", "я")):
        stem = n[:-1]
        if n.endswith("я") and not stem.endswith(("ь", "и")):
            stem += "ь"
        return [stem + "ич"], [stem + "ична", stem + "инична"]
    if n[-1] in "жшчщц":
        return [n + "евич"], [n + "евна"]
    if n[-1] in _RU_VOWELS:
        return [], []
    return [n + "ович"], [n + "овна"]


def ukrainian_patronymics(name: str) -> tuple[list[str], list[str]]:
    """(male, female) patronymics of a Ukrainian male name by the regular rules:
    consonant: +ович/+івна (Іван, Тарас); -о: -ович/-івна (Петро, Дмитро); -ь: +ович, -івна (Василь);
    vowel+й: +ович, -ївна (Сергій, Андрій); -а/-я: -ович or -ич, -івна (Микита, Кузьма)."""
    n = name.lower()
    if n.endswith("й") and len(n) > 1:
        return [n + "ович"], [n[:-1] + "ївна"]
    if n.endswith("ь"):
        return [n + "ович"], [n[:-1] + "івна"]
    if n.endswith("о"):
        stem = n[:-1]
        return [stem + "ович"], [stem + "івна"]
    if n.endswith(("а", "я")):
        stem = n[:-1]
        return [stem + "ович", stem + "ич"], [stem + "івна"]
    return [n + "ович"], [n + "івна"]


# --------------------------------------------------------------------------------------------------
# Indexes
# --------------------------------------------------------------------------------------------------


def _keys_of(form: str) -> set[str]:
    keys = {name_key(form)}
    for std in STANDARDS:
        keys.add(name_key(transliterate(form, std)))
    keys.discard("")
    return keys


def _add(index: dict[str, list[tuple[str, Sex]]], form: str, value: tuple[str, Sex]) -> None:
    for key in _keys_of(form):
        bucket = index.setdefault(key, [])
        if value not in bucket:
            bucket.append(value)


@lru_cache(maxsize=1)
def _given_index() -> dict[str, list[tuple[str, Sex]]]:
    index: dict[str, list[tuple[str, Sex]]] = {}
    # Full forms first, diminutives after: a diminutive never outranks a name that is a full form
    # in its own right (Нина, Дина, Ника).
    for row in given_names():
        for form in row.full_forms:
            _add(index, form, (row.canonical, row.sex))
    for row in given_names():
        for form in row.diminutives:
            _add(index, form, (row.canonical, row.sex))
    return index


@lru_cache(maxsize=1)
def _given_phonetic_index() -> dict[str, list[tuple[str, Sex]]]:
    index: dict[str, list[tuple[str, Sex]]] = {}
    for row in given_names():
        for form in row.full_forms:
            bucket = index.setdefault(phonetic_key(form), [])
            if (row.canonical, row.sex) not in bucket:
                bucket.append((row.canonical, row.sex))
    return index


def _patronymic_forms(row: GivenName) -> tuple[list[str], list[str]]:
    male: list[str] = []
    female: list[str] = []
    for form in row.russian:
        m, f = russian_patronymics(form)
        male += m
        female += f
    for form in row.ukrainian:
        m, f = ukrainian_patronymics(form)
        male += m
        female += f
    for form in row.patronymics:
        (female if form.lower().endswith("на") else male).append(form)
    return male, female


@lru_cache(maxsize=1)
def _patronymic_index() -> dict[str, list[tuple[str, Sex]]]:
    index: dict[str, list[tuple[str, Sex]]] = {}
    for row in given_names():
        if row.sex != "m":
            continue
        male, female = _patronymic_forms(row)
        for form in male:
            _add(index, form, (row.canonical, "m"))
        for form in female:
            _add(index, form, (row.canonical, "f"))
    return index


def _pick(cands: list[tuple[str, Sex]], sex: Sex | None) -> tuple[str, Sex]:
    if sex is not None:
        for cand in cands:
            if cand[1] == sex:
                return cand
    return cands[0]


@lru_cache(maxsize=1 << 16)
def given_name_candidates(text: str | None) -> tuple[tuple[str, Sex], ...]:
    """Every (canonical, sex) the table gives for a given name or diminutive, most likely first;
    empty when the name is not in the table."""
    key = name_key(text)
    if not key:
        return ()
    found = _given_index().get(key)
    if found:
        return tuple(found)
    return tuple(_given_phonetic_index().get(phonetic_key(text), ()))


@lru_cache(maxsize=1 << 16)
def canonical_given_name(text: str | None, sex: Sex | None = None) -> str:
    """One canonical key for a given name in any of its forms, scripts and diminutives
    (Сергей/Сергій/Serhii/Sergey -> "sergei"; Саша/Шура/Alexander/Oleksandr -> "aleksandr").
    A name the table does not know falls back to its name_key; "" for empty input."""
    cands = given_name_candidates(text)
    if cands:
        return _pick(list(cands), sex)[0]
    return name_key(text)


@lru_cache(maxsize=1 << 16)
def given_name_sex(text: str | None) -> Sex | None:
    """The sex the table gives a given name, or None when unknown or used by both sexes."""
    sexes = {s for _, s in given_name_candidates(text)}
    return next(iter(sexes)) if len(sexes) == 1 else None


# Patronymic suffixes as they come out of name_key (ович -> "oviq", івна -> "ivna", ...), for names the
# table does not know; longest first.
_KEY_SUFFIXES: tuple[tuple[str, Sex], ...] = (
    ("iniqna", "f"),
    ("oviq", "m"),
    ("eviq", "m"),
    ("ovna", "f"),
    ("evna", "f"),
    ("ivna", "f"),
    ("iqna", "f"),
    ("iq", "m"),
)


@lru_cache(maxsize=1 << 16)
def patronymic_parts(text: str | None) -> tuple[str, Sex] | None:
    """(father's canonical given name, sex of the bearer) for a patronymic, or None when it is not
    recognisably one. Unknown fathers' names are cut at the patronymic suffix and keyed phonetically,
    so Ukrainian and Russian forms of one unknown name still agree."""
    key = name_key(text)
    if not key:
        return None
    found = _patronymic_index().get(key)
    if found:
        return found[0]
    for suffix, sex in _KEY_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            stem = key[: -len(suffix)]
            return phonetic_key(stem).rstrip("i"), sex
    return None


@lru_cache(maxsize=1 << 16)
def canonical_patronymic(text: str | None) -> str:
    """One canonical key for a patronymic in Russian, Ukrainian or any transliteration:
    "<father's canonical name>_<m|f>" (Алексеевич/Олексійович/Alekseevich/Oleksiiovych -> "aleksei_m",
    Алексеевна/Олексіївна -> "aleksei_f"). Not recognisable as a patronymic: its name_key; "" for
    empty input."""
    parts = patronymic_parts(text)
    if parts is None:
        return name_key(text)
    return f"{parts[0]}_{parts[1]}"
