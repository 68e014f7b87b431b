"""Published lists: what kind of list it is, what an entry on it claims, and where a case stands with it.

A published list (prisoners held, an exchange, the dead, remains repatriated, ...) is a source of its
own. Each entry claims something about the man it names; which claim follows from the list's kind
unless the caseworker says otherwise when importing. Candidate pairs (a list entry and a case) are
decided by people, and every case keeps a search log: each list it was checked against, with the result.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from kintrace.domain.vocabulary import Claim


class ListKind(StrEnum):
    PRISONERS = "prisoners"  # prisoners held
    EXCHANGED = "exchanged"  # exchanged or released
    DEAD = "dead"
    REMAINS_REPATRIATED = "remains_repatriated"
    WOUNDED = "wounded"  # wounded or in hospital
    WANTED = "wanted"  # sought by someone (another registry, a wanted notice)
    OTHER = "other"


# What an entry on a list of each kind says about the man it names (overridable per list).
CLAIM_OF_LIST_KIND: Final = MappingProxyType(
    {
        ListKind.PRISONERS: Claim.CAPTURED,
        ListKind.EXCHANGED: Claim.RELEASED,
        ListKind.DEAD: Claim.DEAD,
        ListKind.REMAINS_REPATRIATED: Claim.REMAINS_FOUND,
        ListKind.WOUNDED: Claim.WOUNDED,
        ListKind.WANTED: Claim.NO_INFORMATION,
        ListKind.OTHER: Claim.NO_INFORMATION,
    }
)


class PairBand(StrEnum):
    """The linkage engine's band for a candidate pair (see kintrace.linkage.model)."""

    LINK = "link"
    REVIEW = "review"


class PairDecision(StrEnum):
    PENDING = "pending"  # waiting for a reviewer
    ACCEPTED = "accepted"  # the man on the list is the missing person: an evidence item on the case
    REJECTED = "rejected"  # not him (a namesake): never proposed again for this case
    UNSURE = "unsure"  # a reviewer could not tell; stays in the queue, behind the pending ones


class SearchResult(StrEnum):
    """One line of a case's search log: what checking it against one list gave."""

    NO_CANDIDATE = "no_candidate"
    UNDER_REVIEW = "under_review"
    FOUND = "found"
    REJECTED = "rejected"  # candidates were found and reviewers ruled every one out


def search_result(decisions: list[PairDecision]) -> SearchResult:
    """The search log's result for one case and one list, from the decisions on its candidate pairs."""
    if PairDecision.ACCEPTED in decisions:
        return SearchResult.FOUND
    if PairDecision.PENDING in decisions or PairDecision.UNSURE in decisions:
        return SearchResult.UNDER_REVIEW
    if decisions:
        return SearchResult.REJECTED
    return SearchResult.NO_CANDIDATE


# The fields an entry's columns map onto (the rest of the row is kept as written).
ENTRY_FIELDS: Final = (
    "full_name",  # one column holding the whole name, split on import
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "birth_place",
    "unit",
    "service_number",
    "rank",
    "sex",
    "event_date",  # the date the entry speaks of (captured on, exchanged on, died on)
    "place",
    "notes",
)
