"""The columns Splink compares, computed in Python before Splink so both engines see identical inputs.

Every name rule lives in `kintrace.linkage.names` / `kintrace.linkage.fields`; this module applies
them column-wise, once per distinct string (lists repeat the same surnames and given names endlessly,
so mapping over distinct values is what keeps millions of rows fast). `FeatureRules` switches single
rules off so the synthetic benchmark can measure what each one is worth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from kintrace.linkage.extras import Extra, add_extra_features, extras_for
from kintrace.linkage.fields import parse_unit
from kintrace.linkage.names.forms import (
    canonical_given_name,
    canonical_patronymic,
    given_name_candidates,
    given_names,
)
from kintrace.linkage.names.keys import name_key, phonetic_key
from kintrace.linkage.names.normalise import normalise
from kintrace.linkage.names.translit import is_initial

# The birth date columns, in the order `_date_columns` returns them.
DATE_COLUMNS = (
    "birth_date",
    "birth_date_swapped",
    "birth_ym",
    "birth_ym_swapped",
    "birth_year",
    "birth_md",
)

# Columns handed to Splink, in order. Strings or NULL only: the same types on DuckDB and Spark.
FEATURE_COLUMNS = (
    "unique_id",
    "last_key",
    "last_initial",
    "last_phon",
    "first_key",
    "first_canon",
    "first_initial",
    "first_initials",
    "first_is_initial",
    "patr_key",
    "patr_canon",
    "patr_initial",
    "patr_initials",
    "patr_is_initial",
    "last_first_initial",
    "initial_key",
    *DATE_COLUMNS,
    "unit",
)


@dataclass(frozen=True)
class FeatureRules:
    """Which name and field rules are on. All on is the model; the ablation turns one off at a time."""

    cross_script_keys: bool = True  # name_key: one skeleton for Cyrillic and every transliteration
    given_name_forms: bool = True  # Ru/Uk forms and diminutives of given names to one canonical key
    patronymic_forms: bool = True  # Ru/Uk forms of patronymics to one key
    phonetic_key: bool = True  # the coarse surname key (blocking and a comparison level)
    date_tolerance: bool = True  # day/month swaps and partial dates as their own evidence
    swapped_names: bool = True  # first and last name written the other way round
    units: bool = True  # unit numbers parsed from "в/ч 12345" and friends
    typo_correction: bool = True  # a rare spelling one typo from a common one blocks as that one

    def without(self, rule: str) -> FeatureRules:
        if rule not in self.names():
            raise ValueError(f"unknown feature rule {rule!r}; known: {self.names()}")
        return replace(self, **{rule: False})

    @staticmethod
    def names() -> list[str]:
        return [f.name for f in fields(FeatureRules)]


ALL_RULES = FeatureRules()


def _map_distinct(values: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    distinct = values.unique()
    table = {v: fn(v) for v in distinct}
    return values.map(table)


def _blank_to_none(value: str | None) -> str | None:
    return value if value else None


def _plain_key(text: str) -> str | None:
    """Without cross-script keys a name is only normalised: Cyrillic and Latin never meet."""
    return _blank_to_none(normalise(text).replace(" ", "").replace("-", ""))


@lru_cache(maxsize=1)
def _initials_by_canonical() -> dict[str, str]:
    """Canonical given name -> the initials its written forms start with, as name keys: one man is
    "А." in a Russian list and "О." in a Ukrainian one (Александр/Олександр, Алексеевич/Олексійович)."""
    out: dict[str, str] = {}
    for row in given_names():
        letters = {name_key(form)[:1] for form in row.full_forms} - {""}
        out[row.canonical] = "".join(sorted(letters | set(out.get(row.canonical, ""))))
    return out


def _initials(canon: pd.Series, initial: pd.Series, cross_language: bool) -> pd.Series:
    """Every initial a full name may be abbreviated to (a lone initial: just itself)."""
    if not cross_language:
        return initial
    table = _initials_by_canonical()
    known = _map_distinct(canon.fillna(""), lambda c: table.get(c.split("_")[0]) if c else None)
    return known.where(known.notna(), initial)


def _given_like(text: str) -> bool:
    return is_initial(text) or bool(given_name_candidates(text))


def _orient(last: pd.Series, first: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Swap first and last name where the surname column holds a given name or an initial and the
    given-name column holds something that is not one ("Юра / Бурлишин", "A. / MICHAJLOW")."""
    last_given = _map_distinct(last, lambda t: bool(t) and _given_like(t)).astype(bool)
    first_given = _map_distinct(first, lambda t: not t or _given_like(t)).astype(bool)
    swap = last_given & ~first_given
    return last.where(~swap, first), first.where(~swap, last)


def build_features(
    records: pd.DataFrame, rules: FeatureRules = ALL_RULES, extras: Sequence[Extra] | None = None
) -> pd.DataFrame:
    """Turn records (as `io.read_records` returns them) into the Splink input frame.

    `extras` are the identifying columns beyond names, dates and units to compare (`extras`); by
    default every recognised one the records carry."""
    key: Callable[[str], str | None] = (
        (lambda t: _blank_to_none(name_key(t))) if rules.cross_script_keys else _plain_key
    )
    out = pd.DataFrame(index=records.index)
    out["unique_id"] = records["record_id"].astype(str)

    last = records["last_name"].fillna("").astype(str)
    first = records["first_name"].fillna("").astype(str)
    patr = records["patronymic"].fillna("").astype(str)
    if rules.swapped_names:
        last, first = _orient(last, first)

    out["last_key"] = _map_distinct(last, key)
    out["last_initial"] = out["last_key"].str[:1]
    out["last_phon"] = (
        _map_distinct(last, lambda t: _blank_to_none(phonetic_key(t))) if rules.phonetic_key else None
    )
    out["first_key"] = _map_distinct(first, key)
    if rules.given_name_forms:
        out["first_canon"] = _map_distinct(first, lambda t: _blank_to_none(canonical_given_name(t)))
    else:
        out["first_canon"] = out["first_key"]
    first_is_initial = _map_distinct(first, lambda t: "1" if is_initial(t) else "0")
    out["first_is_initial"] = first_is_initial
    out["first_initial"] = out["first_key"].str[:1]
    # An initial is not a name: it may only meet other names through the initial level.
    out["first_initials"] = _initials(out["first_canon"], out["first_initial"], rules.given_name_forms)
    out.loc[first_is_initial == "1", ["first_canon", "first_key"]] = None

    out["patr_key"] = _map_distinct(patr, key)
    if rules.patronymic_forms:
        out["patr_canon"] = _map_distinct(patr, lambda t: _blank_to_none(canonical_patronymic(t)))
    else:
        out["patr_canon"] = out["patr_key"]
    patr_is_initial = _map_distinct(patr, lambda t: "1" if is_initial(t) else "0")
    out["patr_is_initial"] = patr_is_initial
    out["patr_initial"] = out["patr_key"].str[:1]
    out["patr_initials"] = _initials(out["patr_canon"], out["patr_initial"], rules.patronymic_forms)
    out.loc[patr_is_initial == "1", ["patr_canon", "patr_key"]] = None

    # Blocking keys for lists that give only an initial: surname and initial, and the same only where
    # the given name is an initial, so that two full names sharing a first letter never meet.
    out["last_first_initial"] = out["last_key"] + "|" + out["first_initial"]
    out["initial_key"] = out["last_first_initial"].where(first_is_initial == "1")

    _add_dates(out, records, rules)
    if rules.units:
        units = records["unit"].fillna("").astype(str)
        out["unit"] = _map_distinct(units, lambda t: _blank_to_none(parse_unit(t) if t else None))
    else:
        out["unit"] = None
    for column in FEATURE_COLUMNS:
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    chosen = extras_for(records.columns) if extras is None else tuple(extras)
    add_extra_features(out, records, chosen)
    for extra in chosen:
        out[extra.feature] = out[extra.feature].where(out[extra.feature].notna(), None)
    return out[[*FEATURE_COLUMNS, *(e.feature for e in chosen)]]


def _add_dates(out: pd.DataFrame, records: pd.DataFrame, rules: FeatureRules) -> None:
    # A list holds a few thousand distinct dates among millions of rows: each column is written once
    # per distinct (year, month, day) and then taken row by row.
    parts = [records[c].astype("Int64").fillna(0).to_numpy(dtype=np.int64) for c in DATE_PARTS]
    distinct, row_of = np.unique(parts[0] * 10_000 + parts[1] * 100 + parts[2], return_inverse=True)
    columns = _date_columns if rules.date_tolerance else _exact_date_columns
    table = [columns(int(v) // 10_000, int(v) // 100 % 100, int(v) % 100) for v in distinct]
    for i, name in enumerate(DATE_COLUMNS):
        values = np.array([row[i] for row in table], dtype=object)
        out[name] = pd.Series(values[row_of.reshape(-1)], index=out.index, dtype=object)


DATE_PARTS = ("birth_year", "birth_month", "birth_day")
_DateRow = tuple[str | None, str | None, str | None, str | None, str | None, str | None]


def _date_columns(year: int, month: int, day: int) -> _DateRow:
    """The date columns for one date; 0 is a part the record does not give."""
    y = f"{year:04d}" if year else None
    m = f"{month:02d}" if month else None
    d = f"{day:02d}" if day else None
    full = f"{y}-{m}-{d}" if y and m and d else None
    # Only a day that could be a month gives a distinct swapped reading ("1986-11" against
    # "11.02.1986" is the swap read against a partial date).
    swappable = bool(y and m and d and day <= 12 and day != month)
    return (
        full,
        f"{y}-{d}-{m}" if swappable else None,
        f"{y}-{m}" if y and m else None,
        f"{y}-{d}" if swappable else None,
        y,
        # Day and month without the year: a year written from the man's age, or misread, is off by
        # one while the birthday itself is right.
        f"{m}-{d}" if m and d else None,
    )


def _exact_date_columns(year: int, month: int, day: int) -> _DateRow:
    """Without tolerance a date is all or nothing: partial dates and swaps carry no evidence."""
    full = _date_columns(year, month, day)[0]
    return (full, None, None, None, f"{year:04d}" if full else None, None)
