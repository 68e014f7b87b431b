"""The family's consent that a case be matched against published lists: given, withdrawn, by whom.

A case is never matched without it. A family member of the case gives or withdraws it in the portal;
a caseworker records it at the desk with how it was given ("told by phone on 3 December"). Withdrawing
takes the case's undecided candidate pairs out of the review queue; decided ones are kept, since an
accepted pair is already evidence on the case and a rejected one must never come back.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kintrace.domain.lists import PairDecision, SearchResult, search_result
from kintrace.services import auditing
from kintrace.services.access import Actor, visible_case
from kintrace.services.errors import Forbidden, ValidationFailed
from kintrace.store.models import Case, ListCheck, ListPair, utcnow

BASIS_MAX = 300
# The basis recorded when a family member agrees in the portal, and when filing with the box ticked.
AGREED_IN_PORTAL = "agreed in the portal"
AGREED_WHEN_FILING = "agreed when filing"
_UNDECIDED = (PairDecision.PENDING, PairDecision.UNSURE)


def _basis(actor: Actor, basis: str | None) -> str | None:
    text = " ".join((basis or "").split())
    if len(text) > BASIS_MAX:
        raise ValidationFailed("basis", f"at most {BASIS_MAX} characters (got {len(text)})")
    if not text and not actor.is_family:
        # A caseworker records someone else's decision: how it was given must be on record.
        raise ValidationFailed(
            "basis", "say how the family gave or withdrew consent, e.g. 'told by phone on ...'"
        )
    return text or None


def set_list_matching_consent(
    session: Session, actor: Actor, case_id: int, consent: bool, basis: str | None
) -> Case:
    """Give or withdraw the consent (a family member of the case, or a caseworker); audited."""
    case = visible_case(session, actor, case_id)  # a family: its own cases only
    if not (actor.is_family or actor.can_write_cases):
        raise Forbidden(f"{actor.name} ({actor.role.value}) may not record a family's consent")
    text = _basis(actor, basis)
    before = {
        "list_matching_consent": case.list_matching_consent,
        "list_matching_basis": case.list_matching_basis,
    }
    case.list_matching_consent = consent
    case.list_matching_basis = text if text is not None else (AGREED_IN_PORTAL if consent else None)
    case.list_matching_consent_at = utcnow()
    case.list_matching_consent_by_id = actor.user_id
    auditing.record(
        session,
        actor,
        "case.list_consent" if consent else "case.list_consent_withdrawn",
        case,
        before=before,
        after={
            "list_matching_consent": consent,
            "list_matching_basis": case.list_matching_basis,
            "list_matching_consent_by_id": actor.user_id,
        },
    )
    if not consent:
        _leave_queue(session, actor, case_id)
    return case


def _leave_queue(session: Session, actor: Actor, case_id: int) -> None:
    """Remove the case's undecided pairs; the search log's lines they touched are worked out again."""
    removed = session.execute(
        select(ListPair.id, ListPair.list_id).where(
            ListPair.case_id == case_id, ListPair.decision.in_(_UNDECIDED)
        )
    ).all()
    if not removed:
        return
    session.execute(delete(ListPair).where(ListPair.id.in_([pair_id for pair_id, _ in removed])))
    lists = sorted({list_id for _, list_id in removed})
    auditing.record_event(
        session,
        actor,
        action="list_pairs.removed_on_withdrawal",
        entity="cases",
        entity_id=str(case_id),
        values={"pair_ids": sorted(pair_id for pair_id, _ in removed), "list_ids": lists},
    )
    for check in session.scalars(
        select(ListCheck).where(ListCheck.case_id == case_id, ListCheck.list_id.in_(lists))
    ):
        left = list(
            session.scalars(
                select(ListPair.decision).where(
                    ListPair.case_id == case_id, ListPair.list_id == check.list_id
                )
            )
        )
        # No decided pair left: nothing was found on that list, and nothing is under review any more.
        check.result = search_result(left) if left else SearchResult.NO_CANDIDATE
    session.flush()
