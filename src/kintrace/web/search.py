"""The desk's name search: one query finds the Cyrillic and the Latin spellings of a name.

The case list service matches a substring of the stored spellings; this runs it once for each
reading of the query (as typed, and in the other script) and joins the results, newest first.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kintrace.services import cases as case_service
from kintrace.services.access import Actor
from kintrace.services.cases import MAX_PAGE_SIZE, CaseFilter, Page
from kintrace.store.models import Case
from kintrace.web.translit import search_spellings


def find_cases(
    session: Session, actor: Actor, flt: CaseFilter, name: str | None, *, page: int, per_page: int
) -> Page:
    spellings = search_spellings(name or "")
    if not spellings:
        return case_service.list_cases(session, actor, flt, page=page, per_page=per_page)
    found: dict[int, Case] = {}
    for spelling in spellings:
        flt_one = CaseFilter(
            status=flt.status,
            track=flt.track,
            state=flt.state,
            name=spelling,
            min_days_pending=flt.min_days_pending,
            caseworker_id=flt.caseworker_id,
            include_merged=flt.include_merged,
        )
        # A name search is narrow; the first MAX_PAGE_SIZE hits of each reading are plenty.
        for case in case_service.list_cases(session, actor, flt_one, page=1, per_page=MAX_PAGE_SIZE).items:
            found[case.id] = case
    ordered = [found[key] for key in sorted(found, reverse=True)]
    start = (page - 1) * per_page
    return Page(items=ordered[start : start + per_page], total=len(ordered), page=page, per_page=per_page)
