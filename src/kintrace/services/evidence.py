"""Evidence items and their attachments. Every change recomputes the evidence-based status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain.dates import PartialDate
from kintrace.domain.errors import DomainError
from kintrace.domain.evidence import EvidenceFact
from kintrace.domain.vocabulary import CaseState, Claim, PersonStatus, SourceKind, Visibility
from kintrace.services import attachments as blobs
from kintrace.services import auditing, notifications
from kintrace.services.access import (
    ANY_FAMILY,
    Actor,
    can_see_item,
    evidence_visibility_clause,
    may_cite_source,
    require_writer,
    visible_case,
    visible_item_ids,
)
from kintrace.services.cases import merged_group
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.services.sources import to_ref
from kintrace.services.status import recompute_evidence_status
from kintrace.store.models import Attachment, Case, EvidenceItem, Source, utcnow


@dataclass(frozen=True)
class EvidenceInput:
    claim: Claim
    source_id: int
    event_date: PartialDate | None = None
    reported_date: PartialDate | None = None
    place: str | None = None
    text: str = ""
    visibility: Visibility = Visibility.INTERNAL
    official_status: PersonStatus | None = None
    birth_date: PartialDate | None = None


def to_fact(item: EvidenceItem) -> EvidenceFact:
    return EvidenceFact(
        id=item.id,
        claim=item.claim,
        event_date=item.event_date,
        reported_date=item.reported_date,
        source=to_ref(item.source),
        place=item.place,
        text=item.text,
        visibility=item.visibility,
        official_status=item.official_status,
        birth_date=item.birth_date,
    )


def _validated(
    session: Session, actor: Actor, case_id: int, data: EvidenceInput
) -> tuple[Source, EvidenceInput]:
    source = session.get(Source, data.source_id)
    missing = ValidationFailed("source_id", f"source {data.source_id} does not exist")
    if source is None:
        raise missing
    if not may_cite_source(session, actor, source, case_id):
        if actor.is_family:
            # Exactly as for a missing id: a family must not learn which sources exist, or of what kind.
            raise missing
        raise ValidationFailed(
            "source_id", f"source {source.id} was recorded by a family that is not linked to this case"
        )
    if actor.is_family:
        if source.kind is not SourceKind.RELATIVE:
            raise ValidationFailed("source_id", "a family account may add only what relatives report")
        if data.visibility is not Visibility.FAMILY:
            raise ValidationFailed("visibility", "items a family adds are family-visible")
    try:
        EvidenceFact(
            id=0,
            claim=data.claim,
            event_date=data.event_date,
            reported_date=data.reported_date,
            source=to_ref(source),
            place=data.place,
            text=data.text,
            visibility=data.visibility,
            official_status=data.official_status,
            birth_date=data.birth_date,
        )
    except DomainError as error:
        raise ValidationFailed.from_error(error) from None
    return source, data


def _apply(item: EvidenceItem, data: EvidenceInput) -> None:
    item.claim = Claim(data.claim)
    item.source_id = data.source_id
    item.event_date = data.event_date
    item.reported_date = data.reported_date
    item.place = data.place
    item.text = data.text
    item.visibility = Visibility(data.visibility)
    item.official_status = None if data.official_status is None else PersonStatus(data.official_status)
    item.birth_date = data.birth_date


def add_evidence(
    session: Session,
    actor: Actor,
    case_id: int,
    data: EvidenceInput,
    *,
    today: dt.date | None = None,
    tell_family: bool = True,
) -> EvidenceItem:
    """Add an item and recompute the status; `tell_family=False` when the caller tells the family
    of it in its own words (an accepted list match), so the family is not told twice."""
    case = visible_case(session, actor, case_id)
    if not actor.is_family:
        require_writer(actor, "add evidence")
    if case.state is CaseState.MERGED:
        raise Conflict(f"case {case.reference} was merged into another; add evidence there")
    _validated(session, actor, case.id, data)
    item = EvidenceItem(case_id=case.id, created_by_id=actor.user_id)
    _apply(item, data)
    session.add(item)
    auditing.record(session, actor, "evidence.create", item)
    recompute_evidence_status(session, actor, case.id, today=today)
    if tell_family:
        notifications.item_added(session, actor, item)
    return item


def get_evidence(session: Session, actor: Actor, evidence_id: int) -> EvidenceItem:
    """The item if the actor may see it (its case, and for a family what the visibility policy allows)."""
    item = session.get(EvidenceItem, evidence_id)
    if item is None:
        raise NotFound("evidence", evidence_id)
    try:
        visible_case(session, actor, item.case_id)
    except NotFound:
        raise NotFound("evidence", evidence_id) from None
    if not can_see_item(session, actor, item):
        raise NotFound("evidence", evidence_id)
    return item


def awaiting_publication(session: Session, actor: Actor, items: list[EvidenceItem]) -> set[int]:
    """Of these items, the families' own reports that other families of the case do not see yet."""
    if not actor.is_staff:
        return set()
    candidates = [i.id for i in items if i.visibility is Visibility.FAMILY and i.published_at is None]
    if not candidates:
        return set()
    shown_to_all = visible_item_ids(session, ANY_FAMILY, candidates)
    return set(candidates) - shown_to_all


def publish_evidence(session: Session, actor: Actor, evidence_id: int) -> EvidenceItem:
    """Show a family's report to the other families of the case (a caseworker's decision)."""
    require_writer(actor, "publish evidence")
    item = get_evidence(session, actor, evidence_id)
    if item.visibility is not Visibility.FAMILY:
        raise Conflict(f"evidence {item.id} is internal; make it family-visible before publishing it")
    if item.published_at is None:
        before = auditing.snapshot(item)
        item.published_at, item.published_by_id = utcnow(), actor.user_id
        auditing.record(session, actor, "evidence.publish", item, before=before)
        notifications.item_added(session, actor, item)
    return item


def list_evidence(session: Session, actor: Actor, case_id: int) -> list[EvidenceItem]:
    """The case's evidence, with that of cases merged into it, in the order it was recorded."""
    visible_case(session, actor, case_id)
    query = (
        select(EvidenceItem)
        .where(EvidenceItem.case_id.in_(merged_group(session, case_id)), evidence_visibility_clause(actor))
        .options(selectinload(EvidenceItem.source), selectinload(EvidenceItem.attachments))
        .order_by(EvidenceItem.id)
    )
    return list(session.scalars(query))


def case_facts(session: Session, case_id: int) -> list[EvidenceFact]:
    """All evidence of the case (and of cases merged into it) as the rules see it: no access filter."""
    query = (
        select(EvidenceItem)
        .where(EvidenceItem.case_id.in_(merged_group(session, case_id)))
        .options(selectinload(EvidenceItem.source))
        .order_by(EvidenceItem.id)
    )
    return [to_fact(item) for item in session.scalars(query)]


def facts_of_cases(session: Session, case_ids: Sequence[int]) -> dict[int, list[EvidenceFact]]:
    """`case_facts` for many cases at once, in a few queries whatever their number (the dashboard).

    Each case's list holds its own items and those of the cases merged into it, oldest first.
    """
    owner = {case_id: case_id for case_id in case_ids}  # case -> the listed case it shows under
    frontier = list(case_ids)
    while frontier:
        children = session.execute(
            select(Case.id, Case.merged_into_id).where(Case.merged_into_id.in_(frontier))
        ).all()
        frontier = []
        for child, parent in children:
            if child not in owner and parent is not None:
                owner[child] = owner[parent]
                frontier.append(child)
    facts: dict[int, list[EvidenceFact]] = {case_id: [] for case_id in case_ids}
    if not owner:
        return facts
    query = (
        select(EvidenceItem)
        .where(EvidenceItem.case_id.in_(list(owner)))
        .options(selectinload(EvidenceItem.source))
        .order_by(EvidenceItem.id)
    )
    for item in session.scalars(query):
        facts[owner[item.case_id]].append(to_fact(item))
    return facts


def update_evidence(
    session: Session, actor: Actor, evidence_id: int, data: EvidenceInput, *, today: dt.date | None = None
) -> EvidenceItem:
    require_writer(actor, "change evidence")
    item = get_evidence(session, actor, evidence_id)
    _validated(session, actor, item.case_id, data)
    before = auditing.snapshot(item)
    _apply(item, data)
    session.flush()
    session.refresh(item, ["source"])
    auditing.record(session, actor, "evidence.update", item, before=before)
    recompute_evidence_status(session, actor, item.case_id, today=today)
    return item


def delete_evidence(
    session: Session, actor: Actor, evidence_id: int, *, today: dt.date | None = None
) -> None:
    require_writer(actor, "remove evidence")
    item = get_evidence(session, actor, evidence_id)
    case_id = item.case_id
    before = auditing.snapshot(item)
    before["attachments"] = [a.sha256 for a in item.attachments]
    auditing.record(session, actor, "evidence.delete", item, before=before, deleted=True)
    session.delete(item)
    session.flush()
    recompute_evidence_status(session, actor, case_id, today=today)


def add_attachment(
    session: Session,
    actor: Actor,
    evidence_id: int,
    *,
    filename: str,
    data: bytes,
    media_type: str | None = None,
    root: Path | None = None,
) -> Attachment:
    """Attach a file to an item: checked, stored once by SHA-256, recorded in the audit log."""
    item = get_evidence(session, actor, evidence_id)
    if not actor.is_family:
        require_writer(actor, "attach files")
    elif item.created_by_id != actor.user_id:
        raise Forbidden("a family account may attach files only to what it reported itself")
    name = blobs.clean_filename(filename or "")
    if not name:
        raise ValidationFailed("filename", "must not be empty")
    sniffed = blobs.check_upload(data, media_type)
    digest = blobs.store_blob(data, root)
    attachment = Attachment(
        evidence_id=item.id, sha256=digest, filename=name, media_type=sniffed, size_bytes=len(data)
    )
    session.add(attachment)
    auditing.record(session, actor, "attachment.create", attachment)
    return attachment


def get_attachment(
    session: Session, actor: Actor, attachment_id: int, root: Path | None = None
) -> tuple[Attachment, bytes]:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("attachment", attachment_id)
    try:
        get_evidence(session, actor, attachment.evidence_id)
    except NotFound:
        raise NotFound("attachment", attachment_id) from None
    return attachment, blobs.read_blob(attachment.sha256, root)
