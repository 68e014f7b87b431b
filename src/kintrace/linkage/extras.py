"""Identifying columns beyond names, birth date and unit.

Prisoner-of-war lists and registries carry more than a name: the Third Geneva Convention asks for
rank, service number, date and place of birth, the father's given name and the mother's maiden name.
These columns are recognised by name and used when both inputs give them:

- `service_number`: exact, or one typo apart (letters folded across scripts, spaces and dashes
  dropped: "АВ-123456" = "AB 123456");
- `place_of_birth`: the same cross-script key as surnames (transliteration rules of the names), exact
  with term frequencies (a village means more than Kyiv), or similar;
- `sex`, `rank`: categories, exact with term frequencies;
- `father_name`: a given name (forms and diminutives fold onto one), exact with term frequencies;
- `mother_name`: a surname-like key, exact with term frequencies, or similar.

Any other column can be asked for as `COLUMN:KIND` (`--extra`), with KIND `exact`, `category` (exact
with term frequencies) or `text` (lower-cased, exact or similar by Jaro-Winkler). Every comparison
runs unchanged on DuckDB and Spark (only equality, Jaro-Winkler and Damerau-Levenshtein).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator

from kintrace.linkage.names.forms import canonical_given_name
from kintrace.linkage.names.keys import name_key

KINDS = ("exact", "category", "text")
# Recognised columns and how each is compared.
RECOGNISED: dict[str, str] = {
    "service_number": "service_number",
    "place_of_birth": "place",
    "sex": "sex",
    "rank": "category",
    "father_name": "given_name",
    "mother_name": "surname",
}
PREFIX = "x_"
# Column names kintrace itself uses: an extra column may not take one.
_RESERVED = {"record_id", "last_name", "first_name", "patronymic", "birth_date", "unit"}


@dataclass(frozen=True)
class Extra:
    """One extra column and how it is compared."""

    column: str
    kind: str

    @property
    def feature(self) -> str:
        return PREFIX + self.column


def parse_extra(text: str) -> Extra:
    """`COLUMN:KIND` as given to `--extra`."""
    column, sep, kind = text.partition(":")
    column, kind = column.strip().lower(), kind.strip().lower()
    if not sep or not column or kind not in KINDS:
        raise ValueError(f"--extra wants COLUMN:KIND with KIND one of {', '.join(KINDS)}, not {text!r}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", column):
        raise ValueError(f"--extra column {column!r}: use letters, digits and underscores")
    if column in _RESERVED:
        raise ValueError(f"--extra column {column!r} is one kintrace always reads")
    return Extra(column, kind)


def extras_for(columns: Iterable[str], requested: Sequence[Extra] = ()) -> tuple[Extra, ...]:
    """The recognised columns among `columns`, then the requested ones (a request overrides)."""
    asked = {e.column: e for e in requested}
    found = [Extra(c, RECOGNISED[c]) for c in RECOGNISED if c in columns and c not in asked]
    return tuple(found) + tuple(requested)


def _plain(text: str) -> str | None:
    s = unicodedata.normalize("NFKC", text).strip().casefold()
    s = re.sub(r"\s+", " ", s)
    return s or None


_HOMOGLYPHS = str.maketrans("АВСЕНІКМОРТХУ", "ABCEHIKMOPTXY")


def _service_number(text: str) -> str | None:
    s = unicodedata.normalize("NFKC", text).upper().translate(_HOMOGLYPHS)
    s = re.sub(r"[\s\-/.№#]", "", s)
    return s or None


def _sex(text: str) -> str | None:
    s = (_plain(text) or "")[:1]
    return {"m": "m", "м": "m", "ч": "m", "f": "f", "w": "f", "ж": "f"}.get(s)


def _key(text: str) -> str | None:
    return name_key(text) or None


def _given(text: str) -> str | None:
    return canonical_given_name(text) or name_key(text) or None


_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "service_number": _service_number,
    "place": _key,
    "sex": _sex,
    "category": _plain,
    "given_name": _given,
    "surname": _key,
    "exact": _plain,
    "text": _plain,
}


def add_extra_features(out: pd.DataFrame, records: pd.DataFrame, extras: Sequence[Extra]) -> None:
    """Add an `x_<column>` feature per extra column (NULL where the record gives none)."""
    for extra in extras:
        raw = records[extra.column] if extra.column in records.columns else pd.Series("", index=records.index)
        raw = raw.fillna("").astype(str)
        fn = _NORMALISERS[extra.kind]
        distinct = {v: (fn(v) if v.strip() else None) for v in raw.unique()}
        out[extra.feature] = raw.map(distinct).astype(object)


def comparison(extra: Extra) -> ComparisonCreator:
    col = extra.feature
    levels: list[Any] = [cll.NullLevel(col).configure(label_for_charts="missing")]
    if extra.kind in ("exact", "sex"):
        levels.append(cll.ExactMatchLevel(col).configure(label_for_charts="exact"))
    else:
        levels.append(
            cll.ExactMatchLevel(col, term_frequency_adjustments=True).configure(label_for_charts="exact")
        )
    if extra.kind == "service_number":
        levels.append(cll.DamerauLevenshteinLevel(col, 1).configure(label_for_charts="one_typo"))
    if extra.kind in ("place", "surname", "given_name", "text"):
        levels.append(cll.JaroWinklerLevel(col, 0.9).configure(label_for_charts="similar"))
    levels.append(cll.ElseLevel().configure(label_for_charts="different"))
    return cl.CustomComparison(levels, output_column_name=extra.column)


def both_sides_have(
    extras: Sequence[Extra], cases: pd.DataFrame, records: pd.DataFrame | None
) -> tuple[Extra, ...]:
    """The extras that some record on each side gives (a column only one side has is no evidence)."""
    other = records if records is not None else cases
    return tuple(
        e
        for e in extras
        if e.feature in cases.columns
        and e.feature in other.columns
        and cases[e.feature].notna().any()
        and other[e.feature].notna().any()
    )


def to_json(extras: Sequence[Extra]) -> list[list[str]]:
    return [[e.column, e.kind] for e in extras]


def from_json(data: Sequence[Sequence[str]]) -> tuple[Extra, ...]:
    return tuple(Extra(str(c), str(k)) for c, k in data)
