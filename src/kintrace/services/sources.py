"""Sources: who said it, graded on the Admiralty scale (reliability A-F, credibility 1-6)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.errors import DomainError
from kintrace.domain.evidence import SourceRef
from kintrace.domain.vocabulary import Credibility, Reliability, SourceKind
from kintrace.services import auditing
from kintrace.services.access import Actor, evidence_visibility_clause, require_staff, require_writer
from kintrace.services.errors import NotFound, ValidationFailed
from kintrace.services.status import recompute_for_source
from kintrace.store.models import CaseMember, EvidenceItem, Source


@dataclass(frozen=True)
class SourceInput:
    kind: SourceKind
    name: str
    reliability: Reliability = Reliability.F
    credibility: Credibility = Credibility.CANNOT_BE_JUDGED
    notes: str | None = None

    def validated(self) -> SourceRef:
        try:
            return SourceRef(0, self.kind, self.name.strip(), self.reliability, self.credibility)
        except DomainError as error:
            raise ValidationFailed.from_error(error) from None


def to_ref(source: Source) -> SourceRef:
    return SourceRef(source.id, source.kind, source.name, source.reliability, source.credibility)


def create_source(session: Session, actor: Actor, data: SourceInput) -> Source:
    """Record a source. A family account may record only itself as a relative, ungraded (F6)."""
    ref = data.validated()
    if actor.is_family:
        if ref.kind is not SourceKind.RELATIVE:
            raise ValidationFailed("kind", "a family account may record only relatives as sources")
        if ref.reliability is not Reliability.F or ref.credibility is not Credibility.CANNOT_BE_JUDGED:
            raise ValidationFailed("reliability", "sources are graded by caseworkers")
    else:
        require_writer(actor, "record sources")
    source = Source(
        kind=ref.kind,
        name=ref.name,
        reliability=ref.reliability,
        credibility=ref.credibility,
        notes=data.notes,
        created_by_id=actor.user_id,
    )
    session.add(source)
    auditing.record(session, actor, "source.create", source)
    return source


def get_source(session: Session, actor: Actor, source_id: int) -> Source:
    """A source; a family account sees only those it recorded and those cited by items of its own
    cases that it may read (a source may name an informant whom other families must not learn about)."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound("source", source_id)
    if not actor.is_staff and source.created_by_id != actor.user_id:
        cited = session.scalar(
            select(EvidenceItem.id)
            .join(CaseMember, CaseMember.case_id == EvidenceItem.case_id)
            .where(
                EvidenceItem.source_id == source_id,
                evidence_visibility_clause(actor),
                CaseMember.user_id == actor.user_id,
            )
            .limit(1)
        )
        if cited is None:
            raise NotFound("source", source_id)
    return source


def list_sources(session: Session, actor: Actor, kind: SourceKind | None = None) -> list[Source]:
    require_staff(actor, "list sources")
    query = select(Source).order_by(Source.name, Source.id)
    if kind is not None:
        query = query.where(Source.kind == SourceKind(kind))
    return list(session.scalars(query))


def update_source(session: Session, actor: Actor, source_id: int, data: SourceInput) -> Source:
    """Regrade or rename a source; the evidence-based status of its cases is recomputed."""
    require_writer(actor, "grade sources")
    ref = data.validated()
    source = get_source(session, actor, source_id)
    before = auditing.snapshot(source)
    source.kind, source.name = ref.kind, ref.name
    source.reliability, source.credibility = ref.reliability, ref.credibility
    source.notes = data.notes
    auditing.record(session, actor, "source.update", source, before=before)
    recompute_for_source(session, actor, source.id)
    return source
