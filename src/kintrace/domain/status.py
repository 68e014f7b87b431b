"""Status: one declared transition table for both tracks, and the named rules that derive the
evidence-based status from the evidence.

The official track records what the authority declares; the evidence track what the evidence on file
supports. Both move through the same states and the same table, so the two can be compared and a
divergence flagged ("official: missing for 163 days; evidence: confirmed captured since 2024-03").
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

from kintrace.domain.dates import PartialDate
from kintrace.domain.errors import IllegalTransition
from kintrace.domain.evidence import EvidenceFact
from kintrace.domain.vocabulary import Claim, PersonStatus

S = PersonStatus


class Move(StrEnum):
    PROGRESS = "progress"  # the case moves on as the facts unfold
    CORRECTION = "correction"  # an earlier report or finding is withdrawn or found wrong


@dataclass(frozen=True)
class Transition:
    current: PersonStatus
    new: PersonStatus
    move: Move
    why: str


def _p(current: S, new: S, why: str) -> Transition:
    return Transition(current, new, Move.PROGRESS, why)


def _c(current: S, new: S, why: str) -> Transition:
    return Transition(current, new, Move.CORRECTION, why)


# THE transition table. Every legal status change of either track is one row; anything else is refused.
# Principles: a registry must be able to record what it learns in the order it learns it, so "missing"
# may go straight to any finding; remains are handed back only after they are identified; a closed case
# reopens as missing. Corrections exist because reports are withdrawn and lists confuse namesakes, and
# families in this field have received death notices for sons later returned in prisoner exchanges.
TABLE: tuple[Transition, ...] = (
    _p(S.MISSING, S.REPORTED_CAPTURED, "a source reports the person in captivity"),
    _p(S.MISSING, S.CONFIRMED_CAPTURED, "captivity confirmed at once (e.g. ICRC visit, official list)"),
    _p(S.MISSING, S.RELEASED, "returned in an exchange without captivity ever being on record"),
    _p(S.MISSING, S.REPORTED_DEAD, "a source reports the person killed"),
    _p(S.MISSING, S.CONFIRMED_DEAD, "death confirmed at once (official notice, documents)"),
    _p(S.MISSING, S.REMAINS_IDENTIFIED, "remains identified (e.g. by DNA) without an earlier death report"),
    _p(S.MISSING, S.FOUND_ALIVE, "the person is found alive outside captivity"),
    _p(S.MISSING, S.CLOSED, "closed without a finding: duplicate, withdrawn by the family"),
    _p(S.REPORTED_CAPTURED, S.CONFIRMED_CAPTURED, "a well-graded or second independent source confirms"),
    _p(S.REPORTED_CAPTURED, S.RELEASED, "exchanged before captivity was ever confirmed"),
    _p(S.REPORTED_CAPTURED, S.REPORTED_DEAD, "reported to have died in captivity"),
    _p(S.REPORTED_CAPTURED, S.CONFIRMED_DEAD, "death in captivity confirmed"),
    _p(S.REPORTED_CAPTURED, S.REMAINS_IDENTIFIED, "remains repatriated and identified"),
    _c(S.REPORTED_CAPTURED, S.FOUND_ALIVE, "the capture report was wrong: found alive, never held"),
    _c(S.REPORTED_CAPTURED, S.MISSING, "the capture report is withdrawn (often a namesake)"),
    _p(S.CONFIRMED_CAPTURED, S.RELEASED, "released or exchanged"),
    _p(S.CONFIRMED_CAPTURED, S.REPORTED_DEAD, "reported to have died in captivity"),
    _p(S.CONFIRMED_CAPTURED, S.CONFIRMED_DEAD, "death in captivity confirmed"),
    _p(S.CONFIRMED_CAPTURED, S.REMAINS_IDENTIFIED, "remains repatriated and identified"),
    _c(S.CONFIRMED_CAPTURED, S.REPORTED_CAPTURED, "the confirming source is withdrawn; the report stands"),
    _c(S.CONFIRMED_CAPTURED, S.MISSING, "the confirmation concerned a namesake and is withdrawn"),
    _p(S.RELEASED, S.CLOSED, "the released person is home; the search is over"),
    _c(S.RELEASED, S.MISSING, "the exchange list named a namesake; the person is still missing"),
    _p(S.REPORTED_DEAD, S.CONFIRMED_DEAD, "a well-graded or second independent source confirms"),
    _p(S.REPORTED_DEAD, S.REMAINS_IDENTIFIED, "remains identified"),
    _c(S.REPORTED_DEAD, S.MISSING, "the death report is withdrawn; nothing else is known"),
    _c(S.REPORTED_DEAD, S.REPORTED_CAPTURED, "reported dead but then seen in captivity"),
    _c(S.REPORTED_DEAD, S.CONFIRMED_CAPTURED, "reported dead but then confirmed in captivity"),
    _c(S.REPORTED_DEAD, S.RELEASED, "reported dead but returned in an exchange"),
    _c(S.REPORTED_DEAD, S.FOUND_ALIVE, "reported dead but found alive"),
    _p(S.CONFIRMED_DEAD, S.REMAINS_IDENTIFIED, "remains identified"),
    _p(S.CONFIRMED_DEAD, S.CLOSED, "death confirmed and no remains can be expected (e.g. lost at sea)"),
    _c(S.CONFIRMED_DEAD, S.REPORTED_DEAD, "the confirming source is withdrawn; the report stands"),
    _c(S.CONFIRMED_DEAD, S.MISSING, "the death confirmation is withdrawn"),
    _c(S.CONFIRMED_DEAD, S.REPORTED_CAPTURED, "declared dead, then seen in captivity"),
    _c(S.CONFIRMED_DEAD, S.CONFIRMED_CAPTURED, "declared dead, then confirmed in captivity"),
    _c(S.CONFIRMED_DEAD, S.RELEASED, "declared dead, then returned in an exchange"),
    _c(S.CONFIRMED_DEAD, S.FOUND_ALIVE, "declared dead, then found alive"),
    _p(S.REMAINS_IDENTIFIED, S.REMAINS_RETURNED, "remains handed over to the family for burial"),
    _p(S.REMAINS_IDENTIFIED, S.CLOSED, "identified; the family declines or cannot receive the remains"),
    _c(S.REMAINS_IDENTIFIED, S.MISSING, "the identification is withdrawn (sample mix-up, re-examination)"),
    _p(S.REMAINS_RETURNED, S.CLOSED, "remains buried; the case is over"),
    _c(S.REMAINS_RETURNED, S.MISSING, "the identification is reversed after the handover"),
    _p(S.FOUND_ALIVE, S.CLOSED, "the person is found; the search is over"),
    _c(S.FOUND_ALIVE, S.MISSING, "the person found was a namesake"),
    _c(S.CLOSED, S.MISSING, "the case is reopened"),
)


def _build(rows: Iterable[Transition]) -> Mapping[PersonStatus, frozenset[PersonStatus]]:
    table: dict[PersonStatus, set[PersonStatus]] = {status: set() for status in PersonStatus}
    for row in rows:
        if row.new in table[row.current] or row.new is row.current:
            raise AssertionError(f"transition table repeats or loops {row.current} -> {row.new}")
        table[row.current].add(row.new)
    return MappingProxyType({status: frozenset(targets) for status, targets in table.items()})


TRANSITIONS: Mapping[PersonStatus, frozenset[PersonStatus]] = _build(TABLE)
PROGRESS: Mapping[PersonStatus, frozenset[PersonStatus]] = _build(r for r in TABLE if r.move is Move.PROGRESS)
_ROWS: Mapping[tuple[PersonStatus, PersonStatus], Transition] = MappingProxyType(
    {(row.current, row.new): row for row in TABLE}
)


def transition(current: PersonStatus, new: PersonStatus) -> Transition:
    """The table row for a legal move; IllegalTransition otherwise."""
    check_transition(current, new)
    return _ROWS[(PersonStatus(current), PersonStatus(new))]


def check_transition(current: PersonStatus, new: PersonStatus) -> None:
    """Refuse a status change the table does not allow, naming both states and what is allowed."""
    current, new = PersonStatus(current), PersonStatus(new)
    if new is current:
        raise IllegalTransition(f"the status is already {current.value}", current=current, new=new)
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(s.value for s in PersonStatus if s in TRANSITIONS[current])
        raise IllegalTransition(
            f"cannot change status from {current.value} to {new.value}; from {current.value} it may become: "
            f"{allowed}",
            current=current,
            new=new,
        )


def transition_path(current: PersonStatus, new: PersonStatus) -> tuple[PersonStatus, ...]:
    """The shortest legal sequence of states after `current` that ends in `new` (empty when equal).

    The evidence track uses it when the evidence jumps (say from missing straight to remains
    returned): it records the intermediate states, each a legal move. Prefers progress over
    corrections, so a path never passes through a withdrawal it does not need.
    """
    current, new = PersonStatus(current), PersonStatus(new)
    if current is new:
        return ()
    for table in (PROGRESS, TRANSITIONS):
        came_from: dict[PersonStatus, PersonStatus] = {current: current}
        queue = deque([current])
        while queue:
            state = queue.popleft()
            for target in sorted(table[state], key=list(PersonStatus).index):
                if target in came_from:
                    continue
                came_from[target] = state
                if target is new:
                    path = [target]
                    while came_from[path[-1]] is not current:
                        path.append(came_from[path[-1]])
                    return tuple(reversed(path))
                queue.append(target)
    raise IllegalTransition(
        f"no sequence of legal moves leads from {current.value} to {new.value}", current=current, new=new
    )


# ---------------------------------------------------------------------------------------------------
# The evidence-based status: named rules over the evidence on file.
# ---------------------------------------------------------------------------------------------------

NO_EVIDENCE = "E1-no-evidence"
SINGLE_REPORT = "E2-single-report"
WELL_GRADED_SOURCE = "E3-well-graded-source"
INDEPENDENT_SOURCES = "E4-independent-sources"
UNCONFIRMED_SIGN_OF_LIFE = "E5-unconfirmed-sign-of-life"
LATEST_STORY = "P1-latest-story"
DISCOUNTED = "P2-discounted"
PROOF_OF_LIFE_IN_CAPTIVITY = "P3-proof-of-life-in-captivity"
CONFIRMED_STANDS = "P4-confirmed-stands"

RULES: Mapping[str, str] = MappingProxyType(
    {
        NO_EVIDENCE: "No evidence on file bears on the person's fate, so the person is missing.",
        SINGLE_REPORT: (
            "A claim that no well-graded or independent source confirms gives a 'reported' status."
        ),
        WELL_GRADED_SOURCE: (
            "A claim from a source graded at least B2 (reliability A or B, credibility 1 or 2) confirms it."
        ),
        INDEPENDENT_SOURCES: (
            "Claims from two independent sources (different records, different names) confirm each other."
        ),
        UNCONFIRMED_SIGN_OF_LIFE: (
            "A sign of life that nothing confirms does not establish that the person is found; it does "
            "withdraw earlier reports of death, so the person is missing."
        ),
        # The principles below shape every derivation; the rule named in a derivation is one of the above.
        LATEST_STORY: (
            "Later facts supersede earlier ones by event date: only the items since the last change of "
            "story (alive or captured versus dead) count, unless the earlier story is confirmed and the "
            "later one is not (P4)."
        ),
        DISCOUNTED: (
            "Items graded unreliable (E) or improbable (5), official notices that the person is still "
            "missing, items dated after today and items with no information are kept on file but do not "
            "move the status."
        ),
        PROOF_OF_LIFE_IN_CAPTIVITY: (
            "A sign of life after a capture report is read as proof of life in captivity: it keeps the "
            "capture story and does not mean the person is found."
        ),
        CONFIRMED_STANDS: (
            "A confirmed finding stands against a later story that nothing confirms; the later items are "
            "named as contested (and the contradiction rules flag any conflict) until they are confirmed."
        ),
    }
)


class _Story(StrEnum):
    LIFE = "alive or captured"
    DEATH = "dead"


# How each official notice counts: the story it tells and the stage it reaches.
_NOTICE_STAGE: Mapping[PersonStatus, str] = MappingProxyType(
    {
        S.REPORTED_CAPTURED: "captured",
        S.CONFIRMED_CAPTURED: "captured",
        S.RELEASED: "released",
        S.FOUND_ALIVE: "found",
        S.REPORTED_DEAD: "dead",
        S.CONFIRMED_DEAD: "dead",
        S.REMAINS_IDENTIFIED: "remains",
        S.REMAINS_RETURNED: "returned",
    }
)
_CLAIM_STAGE: Mapping[Claim, str] = MappingProxyType(
    {
        Claim.CAPTURED: "captured",
        Claim.RELEASED: "released",
        Claim.ALIVE: "alive",
        Claim.WOUNDED: "alive",  # wounded or in hospital: alive at that date
        Claim.DEAD: "dead",
        Claim.REMAINS_FOUND: "remains",
    }
)
_DEATH_STAGES = frozenset({"dead", "remains", "returned"})
# A notice that only says "reported" cannot, however well graded its author, confirm anything.
_NOTICES_THAT_CANNOT_CONFIRM = frozenset({S.REPORTED_CAPTURED, S.REPORTED_DEAD})


def _stage(fact: EvidenceFact) -> str | None:
    if fact.claim is Claim.OFFICIAL_NOTICE:
        assert fact.official_status is not None
        return _NOTICE_STAGE.get(fact.official_status)
    # Seen at a place is where the person was (usually before going missing), not what became of them.
    return _CLAIM_STAGE.get(fact.claim)


def _story(fact: EvidenceFact) -> _Story:
    return _Story.DEATH if _stage(fact) in _DEATH_STAGES else _Story.LIFE


@dataclass(frozen=True)
class StatusDerivation:
    """The evidence-based status, the named rule that gave it and the items it rests on."""

    status: PersonStatus
    since: PartialDate | None
    rule: str
    rule_text: str
    fact_ids: tuple[int, ...]
    superseded_ids: tuple[int, ...] = ()  # items of an earlier, contradicted story (see P1-latest-story)
    contested_ids: tuple[int, ...] = ()  # later, unconfirmed items that do not overturn it (P4)

    @property
    def label(self) -> str:
        return status_label(self.status)

    def redacted(self, visible_ids: Collection[int]) -> StatusDerivation:
        """The derivation as a family may see it: only items visible to them, no internal source named.

        The status and the rule stay (the family is entitled to know what the registry concludes and
        by which rule); the explanation keeps the rule's sentence and says how many items support it.
        """
        shown = tuple(i for i in self.fact_ids if i in visible_ids)
        hidden = len(self.fact_ids) - len(shown)
        text = RULES[self.rule]
        if self.fact_ids:
            text += f" It rests on {len(self.fact_ids)} item(s) on file"
            text += f", {hidden} of them internal." if hidden else "."
        superseded = tuple(i for i in self.superseded_ids if i in visible_ids)
        contested = tuple(i for i in self.contested_ids if i in visible_ids)
        return replace(
            self, rule_text=text, fact_ids=shown, superseded_ids=superseded, contested_ids=contested
        )


def status_label(status: PersonStatus) -> str:
    return PersonStatus(status).value.replace("_", " ")


@dataclass(frozen=True)
class _Confirmation:
    rule: str
    detail: str


def _confirmation(facts: Sequence[EvidenceFact]) -> _Confirmation | None:
    for fact in facts:
        if fact.source.is_well_graded and fact.official_status not in _NOTICES_THAT_CANNOT_CONFIRM:
            return _Confirmation(
                WELL_GRADED_SOURCE, f"{fact.label()} is from a source graded {fact.source.grade}"
            )
    for i, first in enumerate(facts):
        for second in facts[i + 1 :]:
            if first.source.independent_of(second.source):
                return _Confirmation(INDEPENDENT_SOURCES, f"{first.label()} and {second.label()} agree")
    return None


def _timeline_key(fact: EvidenceFact) -> tuple[int, PartialDate, int]:
    # Undated items sort first: they cannot be shown to come after anything. Items on the same date
    # keep the order they were entered in (by id), so a same-day correction wins.
    date = fact.sort_date
    return (0, PartialDate(1), fact.id) if date is None else (1, date, fact.id)


def _counts(fact: EvidenceFact, today: dt.date) -> bool:
    if fact.source.is_discounted or _stage(fact) is None:
        return False
    earliest = fact.window[0]
    return earliest is None or earliest <= today


def _since(facts: Iterable[EvidenceFact]) -> PartialDate | None:
    dates = [fact.sort_date for fact in facts if fact.sort_date is not None]
    return min(dates) if dates else None


def _ids(facts: Iterable[EvidenceFact]) -> tuple[int, ...]:
    return tuple(sorted({fact.id for fact in facts}))


def _result(
    status: PersonStatus,
    rule: str,
    detail: str,
    support: Sequence[EvidenceFact],
    superseded: Sequence[EvidenceFact],
) -> StatusDerivation:
    text = f"{RULES[rule]} Here: {detail}."
    if superseded:
        text += f" Earlier items {', '.join(map(str, _ids(superseded)))} are superseded ({LATEST_STORY})."
    return StatusDerivation(status, _since(support), rule, text, _ids(support), _ids(superseded))


def _ladder(
    rungs: Sequence[tuple[PersonStatus, Sequence[EvidenceFact]]],
    reported: PersonStatus,
    reported_support: Sequence[EvidenceFact],
    superseded: Sequence[EvidenceFact],
) -> StatusDerivation:
    """The most advanced confirmed rung; failing all, the 'reported' status of the story."""
    for status, support in rungs:
        confirmation = _confirmation(support)
        if support and confirmation is not None:
            return _result(status, confirmation.rule, confirmation.detail, support, superseded)
    first = min(reported_support, key=_timeline_key)
    detail = f"{first.label()} is the only report and nothing confirms it"
    if len(reported_support) > 1:
        detail = f"{len(reported_support)} items, none from a source graded B2 or better and none independent"
    return _result(reported, SINGLE_REPORT, detail, reported_support, superseded)


def derive_evidence_status(facts: Iterable[EvidenceFact], today: dt.date) -> StatusDerivation:
    """The evidence-based status of one person from all the evidence on file about them."""
    timeline = sorted((fact for fact in facts if _counts(fact, today)), key=_timeline_key)
    if not timeline:
        return StatusDerivation(S.MISSING, None, NO_EVIDENCE, RULES[NO_EVIDENCE], ())
    return _derive(timeline)


_CONFIRMED_RULES = frozenset({WELL_GRADED_SOURCE, INDEPENDENT_SOURCES})


def _derive(timeline: Sequence[EvidenceFact]) -> StatusDerivation:
    """The status from a non-empty timeline, in date order, of items that count."""
    story = _story(timeline[-1])
    start = len(timeline)
    while start > 0 and _story(timeline[start - 1]) is story:
        start -= 1
    episode, superseded = timeline[start:], timeline[:start]
    latest = _derive_episode(story, episode, superseded)
    if not superseded or latest.rule in _CONFIRMED_RULES:
        return latest
    earlier = _derive(superseded)
    if earlier.rule not in _CONFIRMED_RULES:
        return latest
    # A confirmed finding is not overturned by a later story that nothing confirms (P4).
    contested = _ids(episode)
    note = (
        f" Later items {', '.join(map(str, contested))} tell another story that nothing confirms, so they do "
        f"not overturn it ({CONFIRMED_STANDS})."
    )
    return replace(earlier, rule_text=earlier.rule_text + note, contested_ids=contested)


def _derive_episode(
    story: _Story, episode: Sequence[EvidenceFact], superseded: Sequence[EvidenceFact]
) -> StatusDerivation:
    def at(*stages: str) -> list[EvidenceFact]:
        return [fact for fact in episode if _stage(fact) in stages]

    if story is _Story.DEATH:
        return _ladder(
            [
                (S.REMAINS_RETURNED, at("returned")),
                (S.REMAINS_IDENTIFIED, at("remains", "returned")),
                (S.CONFIRMED_DEAD, at("dead", "remains", "returned")),
            ],
            S.REPORTED_DEAD,
            at("dead", "remains", "returned"),
            superseded,
        )
    captivity = at("captured", "released")
    if captivity:
        released, found = at("released"), at("found")
        rungs: list[tuple[PersonStatus, Sequence[EvidenceFact]]] = [(S.RELEASED, released)]
        if found and max(map(_timeline_key, found)) > max(map(_timeline_key, released), default=(0,)):
            rungs.insert(0, (S.FOUND_ALIVE, found))
        rungs.append((S.CONFIRMED_CAPTURED, captivity))
        derivation = _ladder(rungs, S.REPORTED_CAPTURED, captivity, superseded)
        in_captivity = [fact for fact in at("alive") if fact.id not in derivation.fact_ids]
        if in_captivity and derivation.status in (S.REPORTED_CAPTURED, S.CONFIRMED_CAPTURED):
            ids = ", ".join(map(str, _ids(in_captivity)))
            note = f" Items {ids} are proof of life ({PROOF_OF_LIFE_IN_CAPTIVITY})."
            derivation = replace(derivation, rule_text=derivation.rule_text + note)
        return derivation
    signs_of_life = at("alive", "found")
    confirmation = _confirmation(signs_of_life)
    if confirmation is not None:
        return _result(S.FOUND_ALIVE, confirmation.rule, confirmation.detail, signs_of_life, superseded)
    last = signs_of_life[-1]
    return StatusDerivation(
        S.MISSING,
        None,
        UNCONFIRMED_SIGN_OF_LIFE,
        f"{RULES[UNCONFIRMED_SIGN_OF_LIFE]} Here: {last.label()} is not confirmed."
        + (f" Earlier items {', '.join(map(str, _ids(superseded)))} are superseded." if superseded else ""),
        _ids(signs_of_life),
        _ids(superseded),
    )


# A closed case agrees with any evidence that the search is over (or that nothing is known, when the
# case was closed as a duplicate or withdrawn); it diverges only from evidence of an open fate.
AGREES_WITH_CLOSED = frozenset(
    {S.MISSING, S.RELEASED, S.FOUND_ALIVE, S.CONFIRMED_DEAD, S.REMAINS_IDENTIFIED, S.REMAINS_RETURNED}
)


def divergence(
    official: PersonStatus,
    official_since: PartialDate | dt.date | None,
    derived: StatusDerivation,
    today: dt.date,
) -> str | None:
    """A warning when the official status and the evidence disagree, or None when they agree.

    "official: missing for 163 days; evidence: confirmed captured since 2024-03". With a partial
    `official_since`, days are counted from its last possible day and said as "at least".
    """
    official = PersonStatus(official)
    if official is derived.status:
        return None
    if official is S.CLOSED and derived.status in AGREES_WITH_CLOSED:
        return None
    text = f"official: {status_label(official)}"
    if official_since is not None:
        since = (
            official_since
            if isinstance(official_since, PartialDate)
            else PartialDate.from_date(official_since)
        )
        days = max((today - since.latest).days, 0)
        unit = "day" if days == 1 else "days"
        text += f" for {days} {unit}" if since.precision == "day" else f" for at least {days} {unit}"
    text += f"; evidence: {derived.label}"
    if derived.since is not None:
        text += f" since {derived.since}"
    return text + f" ({derived.rule})"
