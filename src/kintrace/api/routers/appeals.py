"""Collective appeals: drafted by caseworkers, joined by families with consent, sent, answered."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import Field

from kintrace.api.auth import CurrentActor
from kintrace.api.documents import Documents
from kintrace.api.downloads import as_download
from kintrace.api.schemas import In, Out
from kintrace.domain.vocabulary import AppealDemand, AppealState, PersonStatus, RequestOutcome
from kintrace.http.deps import Db, PathId
from kintrace.services import appeals as appeal_service
from kintrace.services.access import Actor

router = APIRouter(tags=["appeals"])


class AppealIn(In):
    title: str = Field(min_length=1, max_length=200)
    authority: str = Field(
        min_length=1, max_length=300, description="The addressee, as it is officially named"
    )
    demand: AppealDemand
    text: str = Field("", max_length=20_000)
    language: Literal["uk", "ru", "en"] = Field("uk", description="The letter's language")
    answer_days: int = Field(30, ge=1, le=365, description="The authority's time to answer, from sending")


class SignatoryOut(Out):
    case_id: int
    signatory: str
    requested_status: PersonStatus | None
    consent_on: dt.date
    joined_by_family: bool
    outcome: RequestOutcome
    outcome_note: str | None


class AppealAnswerOut(Out):
    id: int
    received_on: dt.date
    reference_number: str | None
    text: str


class AppealOut(Out):
    id: int
    title: str
    authority: str
    demand: AppealDemand
    text: str
    language: str
    state: AppealState
    answer_days: int
    sent_on: dt.date | None
    channel: str | None
    reference_number: str | None
    letter_sha256: str | None
    cases: int = Field(description="Cases in the appeal (all families)")
    signatories: list[SignatoryOut] = Field(description="Every signatory for staff; a family's own only")
    answers: list[AppealAnswerOut]
    deadline: dt.date | None
    overdue: bool
    days_overdue: int
    days_waiting: int | None


class AddCaseIn(In):
    case_id: int = Field(ge=1, le=2**31 - 1)
    signatory: str = Field(min_length=1, max_length=200, description="Who signs for the family")
    consent_on: dt.date = Field(description="The day the family agreed to be named in the letter")
    requested_status: PersonStatus | None = None


class JoinIn(In):
    case_id: int = Field(ge=1, le=2**31 - 1)
    signatory: str = Field(min_length=1, max_length=200, description="Your name as it should appear")
    consent: bool = Field(description="I agree that my name and my relative's are written in the letter")
    requested_status: PersonStatus | None = None


class SentIn(In):
    sent_on: dt.date
    channel: str = Field(min_length=1, max_length=100, description="Post, e-mail, in person, ...")
    reference_number: str | None = Field(None, max_length=100)


class AppealAnswerIn(In):
    received_on: dt.date
    text: str = Field("", max_length=20_000)
    reference_number: str | None = Field(None, max_length=100)


class OutcomeIn(In):
    outcome: RequestOutcome
    note: str | None = Field(None, max_length=2_000)


def _out(session: Db, actor: Actor, appeal_id: int) -> AppealOut:
    appeal = appeal_service.get_appeal(session, actor, appeal_id)
    made = appeal_service.view(session, actor, appeal)
    return AppealOut.model_validate(
        {
            **{k: getattr(appeal, k) for k in AppealOut.model_fields if hasattr(appeal, k)},
            "cases": made.cases,
            "signatories": [SignatoryOut.model_validate(row) for row in made.signatories],
            "answers": [AppealAnswerOut.model_validate(a) for a in appeal.answers],
            "deadline": made.deadline,
            "overdue": made.overdue,
            "days_overdue": made.days_overdue,
            "days_waiting": made.days_waiting,
        }
    )


def _input(body: AppealIn) -> appeal_service.AppealInput:
    return appeal_service.AppealInput(
        body.title, body.authority, body.demand, body.text, body.language, body.answer_days
    )


@router.get("/appeals", response_model=list[AppealOut])
def list_appeals(actor: CurrentActor, session: Db) -> list[AppealOut]:
    """Staff: every appeal. A family: the appeals open for joining and those its cases are in."""
    return [_out(session, actor, v.appeal.id) for v in appeal_service.list_appeals(session, actor)]


@router.post("/appeals", response_model=AppealOut, status_code=status.HTTP_201_CREATED)
def create_appeal(body: AppealIn, actor: CurrentActor, session: Db) -> AppealOut:
    appeal = appeal_service.create_appeal(session, actor, _input(body))
    return _out(session, actor, appeal.id)


@router.get("/appeals/{appeal_id}", response_model=AppealOut)
def get_appeal(appeal_id: PathId, actor: CurrentActor, session: Db) -> AppealOut:
    return _out(session, actor, appeal_id)


@router.put("/appeals/{appeal_id}", response_model=AppealOut)
def update_appeal(appeal_id: PathId, body: AppealIn, actor: CurrentActor, session: Db) -> AppealOut:
    """Edit a draft (a sent appeal is fixed)."""
    appeal_service.update_appeal(session, actor, appeal_id, _input(body))
    return _out(session, actor, appeal_id)


@router.post("/appeals/{appeal_id}/cases", response_model=AppealOut, status_code=status.HTTP_201_CREATED)
def add_case(appeal_id: PathId, body: AddCaseIn, actor: CurrentActor, session: Db) -> AppealOut:
    """A caseworker adds a case, recording the day its family agreed to be named."""
    appeal_service.add_case(
        session,
        actor,
        appeal_id,
        body.case_id,
        signatory=body.signatory,
        consent_on=body.consent_on,
        requested_status=body.requested_status,
    )
    return _out(session, actor, appeal_id)


@router.post("/appeals/{appeal_id}/join", response_model=AppealOut, status_code=status.HTTP_201_CREATED)
def join_appeal(appeal_id: PathId, body: JoinIn, actor: CurrentActor, session: Db) -> AppealOut:
    """A family joins with its own case; `consent` must be true."""
    appeal_service.join(
        session,
        actor,
        appeal_id,
        body.case_id,
        signatory=body.signatory,
        consent=body.consent,
        requested_status=body.requested_status,
    )
    return _out(session, actor, appeal_id)


@router.delete("/appeals/{appeal_id}/cases/{case_id}", status_code=status.HTTP_204_NO_CONTENT)
def leave_appeal(appeal_id: PathId, case_id: PathId, actor: CurrentActor, session: Db) -> Response:
    """Take a case out of a draft (its family or a caseworker)."""
    appeal_service.leave(session, actor, appeal_id, case_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/appeals/{appeal_id}/letter",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The letter"}},
)
def appeal_letter(appeal_id: PathId, actor: CurrentActor, session: Db, makers: Documents) -> Response:
    """The letter as PDF in the appeal's language; its SHA-256 is recorded in the audit log."""
    appeal = appeal_service.get_appeal(session, actor, appeal_id)
    made = makers.letter(session, actor, appeal)
    return as_download(made)


@router.post("/appeals/{appeal_id}/send", response_model=AppealOut)
def send_appeal(
    appeal_id: PathId, body: SentIn, actor: CurrentActor, session: Db, makers: Documents
) -> AppealOut:
    """Record that the letter went out: the signatories are fixed and the letter's SHA-256 kept."""
    appeal = appeal_service.get_appeal(session, actor, appeal_id)
    letter = makers.letter(session, actor, appeal, body.sent_on)
    appeal_service.mark_sent(
        session,
        actor,
        appeal_id,
        sent_on=body.sent_on,
        channel=body.channel,
        reference_number=body.reference_number,
        letter_sha256=letter.sha256,
    )
    return _out(session, actor, appeal_id)


@router.post("/appeals/{appeal_id}/answers", response_model=AppealOut, status_code=status.HTTP_201_CREATED)
def record_answer(appeal_id: PathId, body: AppealAnswerIn, actor: CurrentActor, session: Db) -> AppealOut:
    appeal_service.record_answer(
        session,
        actor,
        appeal_id,
        received_on=body.received_on,
        text=body.text,
        reference_number=body.reference_number,
    )
    return _out(session, actor, appeal_id)


@router.put("/appeals/{appeal_id}/cases/{case_id}/outcome", response_model=AppealOut)
def set_outcome(
    appeal_id: PathId, case_id: PathId, body: OutcomeIn, actor: CurrentActor, session: Db
) -> AppealOut:
    appeal_service.set_outcome(session, actor, appeal_id, case_id, body.outcome, body.note)
    return _out(session, actor, appeal_id)


@router.get("/cases/{case_id}/appeals", response_model=list[AppealOut])
def appeals_of_case(case_id: PathId, actor: CurrentActor, session: Db) -> list[AppealOut]:
    """The appeals a case is in, with what came of them."""
    return [
        _out(session, actor, v.appeal.id) for v in appeal_service.appeals_of_case(session, actor, case_id)
    ]
