"""A case's search log: every published list it was checked against, and with what result.

This is the answer to a family's "nobody is searching": each line names a list (title, publisher,
publication date, kind), when the case was checked against it and what came of it. A family reads the
log of its own cases only (any other case reads as missing), and never an entry's data: a candidate
waiting for a reviewer is "under review", without the name of the man on the list.

Caseworkers also see which open cases, with the family's consent, were never checked against a list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import ListKind, PairDecision, SearchResult, search_result
from kintrace.domain.vocabulary import CaseState
from kintrace.services.access import Actor, require_staff, visible_case
from kintrace.services.errors import NotFound
from kintrace.store.models import Case, ListCheck, ListPair, PublishedList, Source, User


@dataclass(frozen=True)
class LogLine:
    """One list the case was checked against. Only list facts: never an entry's data."""

    list_id: int
    title: str
    publisher: str
    published_on: PartialDate | None
    kind: ListKind
    checked_at: dt.datetime
    result: SearchResult


@dataclass(frozen=True)
class SearchLog:
    case_id: int
    consent: bool  # the family agreed that the case be matched against published lists
    consent_basis: str | None
    consent_at: dt.datetime | None
    consent_by: str | None  # who recorded it: staff only (on a shared case, another family's member)
    lines: list[LogLine]  # newest check first

    @property
    def lists_checked(self) -> int:
        return len(self.lines)

    @property
    def latest(self) -> dt.datetime | None:
        return max((line.checked_at for line in self.lines), default=None)

    @property
    def found_on(self) -> list[LogLine]:
        return [line for line in self.lines if line.result is SearchResult.FOUND]

    @property
    def under_review(self) -> list[LogLine]:
        return [line for line in self.lines if line.result is SearchResult.UNDER_REVIEW]


def search_log(session: Session, actor: Actor, case_id: int) -> SearchLog:
    """The case's search log, as the actor may read it (a family: its own cases only)."""
    return search_log_of(session, actor, visible_case(session, actor, case_id))


def search_log_of(session: Session, actor: Actor, case: Case) -> SearchLog:
    """`search_log` of a case the caller may see (a case file's read)."""
    case_id = case.id
    rows = session.execute(
        select(
            PublishedList.id,
            PublishedList.title,
            Source.name,
            PublishedList.published_on,
            PublishedList.kind,
            ListCheck.checked_at,
            ListCheck.result,
        )
        .join(PublishedList, PublishedList.id == ListCheck.list_id)
        .join(Source, Source.id == PublishedList.publisher_id)
        .where(ListCheck.case_id == case_id)
        .order_by(ListCheck.checked_at.desc(), PublishedList.id)
    ).all()
    # The pairs' decisions are the truth once reviewers decide: the stored result is that of the check.
    decisions: dict[int, list[PairDecision]] = defaultdict(list)
    for list_id, decision in session.execute(
        select(ListPair.list_id, ListPair.decision).where(ListPair.case_id == case_id)
    ):
        decisions[list_id].append(decision)
    lines = [
        LogLine(
            list_id=list_id,
            title=title,
            publisher=publisher,
            published_on=published_on,
            kind=kind,
            checked_at=checked_at,
            result=search_result(decisions[list_id]) if decisions.get(list_id) else result,
        )
        for list_id, title, publisher, published_on, kind, checked_at, result in rows
    ]
    return SearchLog(
        case_id=case.id,
        consent=case.list_matching_consent,
        consent_basis=case.list_matching_basis,
        consent_at=case.list_matching_consent_at,
        consent_by=_recorder(session, actor, case),
        lines=lines,
    )


def _recorder(session: Session, actor: Actor, case: Case) -> str | None:
    if not actor.is_staff or case.list_matching_consent_by_id is None:
        return None
    user = session.get(User, case.list_matching_consent_by_id)
    return None if user is None else user.display_name


@dataclass(frozen=True)
class UncheckedPage:
    """Open cases with consent never checked against one list, a page of them, and those left out."""

    list_id: int
    title: str
    cases: list[Case]
    total: int  # open consented cases never checked against the list
    without_consent: int  # open cases the list cannot be matched against: the family has not agreed
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _open() -> list[ColumnElement[bool]]:
    return [Case.state == CaseState.OPEN, Case.merged_into_id.is_(None)]


def unchecked_cases(
    session: Session, actor: Actor, list_id: int, *, page: int = 1, per_page: int = 50
) -> UncheckedPage:
    """Open cases whose family agreed to list matching and that were never checked against the list."""
    require_staff(actor, "see which cases were checked against a list")
    published = session.get(PublishedList, list_id)
    if published is None:
        raise NotFound("list", list_id)
    page, per_page = max(1, page), min(max(1, per_page), 500)
    never_checked = ~exists(
        select(ListCheck.case_id).where(and_(ListCheck.case_id == Case.id, ListCheck.list_id == list_id))
    )
    where = [*_open(), Case.list_matching_consent.is_(True), never_checked]
    total = session.scalar(select(func.count(Case.id)).where(*where)) or 0
    cases = list(
        session.scalars(
            select(Case).where(*where).order_by(Case.id).offset((page - 1) * per_page).limit(per_page)
        )
    )
    without = session.scalar(
        select(func.count(Case.id)).where(*_open(), Case.list_matching_consent.is_(False))
    )
    return UncheckedPage(
        list_id=list_id,
        title=published.title,
        cases=cases,
        total=total,
        without_consent=without or 0,
        page=page,
        per_page=per_page,
    )
