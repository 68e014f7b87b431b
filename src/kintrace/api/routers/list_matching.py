"""Matching a published list against the cases, on demand (staff): `POST /lists/{list_id}/match`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import Out
from kintrace.http.deps import Db, PathId
from kintrace.services import list_matching

router = APIRouter(tags=["published lists"])


class MatchSummaryOut(Out):
    list_ids: list[int]
    entries: int = Field(description="List rows read")
    clusters: int = Field(description="Men on the list after its in-list dedupe")
    cases_checked: int = Field(description="Open cases with the family's consent, each now in the search log")
    links: int = Field(description="Pairs in the link band")
    reviews: int = Field(description="Pairs in the review band")
    new_pairs: int
    kept_decisions: int = Field(description="Pairs reviewers had decided, left as they were")
    seconds: float


@router.post("/lists/{list_id}/match", response_model=MatchSummaryOut)
def match_list(
    list_id: PathId, actor: CurrentActor, session: Db, engine: Literal["duckdb", "spark"] = "duckdb"
) -> MatchSummaryOut:
    """Deduplicate the list within itself and match it against every open case whose family agreed to
    list matching (the engine and model of `kintrace link`); decided pairs are kept as they are."""
    summary = list_matching.match_list(session, actor, list_id, engine=engine)
    return MatchSummaryOut(
        list_ids=list(summary.list_ids),
        entries=summary.entries,
        clusters=summary.clusters,
        cases_checked=summary.cases_checked,
        links=summary.links,
        reviews=summary.reviews,
        new_pairs=summary.new_pairs,
        kept_decisions=summary.kept_decisions,
        seconds=summary.seconds,
    )
