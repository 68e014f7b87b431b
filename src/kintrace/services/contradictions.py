"""Contradictions in a case's evidence, found by the domain's timeline rules."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kintrace.domain.contradictions import Contradiction, find_contradictions
from kintrace.services.access import Actor, visible_case, visible_item_ids
from kintrace.services.evidence import case_facts


def case_contradictions(session: Session, actor: Actor, case_id: int) -> list[Contradiction]:
    """Each conflict names both items and their sources. A family sees those between items it may read."""
    visible_case(session, actor, case_id)
    facts = case_facts(session, case_id)
    if not actor.is_staff:
        readable = visible_item_ids(session, actor, (fact.id for fact in facts))
        facts = [fact for fact in facts if fact.id in readable]
    return find_contradictions(facts)
