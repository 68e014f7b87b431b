"""Public statistics: figures about the registry that anyone may see, without a name or a small count.

No sign-in and no personal data, so every figure is an aggregate over verified, unmerged cases, and
every count from 1 to 4 is withheld (a small count next to a status or an authority can single out a
family). A withheld cell that the others and the published total would give away by subtraction is
not enough: then the smallest other cell is withheld too (complementary suppression, as statistical
offices do). An authority is named only when at least five pending requests share its name; the
others are pooled, because an authority is typed as free text and a rare one can point to a person.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kintrace.domain.requests import is_overdue
from kintrace.domain.vocabulary import CaseState, PersonStatus, RequestOutcome
from kintrace.store.models import Case, StatusRequest

MINIMUM_COUNT = 5
PUBLISHED_STATES = (CaseState.OPEN, CaseState.CLOSED)  # checked by a caseworker, not folded into another


@dataclass(frozen=True)
class StatusRow:
    status: PersonStatus
    official: int | None  # None: withheld
    evidence: int | None


@dataclass(frozen=True)
class AuthorityRow:
    authority: str | None  # None: the authorities with fewer than MINIMUM_COUNT pending requests, pooled
    pending: int | None
    overdue: int | None
    median_days: float | None
    p90_days: float | None
    longest_days: int | None


@dataclass(frozen=True)
class PublicStatistics:
    as_of: dt.date
    minimum_count: int
    cases: int | None
    by_status: list[StatusRow]
    authorities: list[AuthorityRow]


def suppress(counts: Sequence[int], minimum: int = MINIMUM_COUNT) -> list[int | None]:
    """Counts with every 1..minimum-1 withheld, and, where one withheld cell could be derived from the
    total, the smallest other non-zero cell withheld with it."""
    shown: list[int | None] = [None if 0 < count < minimum else count for count in counts]
    withheld = [i for i, value in enumerate(shown) if value is None]
    if len(withheld) == 1:
        others = [i for i, value in enumerate(shown) if value]  # non-zero, still shown
        if others:
            shown[min(others, key=lambda i: counts[i])] = None
    return shown


def _count(value: int, minimum: int = MINIMUM_COUNT) -> int | None:
    return None if 0 < value < minimum else value


def percentile(values: Sequence[int], q: float) -> float:
    """The q-quantile by linear interpolation between order statistics (numpy's default, R's type 7)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _status_counts(session: Session, column: InstrumentedAttribute[PersonStatus]) -> dict[PersonStatus, int]:
    rows = session.execute(
        select(column, func.count()).where(Case.state.in_(PUBLISHED_STATES)).group_by(column)
    )
    return {PersonStatus(status): count for status, count in rows}


def _authority_row(name: str | None, days: list[int], overdue: int) -> AuthorityRow:
    if len(days) < MINIMUM_COUNT:
        return AuthorityRow(name, _count(len(days)), None, None, None, None)
    return AuthorityRow(
        authority=name,
        pending=len(days),
        # Overdue is withheld also when the rest (pending, not yet overdue) would be a small count.
        overdue=None if _count(overdue) is None or _count(len(days) - overdue) is None else overdue,
        median_days=percentile(days, 0.5),
        p90_days=percentile(days, 0.9),
        longest_days=max(days),
    )


def _authorities(session: Session, today: dt.date) -> list[AuthorityRow]:
    rows = session.execute(
        select(StatusRequest.authority, StatusRequest.submitted_on, StatusRequest.deadline)
        .join(Case, Case.id == StatusRequest.case_id)
        .where(Case.state.in_(PUBLISHED_STATES), StatusRequest.outcome == RequestOutcome.PENDING)
    )
    days: dict[str, list[int]] = defaultdict(list)
    overdue: dict[str, int] = defaultdict(int)
    for authority, submitted, deadline in rows:
        name = " ".join(authority.split())
        days[name].append(max(0, (today - submitted).days))
        overdue[name] += is_overdue(deadline, RequestOutcome.PENDING, today)
    named = sorted(
        (name for name, waits in days.items() if len(waits) >= MINIMUM_COUNT),
        key=lambda name: (-percentile(days[name], 0.5), name),
    )
    result = [_authority_row(name, days[name], overdue[name]) for name in named]
    pooled = [name for name in days if name not in set(named)]
    if pooled:
        waits = [day for name in pooled for day in days[name]]
        result.append(_authority_row(None, waits, sum(overdue[name] for name in pooled)))
    return result


def public_statistics(session: Session, today: dt.date | None = None) -> PublicStatistics:
    """The figures of the public statistics page and of `GET /api/v1/statistics`."""
    today = today or dt.date.today()
    official = _status_counts(session, Case.official_status)
    evidence = _status_counts(session, Case.evidence_status)
    statuses = list(PersonStatus)
    shown_official = suppress([official.get(s, 0) for s in statuses])
    shown_evidence = suppress([evidence.get(s, 0) for s in statuses])
    by_status = [
        StatusRow(status, shown_official[i], shown_evidence[i])
        for i, status in enumerate(statuses)
        if official.get(status, 0) or evidence.get(status, 0)
    ]
    return PublicStatistics(
        as_of=today,
        minimum_count=MINIMUM_COUNT,
        cases=_count(sum(official.values())),
        by_status=by_status,
        authorities=_authorities(session, today),
    )
