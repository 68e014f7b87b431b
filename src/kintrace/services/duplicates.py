"""Duplicate cases: link two cases that may be one person; merge one into the other; undo a merge.

A merge moves nothing: the merged case is marked MERGED and points at its target, and the
target's evidence list and evidence-based status take in the merged case's items. Undoing it
restores the merged case's state, so both records' evidence is kept throughout.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import CaseState, Role
from kintrace.services import auditing, duplicate_candidates
from kintrace.services.access import Actor, require_role, require_staff, require_writer, visible_case
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.services.status import recompute_evidence_status
from kintrace.store.models import Case, DuplicateLink, Merge, utcnow


def link_duplicates(
    session: Session, actor: Actor, case_id: int, other_case_id: int, note: str | None = None
) -> DuplicateLink:
    # Visibility before role: someone else's case is "not found" whatever the actor's role.
    visible_case(session, actor, case_id)
    visible_case(session, actor, other_case_id)
    require_role(actor, Role.CASEWORKER, Role.ANALYST, Role.ADMIN, action="link duplicate cases")
    if case_id == other_case_id:
        raise ValidationFailed("other_case_id", "a case cannot duplicate itself")
    first, second = sorted((case_id, other_case_id))
    existing = session.scalar(
        select(DuplicateLink).where(DuplicateLink.case_id == first, DuplicateLink.other_case_id == second)
    )
    if existing is not None:
        return existing
    link = DuplicateLink(case_id=first, other_case_id=second, note=note, created_by_id=actor.user_id)
    session.add(link)
    auditing.record(session, actor, "duplicate.link", link)
    return link


def unlink_duplicates(session: Session, actor: Actor, link_id: int) -> None:
    require_role(actor, Role.CASEWORKER, Role.ANALYST, Role.ADMIN, action="unlink duplicate cases")
    link = session.get(DuplicateLink, link_id)
    if link is None:
        raise NotFound("duplicate link", link_id)
    auditing.record(session, actor, "duplicate.unlink", link, before=auditing.snapshot(link), deleted=True)
    session.delete(link)
    session.flush()


def duplicate_links(session: Session, actor: Actor, case_id: int) -> list[DuplicateLink]:
    """Candidate duplicates name other cases (perhaps other families'): staff work only."""
    visible_case(session, actor, case_id)
    return links_of(session, actor, case_id)


def links_of(session: Session, actor: Actor, case_id: int) -> list[DuplicateLink]:
    """`duplicate_links` of a case the caller may see."""
    require_staff(actor, "see candidate duplicates")
    query = select(DuplicateLink).where(
        or_(DuplicateLink.case_id == case_id, DuplicateLink.other_case_id == case_id)
    )
    return list(session.scalars(query.order_by(DuplicateLink.id)))


def merge_cases(
    session: Session,
    actor: Actor,
    target_case_id: int,
    merged_case_id: int,
    *,
    note: str | None = None,
    today: dt.date | None = None,
) -> Merge:
    """Fold `merged_case_id` into `target_case_id` (both keep their evidence; undo with `undo_merge`)."""
    # Visibility before role: someone else's case is "not found" whatever the actor's role.
    target = visible_case(session, actor, target_case_id)
    merged = visible_case(session, actor, merged_case_id)
    require_writer(actor, "merge cases")
    if target_case_id == merged_case_id:
        raise ValidationFailed("merged_case_id", "a case cannot be merged into itself")
    if merged.state is CaseState.MERGED:
        raise Conflict(f"case {merged.reference} is already merged into another")
    if target.state is CaseState.MERGED:
        raise Conflict(f"case {target.reference} is itself merged; merge into the case it went to")
    before = auditing.snapshot(merged)
    record = Merge(
        target_case_id=target.id,
        merged_case_id=merged.id,
        previous_state=merged.state,
        note=note,
        merged_by_id=actor.user_id,
    )
    merged.state = CaseState.MERGED
    merged.merged_into_id = target.id
    session.add(record)
    auditing.record(session, actor, "case.merge", merged, before=before)
    auditing.record(session, actor, "merge.create", record)
    duplicate_candidates.forget_case(session, merged.id)  # merged away: none of its pairs is proposed
    recompute_evidence_status(session, actor, target.id, today=today)
    return record


def undo_merge(session: Session, actor: Actor, merge_id: int, *, today: dt.date | None = None) -> Merge:
    """Split a merged case off again, as it was before the merge."""
    require_writer(actor, "undo merges")
    record = session.get(Merge, merge_id)
    if record is None:
        raise NotFound("merge", merge_id)
    if record.undone_at is not None:
        raise Conflict(f"merge {merge_id} was already undone")
    merged = session.get(Case, record.merged_case_id)
    assert merged is not None
    if merged.merged_into_id != record.target_case_id:
        raise Conflict(
            f"case {merged.reference} has moved since merge {merge_id}; undo the later merge first"
        )
    before_case, before_merge = auditing.snapshot(merged), auditing.snapshot(record)
    merged.state = record.previous_state
    merged.merged_into_id = None
    record.undone_at = utcnow()
    record.undone_by_id = actor.user_id
    auditing.record(session, actor, "case.unmerge", merged, before=before_case)
    auditing.record(session, actor, "merge.undo", record, before=before_merge)
    recompute_evidence_status(session, actor, record.target_case_id, today=today)
    recompute_evidence_status(session, actor, merged.id, today=today)
    duplicate_candidates.recheck_case_after_commit(session, merged.id)  # back in the registry: its pairs
    return record


def merges_of(session: Session, actor: Actor, case_id: int) -> list[Merge]:
    visible_case(session, actor, case_id)
    return merges_of_case(session, case_id)


def merges_of_case(session: Session, case_id: int) -> list[Merge]:
    """The merges a case the caller may see took part in."""
    query = select(Merge).where(or_(Merge.target_case_id == case_id, Merge.merged_case_id == case_id))
    return list(session.scalars(query.order_by(Merge.id)))
