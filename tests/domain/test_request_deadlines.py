"""Status-change requests: days pending, overdue and days overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from kintrace.domain.errors import InvalidValue
from kintrace.domain.requests import check_dates, days_overdue, days_pending, default_deadline, is_overdue
from kintrace.domain.vocabulary import RequestOutcome

SUBMITTED = dt.date(2024, 3, 1)
TODAY = dt.date(2024, 5, 1)


def test_the_statutory_deadline_is_thirty_days() -> None:
    assert default_deadline(SUBMITTED) == dt.date(2024, 3, 31)
    with pytest.raises(InvalidValue) as error:
        default_deadline(SUBMITTED, 0)
    assert error.value.field == "deadline"


def test_days_pending_runs_to_today_while_unanswered_and_stops_at_the_answer() -> None:
    assert days_pending(SUBMITTED, None, TODAY) == 61
    assert days_pending(SUBMITTED, dt.date(2024, 3, 20), TODAY) == 19
    assert days_pending(TODAY, None, TODAY) == 0


@pytest.mark.parametrize(
    ("submitted", "answered", "field"),
    [
        (dt.date(2024, 6, 1), None, "submitted"),  # submitted in the future
        (SUBMITTED, dt.date(2024, 2, 1), "answered"),  # answered before it was asked
        (SUBMITTED, dt.date(2024, 6, 1), "answered"),  # answered in the future
    ],
)
def test_impossible_dates_name_the_field(submitted: dt.date, answered: dt.date | None, field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        days_pending(submitted, answered, TODAY)
    assert error.value.field == field


def test_a_deadline_before_submission_is_refused() -> None:
    with pytest.raises(InvalidValue) as error:
        check_dates(SUBMITTED, dt.date(2024, 2, 1), None)
    assert error.value.field == "deadline"


def test_overdue_is_a_pending_request_past_its_deadline() -> None:
    deadline = dt.date(2024, 3, 31)
    assert not is_overdue(deadline, RequestOutcome.PENDING, deadline)  # the last day is still in time
    assert is_overdue(deadline, RequestOutcome.PENDING, deadline + dt.timedelta(days=1))
    assert days_overdue(deadline, RequestOutcome.PENDING, TODAY) == 31
    assert days_overdue(deadline, RequestOutcome.PENDING, deadline) == 0


@pytest.mark.parametrize(
    "outcome",
    [RequestOutcome.GRANTED, RequestOutcome.REFUSED, RequestOutcome.PARTIAL, RequestOutcome.WITHDRAWN],
)
def test_an_answered_or_withdrawn_request_is_never_overdue(outcome: RequestOutcome) -> None:
    assert not is_overdue(dt.date(2024, 3, 31), outcome, TODAY)
    assert days_overdue(dt.date(2024, 3, 31), outcome, TODAY) == 0


def test_a_request_without_deadline_is_never_overdue() -> None:
    assert not is_overdue(None, RequestOutcome.PENDING, TODAY)
    assert days_overdue(None, RequestOutcome.PENDING, TODAY) == 0
