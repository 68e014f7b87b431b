"""Status-change requests to authorities: submitted, answered, and the overdue list."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, status
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import (
    MAX_DAYS,
    AnswerIn,
    OverdueOut,
    Page,
    StatusRequestIn,
    StatusRequestOut,
)
from kintrace.http.deps import Db, PathId
from kintrace.services import requests as request_service
from kintrace.services.access import Actor
from kintrace.services.cases import MAX_PAGE, MAX_PAGE_SIZE
from kintrace.store.models import Case

router = APIRouter(tags=["status-change requests"])


def request_out(
    session: Db, actor: Actor, view: request_service.RequestView, evidence_ids: list[int] | None = None
) -> StatusRequestOut:
    """A request as the actor may read it; `evidence_ids`, when the caller redacted them already."""
    if evidence_ids is None:
        evidence_ids = request_service.readable_evidence_ids(session, actor, view.request)
    return StatusRequestOut.model_validate(view.request).model_copy(
        update={
            "days_pending": view.days_pending,
            "overdue": view.overdue,
            "days_overdue": view.days_overdue,
            "evidence_ids": evidence_ids,
        }
    )


@router.get("/cases/{case_id}/requests", response_model=list[StatusRequestOut])
def list_requests(case_id: PathId, actor: CurrentActor, session: Db) -> list[StatusRequestOut]:
    views = request_service.list_requests(session, actor, case_id)
    # The items behind every request redacted in one query, not one per request.
    shown = request_service.readable_evidence_of(session, actor, [v.request for v in views])
    return [request_out(session, actor, v, shown[v.request.id]) for v in views]


@router.post(
    "/cases/{case_id}/requests", response_model=StatusRequestOut, status_code=status.HTTP_201_CREATED
)
def submit_request(
    case_id: PathId, body: StatusRequestIn, actor: CurrentActor, session: Db
) -> StatusRequestOut:
    """Record a request to an authority; without a deadline the statutory 30 days apply."""
    data = request_service.RequestInput(
        requested_status=body.requested_status,
        authority=body.authority,
        submitted_on=body.submitted_on,
        deadline=body.deadline,
        evidence_ids=tuple(body.evidence_ids),
        note=body.note,
    )
    request = request_service.submit_request(session, actor, case_id, data)
    return request_out(session, actor, request_service.view(request, dt.date.today()))


@router.get("/requests/{request_id}", response_model=StatusRequestOut)
def get_request(request_id: PathId, actor: CurrentActor, session: Db) -> StatusRequestOut:
    request = request_service.get_request(session, actor, request_id)
    return request_out(session, actor, request_service.view(request, dt.date.today()))


@router.post(
    "/requests/{request_id}/answers", response_model=StatusRequestOut, status_code=status.HTTP_201_CREATED
)
def record_answer(request_id: PathId, body: AnswerIn, actor: CurrentActor, session: Db) -> StatusRequestOut:
    """File the authority's answer; any outcome but `pending` (an interim reply) settles the request."""
    request_service.record_answer(
        session, actor, request_id, received_on=body.received_on, outcome=body.outcome, text=body.text
    )
    request = request_service.get_request(session, actor, request_id)
    return request_out(session, actor, request_service.view(request, dt.date.today()))


@router.post("/requests/{request_id}/withdraw", response_model=StatusRequestOut)
def withdraw_request(request_id: PathId, actor: CurrentActor, session: Db) -> StatusRequestOut:
    request = request_service.withdraw_request(session, actor, request_id, on=dt.date.today())
    return request_out(session, actor, request_service.view(request, dt.date.today()))


@router.get("/overdue", response_model=Page[OverdueOut], tags=["status-change requests"])
def overdue(
    actor: CurrentActor,
    session: Db,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
    days_pending: int | None = Query(
        None, ge=0, le=MAX_DAYS, description="Only requests pending at least this many days"
    ),
    authority: str | None = Query(None, max_length=300, description="Only requests to this authority"),
) -> Page[OverdueOut]:
    """Pending requests past their deadline, longest pending first."""
    result = request_service.overdue_requests(
        session, actor, min_days_pending=days_pending, authority=authority, page=page, per_page=per_page
    )
    # One query for the page's cases and persons, instead of two lazy loads per row.
    case_ids = {v.request.case_id for v in result.items}
    query = select(Case).where(Case.id.in_(case_ids)).options(selectinload(Case.person))
    cases = {case.id: case for case in session.scalars(query)}
    items = []
    for v in result.items:
        case = cases[v.request.case_id]
        person = case.person
        name = " ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p)
        items.append(
            OverdueOut(
                request=request_out(session, actor, v),
                case_reference=case.reference,
                person_name=name,
                days_overdue=v.days_overdue,
            )
        )
    return Page[OverdueOut](items=items, total=result.total, page=result.page, per_page=result.per_page)
