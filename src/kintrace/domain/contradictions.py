"""Contradictions: rules over one person's timeline that find evidence items which cannot all be true.

Each rule has an id and a sentence; each finding names both items and their sources in plain words,
so a caseworker can take it to the family or the authority as it stands.

Partial dates: a conflict in time is reported only when it is certain over every day the two partial
dates may stand for ("2023-06" is certainly after "2023-05-31", but not after "2023-06-10"). Where a
sign of life only MAY come after a death (say "alive in 2023-05" against "dead on 2023-05-10"), a
weaker NOTE is reported under its own rule: worth a look, not a conflict. Any finding that rests on
an item graded unreliable (E) or improbable (5) is likewise only a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from types import MappingProxyType

from kintrace.domain.evidence import EvidenceFact, SourceRef
from kintrace.domain.status import PROGRESS
from kintrace.domain.vocabulary import Claim, PersonStatus

S = PersonStatus

ALIVE_AFTER_DEATH = "C1-alive-after-death"
ALIVE_MAYBE_AFTER_DEATH = "C2-alive-maybe-after-death"
OFFICIAL_NOTICES_DISAGREE = "C3-official-notices-disagree"
TWO_PLACES_AT_ONCE = "C4-two-places-at-once"
DIFFERENT_BIRTH_DATES = "C5-different-birth-dates"
DIFFERENT_DEATH_DATES = "C6-different-death-dates"

RULES: Mapping[str, str] = MappingProxyType(
    {
        ALIVE_AFTER_DEATH: (
            "A sign of life (alive, wounded, captured, seen, released, found) dated certainly after a "
            "report of death or of remains cannot both be true."
        ),
        ALIVE_MAYBE_AFTER_DEATH: (
            "A sign of life whose date may fall after a report of death, though the partial dates allow "
            "either order: a note to check, not a conflict."
        ),
        OFFICIAL_NOTICES_DISAGREE: (
            "Two official notices declare statuses that do not follow one from the other: the later does "
            "not progress from the earlier (it withdraws or reverses it), or, where their order is "
            "unknown, neither progresses from the other."
        ),
        TWO_PLACES_AT_ONCE: (
            "The person is placed in two different places on the same day (both dates known to the day)."
        ),
        DIFFERENT_BIRTH_DATES: "Two items state birth dates that cannot be the same day.",
        DIFFERENT_DEATH_DATES: "Two reports of death give dates that cannot be the same day.",
    }
)


class Severity(StrEnum):
    CONFLICT = "conflict"  # both items cannot be true
    NOTE = "note"  # they may conflict: the partial dates leave it open


@dataclass(frozen=True)
class Contradiction:
    rule: str
    explanation: str
    first_id: int
    second_id: int
    first_source: SourceRef
    second_source: SourceRef
    severity: Severity = Severity.CONFLICT

    @property
    def rule_text(self) -> str:
        return RULES[self.rule]


_LIFE_CLAIMS = frozenset({Claim.ALIVE, Claim.WOUNDED, Claim.CAPTURED, Claim.RELEASED, Claim.SEEN_AT_PLACE})
_LIFE_NOTICES = frozenset({S.REPORTED_CAPTURED, S.CONFIRMED_CAPTURED, S.RELEASED, S.FOUND_ALIVE})
_DEATH_CLAIMS = frozenset({Claim.DEAD, Claim.REMAINS_FOUND})
_DEATH_NOTICES = frozenset({S.REPORTED_DEAD, S.CONFIRMED_DEAD, S.REMAINS_IDENTIFIED, S.REMAINS_RETURNED})
# Remains are found where they lie, and a notice is issued where the office is: neither places the
# living person anywhere on that day.
_PLACING_CLAIMS = frozenset(
    {Claim.ALIVE, Claim.WOUNDED, Claim.CAPTURED, Claim.RELEASED, Claim.SEEN_AT_PLACE, Claim.DEAD}
)


def _is_life(fact: EvidenceFact) -> bool:
    return fact.claim in _LIFE_CLAIMS or fact.official_status in _LIFE_NOTICES


def _is_death(fact: EvidenceFact) -> bool:
    return fact.claim in _DEATH_CLAIMS or fact.official_status in _DEATH_NOTICES


def _what(fact: EvidenceFact) -> str:
    status = fact.official_status
    return status.value.replace("_", " ") if status is not None else fact.claim.value.replace("_", " ")


def _found(
    rule: str, first: EvidenceFact, second: EvidenceFact, why: str, severity: Severity = Severity.CONFLICT
) -> Contradiction:
    explanation = f"{first.label()} and {second.label()}: {why}"
    if first.source.is_discounted or second.source.is_discounted:
        # The caseworker has already judged one side unreliable or improbable: worth a note, not an alarm.
        severity = Severity.NOTE
        explanation += " (one of the two is graded unreliable or improbable)"
    return Contradiction(rule, explanation, first.id, second.id, first.source, second.source, severity)


def _alive_after_death(facts: Sequence[EvidenceFact]) -> Iterable[Contradiction]:
    deaths = [fact for fact in facts if _is_death(fact)]
    for life in (fact for fact in facts if _is_life(fact)):
        for death in deaths:
            if life.certainly_after(death):
                yield _found(
                    ALIVE_AFTER_DEATH,
                    death,
                    life,
                    f"the person is reported {_what(life)} after the report of death",
                )
            elif (
                life.event_date is not None
                and death.event_date is not None
                and life.event_date.latest > death.event_date.earliest
                and not death.certainly_after(life)
            ):
                yield _found(
                    ALIVE_MAYBE_AFTER_DEATH,
                    death,
                    life,
                    f"the sign of life ({life.event_date}) may fall after the death ({death.event_date}); "
                    "the dates are too coarse to tell",
                    Severity.NOTE,
                )


def _notices_disagree(facts: Sequence[EvidenceFact]) -> Iterable[Contradiction]:
    notices = [
        fact
        for fact in facts
        if fact.claim is Claim.OFFICIAL_NOTICE and fact.official_status not in (None, S.CLOSED)
    ]
    for a, b in combinations(notices, 2):
        first, second = (b, a) if a.certainly_after(b) else (a, b)
        old, new = first.official_status, second.official_status
        assert old is not None and new is not None
        if old is new:
            continue
        if second.certainly_after(first):
            if new in PROGRESS[old]:
                continue
            why = f"the later notice ({_what(second)}) does not follow from the earlier ({_what(first)})"
        else:
            if new in PROGRESS[old] or old in PROGRESS[new]:
                continue
            why = f"the notices declare {_what(first)} and {_what(second)} at dates that may be the same"
        yield _found(OFFICIAL_NOTICES_DISAGREE, first, second, why)


_PLACE_PREFIX = re.compile(
    r"^(?:м|г|с|смт|пгт|пос|сел|село|місто|город|селище|посёлок|поселок)\.?\s+", re.IGNORECASE
)


def _place_key(place: str) -> str:
    words = re.sub(r"[\W_]+", " ", place.casefold()).strip()
    return _PLACE_PREFIX.sub("", words)


def _same_place(a: str, b: str) -> bool:
    """Same settlement, allowing "м. Бахмут" = "Бахмут" and "Бахмут" inside "Бахмут, Донецька обл."."""
    ka, kb = _place_key(a), _place_key(b)
    if ka == kb:
        return True
    wa, wb = ka.split(), kb.split()
    shorter, longer = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _two_places(facts: Sequence[EvidenceFact]) -> Iterable[Contradiction]:
    placed = [
        fact
        for fact in facts
        if fact.claim in _PLACING_CLAIMS
        and fact.place is not None
        and fact.event_date is not None
        and fact.event_date.precision == "day"
    ]
    for a, b in combinations(placed, 2):
        assert a.place is not None and b.place is not None
        if a.event_date == b.event_date and not _same_place(a.place, b.place):
            why = f"on {a.event_date} the person is placed in {a.place} and in {b.place}"
            yield _found(TWO_PLACES_AT_ONCE, a, b, why)


def _birth_dates(facts: Sequence[EvidenceFact]) -> Iterable[Contradiction]:
    stated = [fact for fact in facts if fact.birth_date is not None]
    for a, b in combinations(stated, 2):
        assert a.birth_date is not None and b.birth_date is not None
        if not a.birth_date.may_overlap(b.birth_date):
            why = f"born {a.birth_date} according to one, {b.birth_date} according to the other"
            yield _found(DIFFERENT_BIRTH_DATES, a, b, why)


def _death_dates(facts: Sequence[EvidenceFact]) -> Iterable[Contradiction]:
    deaths = [
        fact
        for fact in facts
        if fact.event_date is not None
        and (fact.claim is Claim.DEAD or fact.official_status in (S.REPORTED_DEAD, S.CONFIRMED_DEAD))
    ]
    for a, b in combinations(deaths, 2):
        assert a.event_date is not None and b.event_date is not None
        if not a.event_date.may_overlap(b.event_date):
            first, second = (a, b) if a.event_date < b.event_date else (b, a)
            why = f"died {first.event_date} according to one, {second.event_date} according to the other"
            yield _found(DIFFERENT_DEATH_DATES, first, second, why)


def find_contradictions(facts: Iterable[EvidenceFact]) -> list[Contradiction]:
    """Every contradiction among one person's evidence items, conflicts before notes, then by item."""
    ordered = sorted(facts, key=lambda fact: fact.id)
    found = [
        *_alive_after_death(ordered),
        *_notices_disagree(ordered),
        *_two_places(ordered),
        *_birth_dates(ordered),
        *_death_dates(ordered),
    ]
    severity_order = list(Severity)
    return sorted(found, key=lambda c: (severity_order.index(c.severity), c.rule, c.first_id, c.second_id))
