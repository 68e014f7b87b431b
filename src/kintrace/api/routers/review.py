"""The review queue of list matches: candidate pairs of a published list's entry and a case, for staff.

Caseworkers decide (accept, reject, not sure, with a reason); analysts read; families never reach it
(a family hears of an accepted match on its case, in plain words, through its notifications).
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import In, Out, Page
from kintrace.domain.lists import ListKind, PairBand, PairDecision
from kintrace.domain.records import PartialDate
from kintrace.domain.vocabulary import Claim
from kintrace.http.deps import MAX_ID, Db, PathId
from kintrace.services import list_review
from kintrace.services.list_review import steps_of
from kintrace.store.models import ListPair

router = APIRouter(prefix="/review", tags=["review"])


class ListOut(Out):
    id: int
    title: str
    publisher_id: int
    publisher: str
    published_on: PartialDate | None
    kind: ListKind
    claim: Claim


class EntryOut(Out):
    id: int
    row_number: int = Field(description="The row in the original file (the header is row 1)")
    raw: dict[str, Any] = Field(description="Every column of the row, as written")
    name_as_written: str
    last_name: str | None
    first_name: str | None
    patronymic: str | None
    birth_date: PartialDate | None
    unit: str | None
    event_date: PartialDate | None


class FieldOut(Out):
    field: str
    level: str = Field(description="The agreement level the field reached")
    bayes_factor: float
    weight: float = Field(description="log2 of the Bayes factor")


class PairOut(Out):
    id: int
    case_id: int
    case_reference: str
    list: ListOut
    entry: EntryOut
    match_weight: float
    match_probability: float
    band: PairBand
    name_only: bool
    fields: builtins.list[FieldOut]  # `list` is the field above
    prior_weight: float | None
    decision: PairDecision
    decision_reason: str | None
    decided_at: dt.datetime | None
    evidence_id: int | None


class DecisionIn(In):
    decision: Literal["accepted", "rejected", "unsure"]
    reason: str | None = Field(
        None,
        max_length=list_review.MAX_REASON,
        description="Needed to reject, for 'unsure', and to change a decision",
    )


def pair_out(pair: ListPair) -> PairOut:
    listed, entry = pair.list, pair.entry
    reasons = pair.reasons or {}
    prior = reasons.get("prior_weight")
    return PairOut(
        id=pair.id,
        case_id=pair.case_id,
        case_reference=pair.case.reference,
        list=ListOut(
            id=listed.id,
            title=listed.title,
            publisher_id=listed.publisher_id,
            publisher=listed.publisher.name,
            published_on=listed.published_on,
            kind=listed.kind,
            claim=listed.claim,
        ),
        entry=EntryOut(
            id=entry.id,
            row_number=entry.row_number,
            raw=entry.raw,
            name_as_written=list_review.name_as_written(entry, listed.column_map or {}),
            last_name=entry.last_name,
            first_name=entry.first_name,
            patronymic=entry.patronymic,
            birth_date=entry.birth_date,
            unit=entry.unit,
            event_date=entry.event_date,
        ),
        match_weight=pair.match_weight,
        match_probability=pair.match_probability,
        band=pair.band,
        name_only=pair.name_only,
        fields=[
            FieldOut(field=s.field, level=s.level, bayes_factor=s.bf, weight=s.weight)
            for s in steps_of(reasons)
        ],
        prior_weight=float(prior) if isinstance(prior, int | float) else None,
        decision=pair.decision,
        decision_reason=pair.decision_reason,
        decided_at=pair.decided_at,
        evidence_id=pair.evidence_id,
    )


@router.get("", response_model=Page[PairOut])
def review_queue(
    actor: CurrentActor,
    session: Db,
    list_id: int | None = Query(None, ge=1, le=MAX_ID),
    band: PairBand | None = Query(None),
    decision: PairDecision = Query(PairDecision.PENDING),
    page: int = Query(1, ge=1, le=list_review.MAX_PAGE),
    per_page: int = Query(50, ge=1, le=list_review.MAX_PAGE_SIZE),
) -> Page[PairOut]:
    """Candidate pairs with this decision (pending by default), strongest first; staff only."""
    result = list_review.review_queue(
        session, actor, list_id=list_id, band=band, decision=decision, page=page, per_page=per_page
    )
    return Page[PairOut](
        items=[pair_out(p) for p in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.get("/{pair_id}", response_model=PairOut)
def get_pair(pair_id: PathId, actor: CurrentActor, session: Db) -> PairOut:
    return pair_out(list_review.get_pair(session, actor, pair_id))


@router.post("/{pair_id}/decision", response_model=PairOut)
def decide(pair_id: PathId, body: DecisionIn, actor: CurrentActor, session: Db) -> PairOut:
    """Accept (the entry becomes evidence on the case and the family is told), reject or mark unsure."""
    pair = list_review.decide(session, actor, pair_id, body.decision, body.reason)
    return pair_out(pair)
