"""Both status tracks side by side: what the authority declares and what the evidence supports."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import OfficialStatusIn, StatusChangeOut, StatusOut, TrackOut
from kintrace.domain.vocabulary import StatusTrack
from kintrace.http.deps import Db, PathId
from kintrace.services import status as status_service
from kintrace.services.status import StatusEntry

router = APIRouter(prefix="/cases/{case_id}/status", tags=["status"])


def _history(rows: list[StatusEntry]) -> list[StatusChangeOut]:
    """History entries, already redacted by the service for the actor."""
    return [StatusChangeOut.model_validate(row) for row in rows]


@router.get("", response_model=StatusOut)
def get_status(case_id: PathId, actor: CurrentActor, session: Db) -> StatusOut:
    """Current status of each track with its history; the rule behind the evidence status; divergence."""
    view = status_service.status_view(session, actor, case_id)
    history = _history(view.history)
    derived = view.derivation
    return StatusOut(
        case_id=case_id,
        official=TrackOut(
            track=StatusTrack.OFFICIAL,
            status=view.official,
            since=view.official_since,
            history=[h for h in history if h.track is StatusTrack.OFFICIAL],
        ),
        evidence=TrackOut(
            track=StatusTrack.EVIDENCE,
            status=derived.status,
            since=derived.since,
            rule=derived.rule,
            rule_text=derived.rule_text,
            fact_ids=list(derived.fact_ids),
            history=[h for h in history if h.track is StatusTrack.EVIDENCE],
        ),
        divergence=view.divergence,
    )


@router.get("/history", response_model=list[StatusChangeOut])
def get_history(
    case_id: PathId, actor: CurrentActor, session: Db, track: StatusTrack | None = Query(None)
) -> list[StatusChangeOut]:
    return _history(status_service.status_history(session, actor, case_id, track))


@router.post("/official", response_model=StatusChangeOut, status_code=status.HTTP_201_CREATED)
def set_official_status(
    case_id: PathId, body: OfficialStatusIn, actor: CurrentActor, session: Db
) -> StatusChangeOut:
    """Record what the authority now declares. A move the transition table forbids is refused (422)."""
    change = status_service.set_official_status(
        session, actor, case_id, body.status, since=body.since, reason=body.reason
    )
    return StatusChangeOut.model_validate(change)
