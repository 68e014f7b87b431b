"""Published lists, entries and candidate pairs for tests, inserted as rows (as the importer and the
matcher would leave them), with reasons in the shape the linkage engine gives."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import CLAIM_OF_LIST_KIND, ListKind, PairBand, PairDecision
from kintrace.domain.vocabulary import Credibility, Reliability, SourceKind
from kintrace.store.models import Case, ListEntry, ListPair, PublishedList, Source

# Each field's level and Bayes factor, and the prior (log2 of the prior odds), as the matcher stores them.
REASONS: dict[str, Any] = {
    "surname": {"level": "exact", "bf": 412.0},
    "given_name": {"level": "exact", "bf": 64.0},
    "patronymic": {"level": "missing", "bf": 1.0},
    "birth_date": {"level": "year only", "bf": 8.0},
    "unit": {"level": "different", "bf": 0.25},
    "prior_weight": -12.0,
}


def weight_of(reasons: dict[str, Any]) -> float:
    import math

    fields = [v for k, v in reasons.items() if k != "prior_weight"]
    return float(reasons["prior_weight"]) + sum(math.log2(f["bf"]) for f in fields)


def published_list(
    session: Session,
    *,
    title: str = "Exchange of 2026-10-02",
    publisher: str = "Coordination HQ",
    published_on: str | None = "2026-10-02",
    kind: ListKind = ListKind.EXCHANGED,
) -> PublishedList:
    source = Source(
        kind=SourceKind.PUBLISHED_LIST,
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
        language="uk",
        script="Cyrl",
        filename="list.csv",
        media_type="text/csv",
        sha256=hashlib.sha256(f"{title}{publisher}".encode()).hexdigest(),
        size_bytes=100,
        column_map={"Прізвище": "last_name", "Ім'я": "first_name", "По батькові": "patronymic"},
    )
    session.add(row)
    session.flush()
    return row


def entry(
    session: Session,
    listed: PublishedList,
    row_number: int,
    name: tuple[str, str, str] = ("ШЕВЧЕНКО", "Андрій", "Петрович"),
    **fields: Any,
) -> ListEntry:
    last, first, patronymic = name
    raw = {"Прізвище": last, "Ім'я": first, "По батькові": patronymic, "Дата": fields.get("event_date", "")}
    row = ListEntry(
        list_id=listed.id,
        row_number=row_number,
        raw=raw,
        last_name=last.title(),
        first_name=first,
        patronymic=patronymic,
        fingerprint=hashlib.sha256(f"{last}|{first}|{patronymic}".encode()).hexdigest(),
        # Dates given as a list writes them (ISO text), stored as the importer stores them.
        **{
            k: PartialDate.parse(v) if k in ("event_date", "birth_date") and v else v
            for k, v in fields.items()
        },
    )
    session.add(row)
    session.flush()
    return row


def pair(
    session: Session,
    listed: PublishedList,
    listed_entry: ListEntry,
    case: Case,
    *,
    reasons: dict[str, Any] | None = None,
    band: PairBand = PairBand.LINK,
    decision: PairDecision = PairDecision.PENDING,
    weight: float | None = None,
) -> ListPair:
    reasons = dict(REASONS if reasons is None else reasons)
    match_weight = weight_of(reasons) if weight is None else weight
    row = ListPair(
        list_id=listed.id,
        entry_id=listed_entry.id,
        case_id=case.id,
        match_probability=2**match_weight / (1 + 2**match_weight),
        match_weight=match_weight,
        band=band,
        reasons=reasons,
        decision=decision,
    )
    session.add(row)
    session.flush()
    return row
