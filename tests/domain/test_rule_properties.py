"""Properties of the rules over arbitrary evidence: they never crash, ignore input order, stay in bounds."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kintrace.domain.contradictions import Severity, find_contradictions
from kintrace.domain.dates import PartialDate
from kintrace.domain.errors import InvalidValue
from kintrace.domain.evidence import EvidenceFact, SourceRef
from kintrace.domain.status import TRANSITIONS, derive_evidence_status, transition_path
from kintrace.domain.vocabulary import Claim, Credibility, PersonStatus, Reliability, SourceKind

TODAY = dt.date(2025, 1, 1)

sources = st.builds(
    SourceRef,
    id=st.integers(1, 6),
    kind=st.sampled_from(SourceKind),
    name=st.sampled_from(["Міноборони", "МККК", "Мати", "Канал", "Побратим", "Список"]),
    reliability=st.sampled_from(Reliability),
    credibility=st.sampled_from(Credibility),
)


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    year = draw(st.integers(2022, 2025))
    month = draw(st.none() | st.integers(1, 12))
    day = None if month is None else draw(st.none() | st.integers(1, 28))
    return PartialDate(year, month, day)


@st.composite
def facts(draw: st.DrawFn, fact_id: int) -> EvidenceFact | None:
    claim = draw(st.sampled_from(Claim))
    notice = draw(st.sampled_from(PersonStatus)) if claim is Claim.OFFICIAL_NOTICE else None
    try:
        return EvidenceFact(
            id=fact_id,
            claim=claim,
            event_date=draw(st.none() | partial_dates()),
            reported_date=draw(st.none() | partial_dates()),
            source=draw(sources),
            place=draw(st.none() | st.sampled_from(["Бахмут", "м. Бахмут", "Херсон", "Кринки"])),
            official_status=notice,
            birth_date=draw(st.none() | st.sampled_from([PartialDate(1990), PartialDate(1991, 2, 3)])),
        )
    except InvalidValue:
        return None  # e.g. reported before the event: refused on construction, as it should be


@st.composite
def timelines(draw: st.DrawFn) -> list[EvidenceFact]:
    n = draw(st.integers(0, 7))
    items = [draw(facts(i + 1)) for i in range(n)]
    return [item for item in items if item is not None]


@settings(max_examples=100, deadline=None)
@given(timelines(), st.randoms(use_true_random=False))
def test_derivation_ignores_order_and_cites_only_given_items(
    items: list[EvidenceFact], rnd: random.Random
) -> None:
    result = derive_evidence_status(items, TODAY)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert derive_evidence_status(shuffled, TODAY) == result
    ids = {item.id for item in items}
    cited, superseded, contested = set(result.fact_ids), set(result.superseded_ids), set(result.contested_ids)
    assert cited | superseded | contested <= ids
    assert not cited & superseded and not cited & contested
    assert result.status is not PersonStatus.CLOSED  # closing a case is a decision, never a derivation
    # Whatever the evidence says, the evidence track can get there by legal moves.
    path = transition_path(PersonStatus.MISSING, result.status)
    state = PersonStatus.MISSING
    for step in path:
        assert step in TRANSITIONS[state]
        state = step


@settings(max_examples=100, deadline=None)
@given(timelines(), st.randoms(use_true_random=False))
def test_contradictions_ignore_order_and_name_two_different_given_items(
    items: list[EvidenceFact], rnd
) -> None:  # type: ignore[no-untyped-def]
    found = find_contradictions(items)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert find_contradictions(shuffled) == found
    by_id = {item.id: item for item in items}
    for finding in found:
        assert finding.first_id != finding.second_id
        assert by_id[finding.first_id].source == finding.first_source
        assert by_id[finding.second_id].source == finding.second_source
        assert finding.severity in Severity
