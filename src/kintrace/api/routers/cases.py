"""Cases: the list with its filters, filing, reading, updating, verifying; the person; family members."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from kintrace.api.auth import CurrentActor
from kintrace.api.convert import person_updated, relative_input
from kintrace.api.schemas import (
    MAX_DAYS,
    CaseCreate,
    CaseOut,
    CaseSummary,
    CaseUpdate,
    MemberIn,
    MemberOut,
    Page,
    PersonOut,
    PersonUpdate,
)
from kintrace.domain.vocabulary import CaseState, PersonStatus, StatusTrack
from kintrace.http.deps import MAX_ID, Db, PathId
from kintrace.services import cases as case_service
from kintrace.services import duplicate_candidates
from kintrace.services.access import require_writer
from kintrace.services.case_file import case_head
from kintrace.services.cases import MAX_PAGE
from kintrace.services.errors import Conflict, ValidationFailed
from kintrace.store.models import Case

router = APIRouter(prefix="/cases", tags=["cases"])


def summary(case: Case) -> CaseSummary:
    person = case.person
    return CaseSummary(
        id=case.id,
        reference=case.reference,
        state=case.state,
        official_status=case.official_status,
        evidence_status=case.evidence_status,
        last_name=person.last_name,
        first_name=person.first_name,
        patronymic=person.patronymic,
        birth_date=person.birth_date,
        updated_at=case.updated_at,
    )


@router.get("", response_model=Page[CaseSummary])
def list_cases(
    actor: CurrentActor,
    session: Db,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(50, ge=1, le=case_service.MAX_PAGE_SIZE),
    status_: PersonStatus | None = Query(None, alias="status", description="Status on the chosen track"),
    track: StatusTrack = Query(StatusTrack.OFFICIAL, description="Which track `status` filters"),
    state: CaseState | None = Query(None),
    name: str | None = Query(None, min_length=1, max_length=100, description="Any spelling, any part"),
    days_pending: int | None = Query(
        None,
        ge=0,
        le=MAX_DAYS,
        description="Only cases with a status-change request pending at least this many days",
    ),
    caseworker_id: int | None = Query(None, ge=1, le=MAX_ID),
    include_merged: bool = Query(False),
) -> Page[CaseSummary]:
    """The cases you may see, newest first."""
    flt = case_service.CaseFilter(
        status=status_,
        track=track,
        state=state,
        name=name,
        min_days_pending=days_pending,
        caseworker_id=caseworker_id,
        include_merged=include_merged,
    )
    result = case_service.list_cases(session, actor, flt, page=page, per_page=per_page)
    return Page[CaseSummary](
        items=[summary(c) for c in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@router.post("", response_model=CaseOut, status_code=status.HTTP_201_CREATED)
def create_case(body: CaseCreate, actor: CurrentActor, session: Db) -> CaseOut:
    """File a case. Filed by a family account, it starts unverified and that account is its reporter."""
    case = case_service.create_case(
        session,
        actor,
        body.person,
        reference=body.reference,
        assigned_caseworker_id=body.assigned_caseworker_id,
    )
    if body.reporter is not None:
        reporter = body.reporter.model_copy(update={"is_reporter": True})
        if actor.is_family and reporter.user_id is None:
            reporter = reporter.model_copy(update={"user_id": actor.user_id})
        try:
            case_service.add_relative(session, actor, case.id, relative_input(reporter))
        except ValidationFailed as error:
            field = f"reporter.{error.field}" if error.field else "reporter"
            raise ValidationFailed(field, error.message) from error
    # Possible duplicates become links staff see (GET /cases/{id}/duplicates); the filer learns nothing.
    duplicate_candidates.check_filed_case(session, actor, case.id)
    return CaseOut.model_validate(case)


@router.get("/{case_id}", response_model=CaseOut)
def get_case(case_id: PathId, actor: CurrentActor, session: Db) -> CaseOut:
    # The head of the case pages' read: the case's visibility checked once, the person with its aliases
    # (relatives, members and the rest of the case file are not part of this answer and are not read).
    return CaseOut.model_validate(case_head(session, actor, case_id, people=False))


@router.patch("/{case_id}", response_model=CaseOut)
def update_case(case_id: PathId, body: CaseUpdate, actor: CurrentActor, session: Db) -> CaseOut:
    """Change the case's state or its caseworker (send `null` to unassign)."""
    # The services check the case's visibility before the actor's role: no case is read beforehand.
    case = None
    if body.state is not None:
        case = case_service.set_case_state(session, actor, case_id, body.state)
    if "assigned_caseworker_id" in body.model_fields_set:
        case = case_service.assign_caseworker(session, actor, case_id, body.assigned_caseworker_id)
    if case is None:  # nothing to change: the case as it is
        case = case_service.get_case(session, actor, case_id)
    return CaseOut.model_validate(case)


@router.post("/{case_id}/verify", response_model=CaseOut)
def verify_case(case_id: PathId, actor: CurrentActor, session: Db) -> CaseOut:
    """A caseworker confirms a case a family filed: unverified -> open."""
    case = case_service.get_case(session, actor, case_id)
    require_writer(actor, "verify cases")
    if case.state is not CaseState.UNVERIFIED:
        raise Conflict(f"case {case.reference} is {case.state.value}, not awaiting verification")
    case = case_service.set_case_state(session, actor, case_id, CaseState.OPEN)
    return CaseOut.model_validate(case)


# --- the missing person ----------------------------------------------------------------------------


@router.get("/{case_id}/person", response_model=PersonOut, tags=["persons"])
def get_person(case_id: PathId, actor: CurrentActor, session: Db) -> PersonOut:
    return PersonOut.model_validate(case_service.get_case(session, actor, case_id).person)


@router.patch("/{case_id}/person", response_model=PersonOut, tags=["persons"])
def update_person(case_id: PathId, body: PersonUpdate, actor: CurrentActor, session: Db) -> PersonOut:
    """Change the fields sent (send `null` to clear one); the person is checked again as a whole."""
    case = case_service.get_case(session, actor, case_id)
    case = case_service.update_person(session, actor, case_id, person_updated(case.person, body))
    return PersonOut.model_validate(case.person)


# --- family accounts that may see the case ---------------------------------------------------------


@router.get("/{case_id}/members", response_model=list[MemberOut], tags=["relatives"])
def list_members(case_id: PathId, actor: CurrentActor, session: Db) -> list[MemberOut]:
    return [MemberOut.model_validate(m) for m in case_service.case_members(session, actor, case_id)]


@router.post(
    "/{case_id}/members", response_model=MemberOut, status_code=status.HTTP_201_CREATED, tags=["relatives"]
)
def link_member(case_id: PathId, body: MemberIn, actor: CurrentActor, session: Db) -> MemberOut:
    """Let a family account see this case (as its reporter or a linked relative)."""
    member = case_service.link_family_user(session, actor, case_id, body.user_id, body.relation)
    return MemberOut.model_validate(member)


@router.delete("/{case_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["relatives"])
def unlink_member(case_id: PathId, user_id: PathId, actor: CurrentActor, session: Db) -> Response:
    case_service.unlink_family_user(session, actor, case_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
