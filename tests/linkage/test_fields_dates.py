"""Partial birth dates: tolerant parsing, and the range of years accepted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kintrace.linkage.fields import parse_partial_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-03-07", (1985, 3, 7)),  # ISO full
        ("1985-03-07T00:00:00", (1985, 3, 7)),  # ISO with time
        ("1985-03", (1985, 3, None)),  # ISO year-month
        ("1985", (1985, None, None)),  # year
        ("07.03.1985", (1985, 3, 7)),  # DD.MM.YYYY
        ("7.3.1985", (1985, 3, 7)),
        ("07/03/1985", (1985, 3, 7)),
        ("07-03-1985", (1985, 3, 7)),
        ("7/3/85", (1985, 3, 7)),  # two-digit year, 19xx
        ("7/3/05", (2005, 3, 7)),  # two-digit year, 20xx
        ("03/1985", (1985, 3, None)),  # MM/YYYY
        ("03.1985", (1985, 3, None)),
        ("19850307", (1985, 3, 7)),  # compact
        ("05/13/1990", (1990, 5, 13)),  # month first only when day first is impossible
        ("00.00.1985", (1985, None, None)),  # zero placeholders
        ("00.03.1985", (1985, 3, None)),
        ("xx.03.1985", (1985, 3, None)),
        ("??.??.1985", (1985, None, None)),
        ("7 марта 1985", (1985, 3, 7)),  # Russian month, genitive
        ("березень 1985", (1985, 3, None)),  # Ukrainian month
        ("7 березня 1985", (1985, 3, 7)),
        ("March 7, 1985", (1985, 3, 7)),
        ("7 Mar 1985", (1985, 3, 7)),
        ("1985 г.р.", (1985, None, None)),  # noise
        ("1985 р.н.", (1985, None, None)),
        ("  1985 г. ", (1985, None, None)),
        ("07.03.1985г.", (1985, 3, 7)),  # noise glued to the digits
        ("1985г.р.", (1985, None, None)),
        ("род. 1985", (1985, None, None)),
        ("DOB: 07.03.1985", (1985, 3, 7)),
        ("~1985", (1985, None, None)),  # uncertainty marks
        ("1985?", (1985, None, None)),
        ("07.03.1985 (approx)", (1985, 3, 7)),
        ("7.III.1985", (1985, 3, 7)),  # Roman-numeral month
        ("7 XII 1985", (1985, 12, 7)),
        ("--.--.1985", (1985, None, None)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_partial_date(text: str | None, expected: tuple[int, int | None, int | None] | None) -> None:
    assert parse_partial_date(text) == expected


def test_dates_from_1850_are_accepted() -> None:
    assert parse_partial_date("1850") == (1850, None, None)
    assert parse_partial_date("01.01.1850") == (1850, 1, 1)
    assert parse_partial_date("1888-07-14") == (1888, 7, 14)


@pytest.mark.parametrize(
    "text",
    [
        "31.02.1985",
        "1985-13-01",
        "not a date",
        "1700",
        "1849",
        "31.12.1849",
        "12345",
        "32.01.1990",
        "1985-1986",
    ],
)
def test_bad_dates_raise_naming_the_text(text: str) -> None:
    with pytest.raises(ValueError, match=text.replace(".", r"\.")):
        parse_partial_date(text)


@given(st.dates())
def test_round_trip_through_common_formats(d: object) -> None:
    import datetime as dt

    assert isinstance(d, dt.date)
    if not 1850 <= d.year <= 2100:
        return
    expected = (d.year, d.month, d.day)
    assert parse_partial_date(d.isoformat()) == expected
    assert parse_partial_date(d.strftime("%d.%m.%Y")) == expected
