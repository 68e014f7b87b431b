"""The form correcting a missing person's particulars, shared by the desk and the family portal."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from sqlalchemy.orm import Session

from kintrace.services import cases as case_service
from kintrace.services.errors import ValidationFailed
from kintrace.services.persons import record_of
from kintrace.web import forms
from kintrace.web.pages import render
from kintrace.web.session import Visitor


def person_page(
    request: Request,
    who: Visitor,
    values: dict[str, Any],
    *,
    back: str,
    staff: bool,
    error: ValidationFailed | None = None,
) -> Response:
    """The form filled with `values`; with `error` it is answered 422 and names the field."""
    context: dict[str, Any] = {"form": values, "action": request.url.path, "back": back, "staff": staff}
    if error is not None:
        context["error"] = error
    return render(
        request, "person_form.html", context, user=who.user, status_code=200 if error is None else 422
    )


async def save_person(
    request: Request, db: Session, who: Visitor, case_id: int, *, back: str, staff: bool
) -> Response | None:
    """Save the posted particulars: None when saved, else the form again with the error."""
    form = await request.form()
    case = case_service.get_case(db, who.actor, case_id)
    try:
        case_service.update_person(db, who.actor, case_id, forms.edited_person(form, record_of(case.person)))
    except ValidationFailed as error:
        db.rollback()
        return person_page(request, who, dict(form), back=back, staff=staff, error=error)
    return None
