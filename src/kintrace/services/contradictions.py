"""Contradictions in a case's evidence, found by the domain's timeline rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from kintrace.domain.contradictions import Contradiction, find_contradictions
from kintrace.domain.vocabulary import Visibility
from kintrace.services.access import Actor, can_see_case, visible_case
from kintrace.services.evidence import case_facts, facts_of_cases


def case_contradictions(session: Session, actor: Actor, case_id: int) -> list[Contradiction]:
    """Each conflict names both items and their sources. A family sees those between its own items only."""
    visible_case(session, actor, case_id)
    facts = case_facts(session, case_id)
    if not actor.is_staff:
        facts = [fact for fact in facts if fact.visibility is Visibility.FAMILY]
    return find_contradictions(facts)


def contradictions_of_cases(
    session: Session, actor: Actor, case_ids: Sequence[int]
) -> dict[int, list[Contradiction]]:
    """`case_contradictions` of many cases the actor may see, read in a few queries (the dashboard)."""
    visible = (
        [case_id for case_id in case_ids if can_see_case(session, actor, case_id)]
        if not actor.is_staff
        else list(case_ids)
    )
    found = {}
    for case_id, facts in facts_of_cases(session, visible).items():
        if not actor.is_staff:
            facts = [fact for fact in facts if fact.visibility is Visibility.FAMILY]
        found[case_id] = find_contradictions(facts)
    return found
