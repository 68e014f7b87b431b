"""Rows of published lists for tests: a list, an entry on it, a case's check against it, a candidate pair.

Written directly (test set-up, not use): the import and matching that make these rows are tested apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import CLAIM_OF_LIST_KIND, ListKind, PairBand, PairDecision, SearchResult
from kintrace.domain.vocabulary import Credibility, Reliability, SourceKind
from kintrace.store.models import Case, ListCheck, ListEntry, ListPair, PublishedList, Source

_numbers = itertools.count(1)


def published_list(
    session: Session,
    title: str = "Список обміну",
    *,
    publisher: str = "Координаційний штаб",
    published_on: str | None = "2026-11-20",
    kind: ListKind = ListKind.EXCHANGED,
) -> PublishedList:
    n = next(_numbers)
    source = Source(
        kind=SourceKind.OFFICIAL_BODY,
        name=publisher,
        reliability=Reliability.B,
        credibility=Credibility.PROBABLY_TRUE,
    )
    session.add(source)
    session.flush()
    row = PublishedList(
        title=title,
        publisher_id=source.id,
        published_on=None if published_on is None else PartialDate.parse(published_on),
        kind=kind,
        claim=CLAIM_OF_LIST_KIND[kind],
        filename=f"list-{n}.csv",
        media_type="text/csv",
        sha256=hashlib.sha256(f"{title}-{n}".encode()).hexdigest(),
        size_bytes=100,
    )
    session.add(row)
    session.flush()
    return row


def entry(
    session: Session, published: PublishedList, last_name: str, first_name: str = "Андрій"
) -> ListEntry:
    n = next(_numbers)
    row = ListEntry(
        list_id=published.id,
        row_number=n + 1,
        raw={"ПІБ": f"{last_name} {first_name}"},
        last_name=last_name,
        first_name=first_name,
        fingerprint=f"fp-{n}",
    )
    session.add(row)
    session.flush()
    return row


def check(
    session: Session,
    case: Case,
    published: PublishedList,
    result: SearchResult = SearchResult.NO_CANDIDATE,
    checked_at: dt.datetime | None = None,
) -> ListCheck:
    row = ListCheck(
        case_id=case.id,
        list_id=published.id,
        result=result,
        checked_at=checked_at or dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
    )
    session.add(row)
    session.flush()
    return row


def pair(
    session: Session, case: Case, on: ListEntry, decision: PairDecision = PairDecision.PENDING
) -> ListPair:
    row = ListPair(
        list_id=on.list_id,
        entry_id=on.id,
        case_id=case.id,
        match_probability=0.97,
        match_weight=5.0,
        band=PairBand.REVIEW,
        decision=decision,
    )
    session.add(row)
    session.flush()
    return row
