"""Contradictions in a case's evidence; duplicate links between cases; merges and their undoing."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import (
    ContradictionOut,
    DuplicateLinkIn,
    DuplicateLinkOut,
    MergeIn,
    MergeOut,
    SourceBrief,
)
from kintrace.http.deps import Db, PathId
from kintrace.services import contradictions as contradiction_service
from kintrace.services import duplicates as duplicate_service

router = APIRouter(tags=["contradictions and duplicates"])


@router.get("/cases/{case_id}/contradictions", response_model=list[ContradictionOut])
def contradictions(case_id: PathId, actor: CurrentActor, session: Db) -> list[ContradictionOut]:
    """Conflicts in the timeline, each naming both items and their sources."""
    found = contradiction_service.case_contradictions(session, actor, case_id)
    return [
        ContradictionOut(
            rule=c.rule,
            rule_text=c.rule_text,
            severity=str(c.severity),
            explanation=c.explanation,
            first_id=c.first_id,
            second_id=c.second_id,
            first_source=SourceBrief.model_validate(c.first_source),
            second_source=SourceBrief.model_validate(c.second_source),
        )
        for c in found
    ]


@router.get("/cases/{case_id}/duplicates", response_model=list[DuplicateLinkOut])
def duplicates(case_id: PathId, actor: CurrentActor, session: Db) -> list[DuplicateLinkOut]:
    return [
        DuplicateLinkOut.model_validate(d) for d in duplicate_service.duplicate_links(session, actor, case_id)
    ]


@router.post(
    "/cases/{case_id}/duplicates", response_model=DuplicateLinkOut, status_code=status.HTTP_201_CREATED
)
def link_duplicate(
    case_id: PathId, body: DuplicateLinkIn, actor: CurrentActor, session: Db
) -> DuplicateLinkOut:
    """Mark two cases as possibly the same person (kept apart until someone merges them)."""
    link = duplicate_service.link_duplicates(session, actor, case_id, body.other_case_id, body.note)
    return DuplicateLinkOut.model_validate(link)


@router.delete("/duplicates/{link_id}", status_code=status.HTTP_204_NO_CONTENT)
def unlink_duplicate(link_id: PathId, actor: CurrentActor, session: Db) -> Response:
    duplicate_service.unlink_duplicates(session, actor, link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/cases/{case_id}/merges", response_model=list[MergeOut])
def merges(case_id: PathId, actor: CurrentActor, session: Db) -> list[MergeOut]:
    return [MergeOut.model_validate(m) for m in duplicate_service.merges_of(session, actor, case_id)]


@router.post("/cases/{case_id}/merges", response_model=MergeOut, status_code=status.HTTP_201_CREATED)
def merge(case_id: PathId, body: MergeIn, actor: CurrentActor, session: Db) -> MergeOut:
    """Fold `merged_case_id` into this case. Both keep their evidence; the merge can be undone."""
    record = duplicate_service.merge_cases(session, actor, case_id, body.merged_case_id, note=body.note)
    return MergeOut.model_validate(record)


@router.post("/merges/{merge_id}/undo", response_model=MergeOut)
def undo_merge(merge_id: PathId, actor: CurrentActor, session: Db) -> MergeOut:
    """Split the merged case off again, as it was before the merge."""
    return MergeOut.model_validate(duplicate_service.undo_merge(session, actor, merge_id))
