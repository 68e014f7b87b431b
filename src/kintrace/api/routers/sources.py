"""Sources: who said it, graded on the Admiralty scale (reliability A-F, credibility 1-6)."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from kintrace.api.auth import CurrentActor
from kintrace.api.schemas import SourceIn, SourceOut, SourceUpdate
from kintrace.domain.vocabulary import SourceKind
from kintrace.http.deps import Db, PathId
from kintrace.services import sources as source_service
from kintrace.services.access import require_staff

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", response_model=list[SourceOut])
def list_sources(actor: CurrentActor, session: Db, kind: SourceKind | None = Query(None)) -> list[SourceOut]:
    return [SourceOut.model_validate(s) for s in source_service.list_sources(session, actor, kind)]


@router.post("", response_model=SourceOut, status_code=status.HTTP_201_CREATED)
def create_source(body: SourceIn, actor: CurrentActor, session: Db) -> SourceOut:
    """Record a source. A family account may record only a relative, ungraded (F6)."""
    data = source_service.SourceInput(
        kind=body.kind,
        name=body.name,
        reliability=body.reliability,
        credibility=body.credibility,
        notes=body.notes,
    )
    return SourceOut.model_validate(source_service.create_source(session, actor, data))


@router.get("/{source_id}", response_model=SourceOut)
def get_source(source_id: PathId, actor: CurrentActor, session: Db) -> SourceOut:
    # Families see the sources of their own evidence inside each item; the register is staff-only.
    require_staff(actor, "read the register of sources")
    return SourceOut.model_validate(source_service.get_source(session, actor, source_id))


@router.patch("/{source_id}", response_model=SourceOut)
def update_source(source_id: PathId, body: SourceUpdate, actor: CurrentActor, session: Db) -> SourceOut:
    """Regrade or rename; the evidence-based status of every case citing the source is recomputed."""
    current = source_service.get_source(session, actor, source_id)
    changes = body.model_dump(exclude_unset=True)
    data = source_service.SourceInput(
        kind=changes.get("kind") or current.kind,
        name=changes.get("name") or current.name,
        reliability=changes.get("reliability") or current.reliability,
        credibility=changes.get("credibility") or current.credibility,
        notes=changes.get("notes", current.notes),
    )
    return SourceOut.model_validate(source_service.update_source(session, actor, source_id, data))
