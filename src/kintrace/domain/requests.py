"""Status-change requests to an authority: how long they have been pending and whether overdue.

Both Ukrainian law on citizens' appeals (Закон «Про звернення громадян», art. 20) and Russian law
(59-ФЗ, art. 12) give an authority 30 days to answer, hence the default deadline.
"""

from __future__ import annotations

import datetime as dt

from kintrace.domain.errors import InvalidValue
from kintrace.domain.vocabulary import RequestOutcome

STATUTORY_ANSWER_DAYS = 30


def default_deadline(submitted: dt.date, days: int = STATUTORY_ANSWER_DAYS) -> dt.date:
    """The day by which the authority must answer."""
    if days < 1:
        raise InvalidValue(f"an answer period of {days} days is not a period", field="deadline")
    return submitted + dt.timedelta(days=days)


def check_dates(submitted: dt.date, deadline: dt.date | None, answered: dt.date | None) -> None:
    """Refuse a request whose dates cannot all be true, naming the field at fault."""
    if deadline is not None and deadline < submitted:
        raise InvalidValue(f"deadline {deadline} is before submission on {submitted}", field="deadline")
    if answered is not None and answered < submitted:
        raise InvalidValue(f"answered {answered}, before submission on {submitted}", field="answered")


def days_pending(submitted: dt.date, answered: dt.date | None, today: dt.date) -> int:
    """Days from submission to the answer, or to today while unanswered."""
    if submitted > today:
        raise InvalidValue(f"submitted on {submitted}, after today ({today})", field="submitted")
    check_dates(submitted, None, answered)
    if answered is not None and answered > today:
        raise InvalidValue(f"answered on {answered}, after today ({today})", field="answered")
    return ((answered or today) - submitted).days


def is_overdue(deadline: dt.date | None, outcome: RequestOutcome, today: dt.date) -> bool:
    """A pending request past its deadline. The deadline day itself is still in time.

    Only PENDING can be overdue: a partial answer is an answer, and the follow-up it calls for is a new
    request with its own deadline. A request with no deadline is never overdue.
    """
    return RequestOutcome(outcome) is RequestOutcome.PENDING and deadline is not None and today > deadline


def days_overdue(deadline: dt.date | None, outcome: RequestOutcome, today: dt.date) -> int:
    """Days past the deadline for an overdue request; 0 for any other."""
    if deadline is None or not is_overdue(deadline, outcome, today):
        return 0
    return (today - deadline).days
