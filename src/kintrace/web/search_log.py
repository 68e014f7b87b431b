"""Published lists on the family's case page and the desk: the search log and the consent to list matching.

The family reads in plain words which lists its relative was checked against and what came of it;
the desk sees the same log with the consent's basis and records a family's consent; a list's page of
open consented cases never checked against it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from kintrace.domain.lists import ListKind, SearchResult
from kintrace.http.deps import Db, PathId
from kintrace.services import list_consent
from kintrace.services import search_log as search_log_service
from kintrace.store.models import Case
from kintrace.web import forms
from kintrace.web.i18n import N_
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Family, Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PER_PAGE = 50

LIST_KIND: dict[ListKind, str] = {
    ListKind.PRISONERS: N_("prisoners held"),
    ListKind.EXCHANGED: N_("exchanged or released"),
    ListKind.DEAD: N_("the dead"),
    ListKind.REMAINS_REPATRIATED: N_("remains repatriated"),
    ListKind.WOUNDED: N_("wounded or in hospital"),
    ListKind.WANTED: N_("sought by others"),
    ListKind.OTHER: N_("other list"),
}

# What one line of the log says to a family: never the name of the man on the list.
RESULT: dict[SearchResult, str] = {
    SearchResult.NO_CANDIDATE: N_("not on this list"),
    SearchResult.UNDER_REVIEW: N_("a possible match is being checked by a caseworker"),
    SearchResult.FOUND: N_("found on this list"),
    SearchResult.REJECTED: N_("a similar name, ruled out by a caseworker"),
}

# The consent service's messages a page shows (listed so the catalogs translate them).
MESSAGES = (
    N_("say how the family gave or withdrew consent, e.g. 'told by phone on ...'"),
    N_("at most 300 characters"),
)


def log_context(db: Session, who: Visitor, case: Case) -> dict[str, Any]:
    """What the case pages need to show the log: the log itself and the words for its values (of a
    case the page has read, so its visibility is not checked again)."""
    return {"search_log": search_log_service.search_log_of(db, who.actor, case), **WORDS}


WORDS: dict[str, Any] = {"list_kind_words": LIST_KIND, "search_result_words": RESULT}


@router.get("/my/cases/{case_id}/search-log")
def family_log_page(request: Request, case_id: PathId, db: Db, who: Family) -> Response:
    log = search_log_service.search_log(db, who.actor, case_id)
    context = {"search_log": log, "case_id": case_id, **WORDS}
    return render(request, "portal/search_log.html", context, user=who.user)


@router.post("/my/cases/{case_id}/list-consent")
async def family_consent(request: Request, case_id: PathId, db: Db, who: Family) -> Response:
    """A family member agrees (recorded as agreed in the portal) or withdraws."""
    form = await request.form()
    consent = forms.text(form, "consent") == "yes"
    basis = list_consent.AGREED_IN_PORTAL if consent else None
    list_consent.set_list_matching_consent(db, who.actor, case_id, consent, basis)
    return RedirectResponse(f"/my/cases/{case_id}?added=1#lists", status_code=303)


@router.get("/desk/lists/{list_id}/unchecked")
def unchecked(request: Request, list_id: PathId, db: Db, who: Staff, page: int = 1) -> Response:
    """Open cases with the family's consent never checked against this list, a page at a time."""
    result = search_log_service.unchecked_cases(
        db, who.actor, list_id, page=min(max(page, 1), 100_000), per_page=PER_PAGE
    )
    return render(request, "desk/unchecked.html", {"result": result}, user=who.user)
