"""The desk's possible duplicates (/desk/duplicates): the engine's candidate pairs, strongest first,
each with its reasons, a link into the compare/merge screen and a "not the same person" dismissal.

The pairs are scored when the page is asked for (about a second at 2,000 cases), with the bundled
model: what a page can afford (see services/duplicate_candidates.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from kintrace.api.deps import Db
from kintrace.services import cases as case_service
from kintrace.services import duplicate_candidates
from kintrace.services.duplicate_candidates import Candidate
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.web import forms
from kintrace.web.i18n import N_
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The engine's compared fields as the desk names them.
FIELD_NAMES: dict[str, str] = {
    "surname": N_("Surname"),
    "given_name": N_("Given name"),
    "patronymic": N_("Patronymic"),
    "birth_date": N_("Birth date"),
    "unit": N_("Unit"),
    "service_number": N_("Service number"),
    "place_of_birth": N_("Place of birth"),
}
BANDS: dict[str, str] = {"link": N_("likely the same person"), "review": N_("to review")}
SHOWN = 200  # the strongest pairs; the rest wait until these are decided


def _context(db: Session, who: Visitor, candidates: list[Candidate]) -> dict[str, Any]:
    ids = {i for c in candidates[:SHOWN] for i in (c.case_id, c.other_case_id)}
    return {
        "candidates": candidates[:SHOWN],
        "total": len(candidates),
        "cases": {i: case_service.get_case(db, who.actor, i) for i in ids},
        "field_names": FIELD_NAMES,
        "bands": BANDS,
        "can_write": who.actor.can_write_cases,
        "error": None,
        "done": None,
    }


@router.get("/desk/duplicates")
def candidate_pairs(request: Request, db: Db, who: Staff, done: str | None = None) -> Response:
    context = _context(db, who, duplicate_candidates.find_duplicates(db, who.actor))
    context["done"] = done
    return render(request, "desk/duplicates.html", context, user=who.user)


@router.post("/desk/duplicates/dismiss")
async def dismiss(request: Request, db: Db, who: Staff) -> Response:
    """ "Not the same person", with a reason: the pair is never proposed again."""
    form = await request.form()
    try:
        first, second = forms.integer(form, "case_id"), forms.integer(form, "other_case_id")
        if first is None or second is None:
            raise ValidationFailed("case_id", "choose the two cases")
        duplicate_candidates.dismiss(db, who.actor, first, second, forms.text(form, "reason"))
    except (ValidationFailed, Forbidden, Conflict, NotFound) as error:
        db.rollback()
        context = _context(db, who, duplicate_candidates.find_duplicates(db, who.actor))
        context["error"] = error
        code = {Forbidden: 403, Conflict: 409, NotFound: 404}.get(type(error), 422)
        return render(request, "desk/duplicates.html", context, user=who.user, status_code=code)
    return RedirectResponse("/desk/duplicates?done=dismissed", status_code=303)
