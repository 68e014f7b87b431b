"""Partial dates sort and compare even when parts are unknown."""

from __future__ import annotations

import pytest

from kintrace.domain.dates import PartialDate, PartialDateError


def test_a_bare_year_sorts_before_any_day_inside_it() -> None:
    dates = [PartialDate.parse(text) for text in ("2024-03-10", "2024", "2024-03", "2023-12-31")]
    assert [str(d) for d in sorted(dates)] == ["2023-12-31", "2024", "2024-03", "2024-03-10"]
    assert PartialDate(2024) < PartialDate(2024, 1, 1) and PartialDate(2024, 2) > PartialDate(2024)
    assert max(dates) == PartialDate(2024, 3, 10) and PartialDate(2024) <= PartialDate(2024)


def test_certainly_before_and_overlap() -> None:
    assert PartialDate(2023, 5).certainly_before(PartialDate(2023, 6, 1))
    assert not PartialDate(2023).certainly_before(PartialDate(2023, 6))
    assert PartialDate(2023).may_overlap(PartialDate(2023, 6, 2))


@pytest.mark.parametrize("text", ["23", "2023-13", "2023-02-30", "2023/05/01", ""])
def test_bad_text_is_refused(text: str) -> None:
    with pytest.raises(PartialDateError):
        PartialDate.parse(text)
