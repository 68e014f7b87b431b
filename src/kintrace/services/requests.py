"""Status-change requests to authorities, their answers, days pending and the overdue list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain import requests as rules
from kintrace.domain.dates import EARLIEST_RECORD_DATE
from kintrace.domain.errors import DomainError
from kintrace.domain.vocabulary import PersonStatus, RequestOutcome
from kintrace.services import auditing, notifications
from kintrace.services.access import (
    Actor,
    case_visibility_clause,
    require_writer,
    visible_case,
    visible_item_ids,
)
from kintrace.services.cases import MAX_DAYS_PENDING, MAX_PAGE, MAX_PAGE_SIZE, merged_group
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.services.redaction import shown_ids
from kintrace.store.models import Case, EvidenceItem, RequestAnswer, StatusRequest


@dataclass(frozen=True)
class RequestInput:
    requested_status: PersonStatus
    authority: str
    submitted_on: dt.date
    deadline: dt.date | None = None  # default: the statutory 30 days
    evidence_ids: Sequence[int] = ()
    note: str | None = None


@dataclass(frozen=True)
class RequestView:
    """A request with its clock: days pending (to the answer, or today) and days overdue."""

    request: StatusRequest
    days_pending: int
    overdue: bool
    days_overdue: int


def view(request: StatusRequest, today: dt.date) -> RequestView:
    answered = None if request.outcome is RequestOutcome.PENDING else request.outcome_on
    pending = rules.days_pending(request.submitted_on, answered, max(today, request.submitted_on))
    return RequestView(
        request=request,
        days_pending=pending,
        overdue=rules.is_overdue(request.deadline, request.outcome, today),
        days_overdue=rules.days_overdue(request.deadline, request.outcome, today),
    )


def submit_request(
    session: Session, actor: Actor, case_id: int, data: RequestInput, *, today: dt.date | None = None
) -> StatusRequest:
    # Visibility before role: someone else's case is "not found" whatever the actor's role.
    case = visible_case(session, actor, case_id)
    require_writer(actor, "submit status-change requests")
    today = today or dt.date.today()
    if not data.authority.strip():
        raise ValidationFailed("authority", "must not be empty")
    try:
        status = PersonStatus(data.requested_status)
    except ValueError:
        raise ValidationFailed("requested_status", f"{data.requested_status!r} is not a status") from None
    if data.submitted_on > today:
        raise ValidationFailed("submitted_on", f"{data.submitted_on} is in the future")
    if data.submitted_on < EARLIEST_RECORD_DATE:
        raise ValidationFailed("submitted_on", f"{data.submitted_on} is before {EARLIEST_RECORD_DATE}")
    try:
        deadline = data.deadline or rules.default_deadline(data.submitted_on)
        rules.check_dates(data.submitted_on, deadline, None)
    except DomainError as error:
        raise ValidationFailed.from_error(error) from None
    evidence_ids = sorted(set(data.evidence_ids))
    if evidence_ids:
        group = merged_group(session, case.id)
        found = set(
            session.scalars(
                select(EvidenceItem.id).where(
                    EvidenceItem.id.in_(evidence_ids), EvidenceItem.case_id.in_(group)
                )
            )
        )
        missing = [i for i in evidence_ids if i not in found]
        if missing:
            raise ValidationFailed("evidence_ids", f"not evidence of case {case.reference}: {missing}")
    request = StatusRequest(
        case_id=case.id,
        requested_status=status,
        authority=data.authority.strip(),
        evidence_ids=evidence_ids,
        submitted_on=data.submitted_on,
        deadline=deadline,
        outcome=RequestOutcome.PENDING,
        note=data.note,
        created_by_id=actor.user_id,
    )
    session.add(request)
    auditing.record(session, actor, "request.submit", request)
    return request


def readable_evidence_ids(session: Session, actor: Actor, request: StatusRequest) -> list[int]:
    """The items backing the request that the actor may read (a family never learns internal ids)."""
    return readable_evidence_of(session, actor, [request])[request.id]


def readable_evidence_of(
    session: Session, actor: Actor, requests: Sequence[StatusRequest]
) -> dict[int, list[int]]:
    """`readable_evidence_ids` of many requests, by request id, in one query."""
    ids = [i for request in requests for i in request.evidence_ids or []]
    readable = None if actor.is_staff or not ids else visible_item_ids(session, actor, ids)
    return {request.id: shown_ids(readable, request.evidence_ids or []) for request in requests}


def get_request(session: Session, actor: Actor, request_id: int) -> StatusRequest:
    request = session.get(StatusRequest, request_id)
    if request is None:
        raise NotFound("request", request_id)
    try:
        visible_case(session, actor, request.case_id)
    except NotFound:
        raise NotFound("request", request_id) from None
    return request


def record_answer(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    received_on: dt.date,
    outcome: RequestOutcome,
    text: str = "",
) -> RequestAnswer:
    """File the authority's answer; anything but PENDING (an interim reply) settles the outcome."""
    require_writer(actor, "record answers")
    request = get_request(session, actor, request_id)
    outcome = RequestOutcome(outcome)
    if outcome is RequestOutcome.WITHDRAWN:
        raise ValidationFailed("outcome", "an authority does not withdraw; use withdraw_request")
    if request.outcome is not RequestOutcome.PENDING:
        raise Conflict(f"request {request.id} is already settled ({request.outcome.value})")
    try:
        rules.check_dates(request.submitted_on, None, received_on)
    except DomainError as error:
        raise ValidationFailed.from_error(error, "received_on") from None
    before = auditing.snapshot(request)
    answer = RequestAnswer(
        request_id=request.id,
        received_on=received_on,
        outcome=outcome,
        text=text,
        recorded_by_id=actor.user_id,
    )
    request.answers.append(answer)
    if outcome is not RequestOutcome.PENDING:
        request.outcome, request.outcome_on = outcome, received_on
    auditing.record(session, actor, "request.answer", answer)
    auditing.record(session, actor, "request.update", request, before=before)
    notifications.request_answered(session, actor, request, answer)
    return answer


def withdraw_request(session: Session, actor: Actor, request_id: int, *, on: dt.date) -> StatusRequest:
    require_writer(actor, "withdraw requests")
    request = get_request(session, actor, request_id)
    if request.outcome is not RequestOutcome.PENDING:
        raise Conflict(f"request {request.id} is already settled ({request.outcome.value})")
    before = auditing.snapshot(request)
    request.outcome, request.outcome_on = RequestOutcome.WITHDRAWN, on
    auditing.record(session, actor, "request.withdraw", request, before=before)
    return request


def list_requests(
    session: Session, actor: Actor, case_id: int, *, today: dt.date | None = None
) -> list[RequestView]:
    visible_case(session, actor, case_id)
    return requests_of(session, case_id, today=today)


def requests_of(session: Session, case_id: int, *, today: dt.date | None = None) -> list[RequestView]:
    """The case's requests with their answers and clocks (the caller checked the case)."""
    today = today or dt.date.today()
    query = (
        select(StatusRequest)
        .where(StatusRequest.case_id == case_id)
        .options(selectinload(StatusRequest.answers))
        .order_by(StatusRequest.submitted_on, StatusRequest.id)
    )
    return [view(request, today) for request in session.scalars(query)]


@dataclass(frozen=True)
class OverduePage:
    items: Sequence[RequestView]
    total: int
    page: int
    per_page: int


def overdue_requests(
    session: Session,
    actor: Actor,
    *,
    today: dt.date | None = None,
    min_days_pending: int | None = None,
    authority: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> OverduePage:
    """Pending requests past their deadline, longest pending first (optionally at least N days pending,
    or to one authority, named as in `overdue_authorities`)."""
    today = today or dt.date.today()
    if min_days_pending is not None and not 0 <= min_days_pending <= MAX_DAYS_PENDING:
        raise ValidationFailed("min_days_pending", f"must be between 0 and {MAX_DAYS_PENDING}")
    if not 1 <= page <= MAX_PAGE:
        raise ValidationFailed("page", f"must be between 1 and {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationFailed("per_page", f"must be between 1 and {MAX_PAGE_SIZE}")
    where = [
        StatusRequest.outcome == RequestOutcome.PENDING,
        StatusRequest.deadline.is_not(None),
        StatusRequest.deadline < today,
        case_visibility_clause(actor),
    ]
    if min_days_pending is not None:
        where.append(StatusRequest.submitted_on <= today - dt.timedelta(days=min_days_pending))
    if authority is not None:
        where.append(StatusRequest.authority == authority)
    base = select(StatusRequest).join(Case, Case.id == StatusRequest.case_id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    query = (
        base.options(selectinload(StatusRequest.answers))
        .order_by(StatusRequest.submitted_on, StatusRequest.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    items = [view(request, today) for request in session.scalars(query)]
    return OverduePage(items=items, total=total, page=page, per_page=per_page)


def overdue_authorities(
    session: Session, actor: Actor, *, today: dt.date | None = None
) -> list[tuple[str, int]]:
    """The authorities with overdue requests and how many each, most first."""
    today = today or dt.date.today()
    count = func.count(StatusRequest.id)
    rows = session.execute(
        select(StatusRequest.authority, count)
        .join(Case, Case.id == StatusRequest.case_id)
        .where(
            StatusRequest.outcome == RequestOutcome.PENDING,
            StatusRequest.deadline.is_not(None),
            StatusRequest.deadline < today,
            case_visibility_clause(actor),
        )
        .group_by(StatusRequest.authority)
        .order_by(count.desc(), StatusRequest.authority)
    )
    return [(authority, n) for authority, n in rows]
