"""Relatives of the missing person. Their contact details are private to staff and their own family."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kintrace.api.auth import CurrentActor
from kintrace.api.convert import relative_input, relative_out
from kintrace.api.schemas import RelativeIn, RelativeOut, RelativeUpdate
from kintrace.http.deps import Db, PathId
from kintrace.services import cases as case_service
from kintrace.services.access import may_see_contacts
from kintrace.services.errors import Forbidden, NotFound
from kintrace.store.models import Relative

router = APIRouter(tags=["relatives"])


@router.get("/cases/{case_id}/relatives", response_model=list[RelativeOut])
def list_relatives(case_id: PathId, actor: CurrentActor, session: Db) -> list[RelativeOut]:
    return [relative_out(actor, row) for row in case_service.list_relatives(session, actor, case_id)]


@router.post("/cases/{case_id}/relatives", response_model=RelativeOut, status_code=status.HTTP_201_CREATED)
def add_relative(case_id: PathId, body: RelativeIn, actor: CurrentActor, session: Db) -> RelativeOut:
    row = case_service.add_relative(session, actor, case_id, relative_input(body))
    return relative_out(actor, row)


def _visible_relative(session: Db, actor: CurrentActor, relative_id: PathId) -> Relative:
    """The relative, if the actor may see its case; else 404 exactly as for a missing id."""
    row = session.get(Relative, relative_id)
    if row is None:
        raise NotFound("relative", relative_id)
    try:
        case_service.get_case(session, actor, row.case_id)
    except NotFound:
        raise NotFound("relative", relative_id) from None
    return row


@router.patch("/relatives/{relative_id}", response_model=RelativeOut)
def update_relative(
    relative_id: PathId, body: RelativeUpdate, actor: CurrentActor, session: Db
) -> RelativeOut:
    """Change the fields sent; the others keep their values."""
    current = _visible_relative(session, actor, relative_id)
    if not may_see_contacts(actor, current):
        raise Forbidden("a family account may change only the relatives' records it entered or is")
    merged = RelativeIn(
        full_name=current.full_name,
        relationship=current.relationship_,
        relationship_note=current.relationship_note,
        is_reporter=current.is_reporter,
        user_id=current.user_id,
        phone=current.phone,
        email=current.email,
        address=current.address,
        notes=current.notes,
    ).model_copy(update=body.model_dump(exclude_unset=True))
    row = case_service.update_relative(session, actor, relative_id, relative_input(merged))
    return relative_out(actor, row)


@router.delete("/relatives/{relative_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_relative(relative_id: PathId, actor: CurrentActor, session: Db) -> Response:
    case_service.delete_relative(session, actor, relative_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
