"""Possible duplicate cases from the linkage engine: every candidate pair, or one case's (staff only).

The case's own linked duplicates stay at GET /cases/{case_id}/duplicates; these are the pairs the
engine proposes that nobody has linked, merged or dismissed yet, as stored by its last run (a full
run: `kintrace cases duplicates --refresh` or the desk's button; one case's check on filing or after
an edit of the person): reading them runs no engine.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import Out
from kintrace.http.deps import Db, PathId
from kintrace.services import duplicate_candidates as candidate_service
from kintrace.services.duplicate_candidates import Candidate

router = APIRouter(tags=["contradictions and duplicates"])


class ReasonOut(Out):
    field: str = Field(description="The compared field: surname, given_name, birth_date, unit, ...")
    level: str = Field(description="How well it agrees, as the engine's comparison level names it")
    bayes_factor: float = Field(description="Above 1 speaks for one person, below 1 against")


class DuplicateCandidateOut(Out):
    case_id: int
    other_case_id: int
    probability: float
    match_weight: float = Field(description="log2 of the pair's Bayes factor, prior included")
    band: str = Field(description="link (likely the same person) or review")
    reasons: list[ReasonOut]
    summary: str = Field(description="The engine's reasons in one line")


def _out(candidate: Candidate) -> DuplicateCandidateOut:
    return DuplicateCandidateOut(
        case_id=candidate.case_id,
        other_case_id=candidate.other_case_id,
        probability=candidate.probability,
        match_weight=candidate.match_weight,
        band=candidate.band.value,
        reasons=[
            ReasonOut(field=r.field, level=r.level, bayes_factor=r.bayes_factor) for r in candidate.reasons
        ],
        summary=candidate.summary,
    )


@router.get("/duplicates", response_model=list[DuplicateCandidateOut])
def candidate_pairs(actor: CurrentActor, session: Db) -> list[DuplicateCandidateOut]:
    """Every stored candidate pair of the link and review bands, strongest first, with the engine's
    reasons."""
    return [_out(c) for c in candidate_service.stored_candidates(session, actor)]


@router.get("/cases/{case_id}/duplicate-candidates", response_model=list[DuplicateCandidateOut])
def case_candidates(case_id: PathId, actor: CurrentActor, session: Db) -> list[DuplicateCandidateOut]:
    """The candidate pairs of one case, strongest first (its linked ones: GET /cases/{case_id}/duplicates)."""
    return [_out(c) for c in candidate_service.stored_candidates(session, actor, case_id=case_id)]
