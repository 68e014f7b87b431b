"""Contradictions in a case's evidence, found by the domain's timeline rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from kintrace.domain.contradictions import Contradiction
from kintrace.domain.evidence import EvidenceFact
from kintrace.services.access import Actor, can_see_case, visible_case, visible_item_ids
from kintrace.services.evidence import case_facts, facts_of_cases
from kintrace.services.redaction import contradictions_for


def case_contradictions(
    session: Session, actor: Actor, case_id: int, *, facts: Sequence[EvidenceFact] | None = None
) -> list[Contradiction]:
    """Each conflict names both items and their sources. A family sees those between items it may read.

    `facts`, when the caller has read them (evidence.case_facts of this case), are not read again."""
    visible_case(session, actor, case_id)
    facts = case_facts(session, case_id) if facts is None else list(facts)
    readable = None if actor.is_staff else visible_item_ids(session, actor, (fact.id for fact in facts))
    return contradictions_for(facts, readable)


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
        # The same policy as one case's: conflicts between the items the family may read.
        readable = None if actor.is_staff else visible_item_ids(session, actor, (fact.id for fact in facts))
        found[case_id] = contradictions_for(facts, readable)
    return found
