"""The dashboard's figures read in a few queries agree with the per-case services they replace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import CaseState, Claim, PersonStatus, Role, StatusTrack
from kintrace.services import cases as case_service
from kintrace.services import contradictions as contradiction_service
from kintrace.services.access import SYSTEM, Actor
from kintrace.services.cases import CaseFilter
from kintrace.store.models import StatusChange


def _count(session: Session, actor: Actor, flt: CaseFilter) -> int:
    return case_service.list_cases(session, actor, flt, per_page=1).total


def test_status_counts_and_pending_days_match_the_filtered_counts(session: Session, factories: Any) -> None:
    today = dt.date.today()
    for status, state in (
        (PersonStatus.MISSING, CaseState.OPEN),
        (PersonStatus.CONFIRMED_CAPTURED, CaseState.OPEN),
        (PersonStatus.CONFIRMED_CAPTURED, CaseState.UNVERIFIED),
        (PersonStatus.RELEASED, CaseState.MERGED),
    ):
        case = factories.CaseFactory(
            official_status=status, evidence_status=PersonStatus.MISSING, state=state
        )
        factories.StatusRequestFactory(case=case, submitted_on=today - dt.timedelta(days=45))
        factories.StatusRequestFactory(case=case, submitted_on=today - dt.timedelta(days=200))
    family = factories.UserFactory(role=Role.FAMILY)
    factories.CaseMemberFactory(case=factories.CaseFactory(), user=family)
    session.flush()
    edges = (0, 30, 60, 190, 365)
    for actor in (SYSTEM, Actor(family.id, Role.FAMILY, "family")):
        table = case_service.status_table(session, actor)
        for track in StatusTrack:
            for status in PersonStatus:
                assert table[track][status] == _count(session, actor, CaseFilter(status=status, track=track))
        bins = case_service.pending_bins(session, actor, edges, today)
        for index, edge in enumerate(edges):
            expected = _count(session, actor, CaseFilter(min_days_pending=edge))
            assert sum(bins[index:]) == expected, edge
    # Three unmerged cases, each oldest request 200 days old: all in the 190-364 bin.
    assert case_service.pending_bins(session, SYSTEM, edges, today) == [0, 0, 0, 3, 0]


def test_contradictions_of_cases_match_each_case(session: Session, factories: Any) -> None:
    cases = [factories.CaseFactory() for _ in range(3)]
    merged = factories.CaseFactory(state=CaseState.MERGED, merged_into_id=None)
    session.flush()
    merged.merged_into_id = cases[0].id
    factories.EvidenceFactory(case=cases[0], claim=Claim.DEAD, event_date=PartialDate.parse("2023-01-10"))
    factories.EvidenceFactory(case=merged, claim=Claim.ALIVE, event_date=PartialDate.parse("2023-06"))
    factories.EvidenceFactory(case=cases[1], claim=Claim.CAPTURED, event_date=PartialDate.parse("2024-01"))
    session.flush()
    ids = [case.id for case in cases]
    batch = contradiction_service.contradictions_of_cases(session, SYSTEM, ids)
    for case_id in ids:
        assert batch[case_id] == contradiction_service.case_contradictions(session, SYSTEM, case_id)
    assert batch[cases[0].id], "the merged case's item contradicts the case's own"


def test_all_changes_reads_each_cases_official_history(session: Session, factories: Any) -> None:
    from kintrace.services import status as status_service

    cases = [factories.CaseFactory() for _ in range(3)]
    factories.CaseFactory(state=CaseState.MERGED)
    session.flush()
    for case in cases:
        session.add_all(
            [
                StatusChange(
                    case_id=case.id, track=StatusTrack.OFFICIAL, status=PersonStatus.MISSING, fact_ids=[]
                ),
                StatusChange(
                    case_id=case.id,
                    track=StatusTrack.OFFICIAL,
                    status=PersonStatus.CONFIRMED_CAPTURED,
                    since=PartialDate.parse("2024-03"),
                    fact_ids=[],
                ),
                StatusChange(
                    case_id=case.id, track=StatusTrack.EVIDENCE, status=PersonStatus.RELEASED, fact_ids=[]
                ),
            ]
        )
    session.flush()
    found = list(status_service.all_changes(session, SYSTEM, StatusTrack.OFFICIAL))
    for case in cases:
        history = status_service.status_history(session, SYSTEM, case.id, StatusTrack.OFFICIAL)
        mine = [change for change in found if change.case_id == case.id]
        assert [(c.status, c.since) for c in mine] == [(h.status, h.since) for h in history]
        assert [c.recorded_on for c in mine] == [h.changed_at.astimezone(dt.UTC).date() for h in history]


def _counts_from_the_history(changes: list[Any], ends: list[dt.date]) -> dict[PersonStatus, list[int]]:
    """The trend as a person would count it: for each end, each case's newest recorded change that
    had taken effect by then (its 'since', the earliest day it can mean, else the day it was recorded)."""
    counts = {status: [0] * len(ends) for status in PersonStatus}
    for column, end in enumerate(ends):
        current: dict[int, PersonStatus] = {}
        for change in changes:  # by case, in the order recorded
            effect = change.since.earliest if change.since else change.recorded_on
            if effect <= end:
                current[change.case_id] = change.status
        for status in current.values():
            counts[status][column] += 1
    return counts


def test_the_trend_counted_by_the_database_equals_the_history_counted_case_by_case(
    session: Session, factories: Any
) -> None:
    from kintrace.services import status as status_service

    def change(case: Any, status: PersonStatus, since: str | None) -> StatusChange:
        return StatusChange(
            case_id=case.id,
            track=StatusTrack.OFFICIAL,
            status=status,
            since=None if since is None else PartialDate.parse(since),
            fact_ids=[],
        )

    cases = [factories.CaseFactory() for _ in range(4)]
    factories.CaseFactory(state=CaseState.MERGED)
    family = factories.UserFactory(role=Role.FAMILY)
    factories.CaseMemberFactory(case=cases[3], user=family)
    session.flush()
    histories = [
        [(PersonStatus.MISSING, "2023"), (PersonStatus.CONFIRMED_CAPTURED, "2024-03")],
        # Recorded later, but said to hold from earlier: it replaces the capture from 2023-11 on.
        [
            (PersonStatus.MISSING, "2023-05-02"),
            (PersonStatus.CONFIRMED_CAPTURED, "2024-06"),
            (
                PersonStatus.RELEASED,
                "2023-11",
            ),
        ],
        [(PersonStatus.MISSING, None)],  # takes effect the day it was recorded: today
        [(PersonStatus.MISSING, "2022-12-31"), (PersonStatus.REPORTED_DEAD, "2024")],
    ]
    for case, history in zip(cases, histories, strict=True):
        for status, since in history:
            session.add(change(case, status, since))
            session.flush()  # recorded in this order
    today = dt.date.today()
    ends = [dt.date(2022, 12, 30), dt.date(2023, 1, 1), dt.date(2023, 10, 31), dt.date(2023, 11, 1)]
    ends += [dt.date(2024, 2, 29), dt.date(2024, 3, 1), dt.date(2024, 6, 1), today]
    for actor in (SYSTEM, Actor(family.id, Role.FAMILY, "family")):
        changes = list(status_service.all_changes(session, actor, StatusTrack.OFFICIAL))
        expected = _counts_from_the_history(changes, ends)
        assert status_service.counts_at_ends(session, actor, StatusTrack.OFFICIAL, ends) == expected
    counted = status_service.counts_at_ends(session, SYSTEM, StatusTrack.OFFICIAL, ends)
    assert counted[PersonStatus.RELEASED][3] >= 1 and counted[PersonStatus.MISSING][-1] >= 1
