"""Contradictions in a case's evidence, found by the domain's timeline rules."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kintrace.domain.contradictions import Contradiction, find_contradictions
from kintrace.domain.vocabulary import Visibility
from kintrace.services.access import Actor, visible_case
from kintrace.services.evidence import case_facts


def case_contradictions(session: Session, actor: Actor, case_id: int) -> list[Contradiction]:
    """Each conflict names both items and their sources. A family sees those between its own items only."""
    visible_case(session, actor, case_id)
    facts = case_facts(session, case_id)
    if not actor.is_staff:
        facts = [fact for fact in facts if fact.visibility is Visibility.FAMILY]
    return find_contradictions(facts)
