"""Column types that hold a domain value and store it as plain text, so a row reads the same in any tool."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import String, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from kintrace.domain.dates import PartialDate

# Read back through a cache: a registry holds a few thousand distinct dates in hundreds of thousands of
# rows (an export reads every one), and a PartialDate is immutable, so one value serves every row.
_parsed = functools.lru_cache(maxsize=16_384)(PartialDate.parse)


class PartialDateType(TypeDecorator[PartialDate]):
    """A date known to the year, the month or the day, stored as its ISO text ("2023", "2023-05",
    "2023-05-17") and read back as the domain's PartialDate.

    Strict on the way in: only a PartialDate is written, so a text is parsed once where it enters
    (the record model, a form, an import) and never stored unchecked. SQL that works on the text
    itself (its length, a concatenation, a comparison with an ISO day) takes the column as text with
    `as_text`.
    """

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: PartialDate | None, dialect: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, PartialDate):
            kind = type(value).__name__
            raise TypeError(f"a partial date column takes a PartialDate, not {kind} {value!r}")
        return str(value)

    def process_result_value(self, value: str | None, dialect: Any) -> PartialDate | None:
        return None if value is None else _parsed(value)


def as_text(column: Any) -> ColumnElement[str]:
    """A partial date column (or expression) as its stored text, for SQL that reads the text: its
    length, a concatenation, a comparison with an ISO day. Literals beside it then bind as text."""
    return type_coerce(column, String)
