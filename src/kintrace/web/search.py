"""The desk's name search: the case list service's (services/name_search), as the API answers it.

One query finds every spelling of a name in either script, words in any order, initials included; the
hits come best match first, each with its reason (templates/desk/cases.html says it in the reader's
language).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from kintrace.services import cases as case_service
from kintrace.services.access import Actor
from kintrace.services.cases import CaseFilter, Page


def find_cases(
    session: Session, actor: Actor, flt: CaseFilter, name: str | None, *, page: int, per_page: int
) -> Page:
    named = replace(flt, name=name or None)
    return case_service.list_cases(session, actor, named, page=page, per_page=per_page)
