from __future__ import annotations

import datetime as dt

import pytest
from tests.services.helpers import actor, person

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import CaseState, Claim, PersonStatus, RequestOutcome, Role, SourceKind
from kintrace.services import cases, duplicates, evidence, requests, sources
from kintrace.services.access import SYSTEM
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed

TODAY = dt.date(2025, 3, 1)


def _request(session, case, submitted, deadline=None):
    data = requests.RequestInput(PersonStatus.CONFIRMED_CAPTURED, "Координаційний штаб", submitted, deadline)
    return requests.submit_request(session, SYSTEM, case.id, data, today=TODAY)


def test_days_pending_and_overdue_list_with_filter(session):
    case = cases.create_case(session, SYSTEM, person())
    old = _request(session, case, dt.date(2024, 11, 1))  # default deadline: 30 days
    recent = _request(session, case, dt.date(2025, 1, 15))
    fresh = _request(session, case, dt.date(2025, 2, 20))
    answered = _request(session, case, dt.date(2024, 10, 1))
    requests.record_answer(
        session, SYSTEM, answered.id, received_on=dt.date(2024, 12, 1), outcome=RequestOutcome.REFUSED
    )
    assert old.deadline == dt.date(2024, 12, 1)
    views = {v.request.id: v for v in requests.list_requests(session, SYSTEM, case.id, today=TODAY)}
    assert views[old.id].days_pending == 120 and views[old.id].overdue and views[old.id].days_overdue == 90
    assert views[answered.id].days_pending == 61 and not views[answered.id].overdue
    assert not views[fresh.id].overdue
    overdue = requests.overdue_requests(session, SYSTEM, today=TODAY)
    assert [v.request.id for v in overdue.items] == [old.id, recent.id]
    long_pending = requests.overdue_requests(session, SYSTEM, today=TODAY, min_days_pending=100)
    assert [v.request.id for v in long_pending.items] == [old.id] and long_pending.total == 1


def test_answers_settle_once_and_dates_are_checked(session):
    case = cases.create_case(session, SYSTEM, person())
    request = _request(session, case, dt.date(2025, 1, 1))
    with pytest.raises(ValidationFailed) as early:
        requests.record_answer(
            session, SYSTEM, request.id, received_on=dt.date(2024, 12, 1), outcome=RequestOutcome.GRANTED
        )
    assert early.value.field in {"answered", "received_on"}
    requests.record_answer(
        session,
        SYSTEM,
        request.id,
        received_on=dt.date(2025, 1, 5),
        outcome=RequestOutcome.PENDING,
        text="Прийнято до розгляду",
    )
    assert request.outcome is RequestOutcome.PENDING
    requests.record_answer(
        session, SYSTEM, request.id, received_on=dt.date(2025, 2, 1), outcome=RequestOutcome.GRANTED
    )
    assert request.outcome is RequestOutcome.GRANTED and len(request.answers) == 2
    with pytest.raises(Conflict):
        requests.withdraw_request(session, SYSTEM, request.id, on=dt.date(2025, 2, 2))
    with pytest.raises(ValidationFailed) as late:
        _request(session, case, dt.date(2025, 1, 10), deadline=dt.date(2025, 1, 1))
    assert late.value.field == "deadline"


def test_family_cannot_see_another_familys_requests(session, factories):
    family = actor(factories.UserFactory(role=Role.FAMILY))
    case = cases.create_case(session, SYSTEM, person())
    request = _request(session, case, dt.date(2024, 11, 1))
    with pytest.raises(NotFound):
        requests.get_request(session, family, request.id)
    assert requests.overdue_requests(session, family, today=TODAY).total == 0
    # Visibility before role: another family's case is "not found", not "forbidden" (which would say
    # that it exists); on its own case the family is refused for its role.
    asked = requests.RequestInput(PersonStatus.MISSING, "X", dt.date(2025, 1, 1))
    with pytest.raises(NotFound):
        requests.submit_request(session, family, case.id, asked)
    cases.link_family_user(session, SYSTEM, case.id, family.user_id, "reporter")
    with pytest.raises(Forbidden):
        requests.submit_request(session, family, case.id, asked)


def test_merge_keeps_both_records_evidence_and_undo_restores(session):
    keep = cases.create_case(session, SYSTEM, person())
    dup = cases.create_case(session, SYSTEM, person(first="Андрей", patronymic="Петрович"))
    src = sources.create_source(session, SYSTEM, sources.SourceInput(SourceKind.RELATIVE, "Мати"))
    on_keep = evidence.add_evidence(
        session,
        SYSTEM,
        keep.id,
        evidence.EvidenceInput(Claim.SEEN_AT_PLACE, src.id, PartialDate(2024, 2), place="Авдіївка"),
    )
    on_dup = evidence.add_evidence(
        session,
        SYSTEM,
        dup.id,
        evidence.EvidenceInput(Claim.CAPTURED, src.id, PartialDate(2024, 3), PartialDate(2024, 3)),
    )
    link = duplicates.link_duplicates(session, SYSTEM, dup.id, keep.id, note="same service number")
    assert duplicates.duplicate_links(session, SYSTEM, keep.id) == [link]
    merge = duplicates.merge_cases(session, SYSTEM, keep.id, dup.id, today=TODAY)
    assert dup.state is CaseState.MERGED and dup.merged_into_id == keep.id
    assert [i.id for i in evidence.list_evidence(session, SYSTEM, keep.id)] == [on_keep.id, on_dup.id]
    assert keep.evidence_status is PersonStatus.REPORTED_CAPTURED
    assert cases.list_cases(session, SYSTEM).total == 1
    with pytest.raises(Conflict):
        duplicates.merge_cases(session, SYSTEM, keep.id, dup.id)
    duplicates.undo_merge(session, SYSTEM, merge.id, today=TODAY)
    assert dup.state is CaseState.OPEN and dup.merged_into_id is None
    assert [i.id for i in evidence.list_evidence(session, SYSTEM, keep.id)] == [on_keep.id]
    assert [i.id for i in evidence.list_evidence(session, SYSTEM, dup.id)] == [on_dup.id]
    assert keep.evidence_status is not PersonStatus.REPORTED_CAPTURED
    with pytest.raises(Conflict):
        duplicates.undo_merge(session, SYSTEM, merge.id)


def test_analyst_links_but_does_not_merge(session, factories):
    analyst = actor(factories.UserFactory(role=Role.ANALYST))
    a = cases.create_case(session, SYSTEM, person())
    b = cases.create_case(session, SYSTEM, person())
    duplicates.link_duplicates(session, analyst, a.id, b.id)
    with pytest.raises(Forbidden):
        duplicates.merge_cases(session, analyst, a.id, b.id)
