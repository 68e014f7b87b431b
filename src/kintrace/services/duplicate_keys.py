"""Which cases one case's duplicate check reads in a large registry: those sharing a name key.

Scoring one case against every row of a registry of 100,000 costs the features of all of them on
every filing. Beyond `duplicate_candidates.FULL_SCAN_LIMIT` cases the check reads only the cases
that share a surname-and-initial key with it (`PersonNameKey`'s "b:" keys where they are filled, else
the surname's phonetic key, computed here), plus an even sample of the registry: the sample keeps the
term frequencies near the registry's (a surname all the candidates share is not common for that).
A duplicate whose surname is spelt beyond its phonetic key is then found only by the full run.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import CaseState
from kintrace.services.name_keys import word_keys
from kintrace.store.models import Case, MissingPerson, PersonAlias, PersonNameKey

BACKGROUND_CASES = 2_000  # the even sample read beside the candidates


@lru_cache(maxsize=65_536)
def _surname_keys(last_name: str) -> frozenset[str]:
    return frozenset(word_keys(last_name))


def _spellings(session: Session, case_ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(case id, surname) of every spelling of the cases not merged away (or of `case_ids`)."""
    main = select(MissingPerson.case_id, MissingPerson.last_name).join(Case, Case.id == MissingPerson.case_id)
    aliases = (
        select(MissingPerson.case_id, PersonAlias.last_name)
        .join(PersonAlias, PersonAlias.person_id == MissingPerson.id)
        .join(Case, Case.id == MissingPerson.case_id)
    )
    out: list[tuple[int, str]] = []
    for query in (main, aliases):
        query = query.where(Case.state != CaseState.MERGED)
        if case_ids is not None:
            query = query.where(MissingPerson.case_id.in_(case_ids))
        out.extend((int(c), str(last or "")) for c, last in session.execute(query))
    return out


def _by_stored_keys(session: Session, case_id: int) -> set[int] | None:
    """Cases sharing a stored "b:" key with the case; None when its keys are not filled."""
    person_id = select(MissingPerson.id).where(MissingPerson.case_id == case_id).scalar_subquery()
    keys = set(
        session.scalars(
            select(PersonNameKey.key).where(
                PersonNameKey.person_id == person_id, PersonNameKey.key.like("b:%")
            )
        )
    )
    if not keys:
        return None
    query = (
        select(MissingPerson.case_id)
        .join(PersonNameKey, PersonNameKey.person_id == MissingPerson.id)
        .where(PersonNameKey.key.in_(sorted(keys)))
    )
    return set(session.scalars(query))


def _by_surname_key(session: Session, case_id: int) -> set[int]:
    wanted: set[str] = set()
    for _, last in _spellings(session, [case_id]):
        wanted |= _surname_keys(last)
    return {c for c, last in _spellings(session) if _surname_keys(last) & wanted}


def _background(session: Session, size: int) -> set[int]:
    ids = list(session.scalars(select(Case.id).where(Case.state != CaseState.MERGED).order_by(Case.id)))
    step = max(1, len(ids) // max(size, 1))
    return set(ids[::step])


def candidate_case_ids(session: Session, case_id: int, background: int = BACKGROUND_CASES) -> set[int]:
    """The case, the cases sharing a name key with it, and an even sample of the registry."""
    found = _by_stored_keys(session, case_id)
    if found is None:
        found = _by_surname_key(session, case_id)
    return found | _background(session, background) | {case_id}
