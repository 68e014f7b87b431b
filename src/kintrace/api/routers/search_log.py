"""A case's search log of published lists, and the family's consent to list matching."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter
from pydantic import Field, StringConstraints

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import In, Out
from kintrace.domain.lists import ListKind, SearchResult
from kintrace.domain.records import PartialDate
from kintrace.http.deps import Db, PathId
from kintrace.services import list_consent
from kintrace.services import search_log as search_log_service

router = APIRouter(prefix="/cases/{case_id}", tags=["search log"])


class LogLineOut(Out):
    list_id: int
    title: str
    publisher: str
    published_on: PartialDate | None = Field(
        description="The list's publication date as known (YYYY, YYYY-MM, ...)"
    )
    kind: ListKind
    checked_at: dt.datetime
    result: SearchResult = Field(description="under_review: a candidate waits for a caseworker's decision")


class ConsentOut(Out):
    consent: bool = Field(description="The family agreed that the case be matched against published lists")
    basis: str | None = Field(description="How it was given or withdrawn")
    at: dt.datetime | None


class SearchLogOut(Out):
    case_id: int
    list_matching: ConsentOut
    lists_checked: int
    latest: dt.datetime | None = Field(description="The latest check")
    found_on: list[LogLineOut] = Field(description="The lists the missing person was found on")
    lines: list[LogLineOut] = Field(description="Every list the case was checked against, newest check first")


class ConsentIn(In):
    consent: bool
    basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = Field(
        None, description="How the family gave or withdrew it; required when staff record it"
    )


def _consent(consent: bool, basis: str | None, at: dt.datetime | None) -> ConsentOut:
    return ConsentOut(consent=consent, basis=basis, at=at)


@router.get("/search-log", response_model=SearchLogOut)
def get_search_log(case_id: PathId, actor: CurrentActor, session: Db) -> SearchLogOut:
    """Every published list the case was checked against; a family: its own cases, list facts only."""
    log = search_log_service.search_log(session, actor, case_id)
    lines = [LogLineOut.model_validate(line) for line in log.lines]
    return SearchLogOut(
        case_id=log.case_id,
        list_matching=_consent(log.consent, log.consent_basis, log.consent_at),
        lists_checked=log.lists_checked,
        latest=log.latest,
        found_on=[line for line in lines if line.result is SearchResult.FOUND],
        lines=lines,
    )


@router.put("/list-matching-consent", response_model=ConsentOut)
def put_list_matching_consent(
    case_id: PathId, body: ConsentIn, actor: CurrentActor, session: Db
) -> ConsentOut:
    """Give or withdraw the consent: a family member of the case, or a caseworker with the basis."""
    case = list_consent.set_list_matching_consent(session, actor, case_id, body.consent, body.basis)
    return _consent(case.list_matching_consent, case.list_matching_basis, case.list_matching_consent_at)
