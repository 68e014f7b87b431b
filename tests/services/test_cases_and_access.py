from __future__ import annotations

import datetime as dt

import pytest
from tests.services.helpers import accounts, actor, person

from kintrace.domain.dates import PartialDate
from kintrace.domain.person import PersonName
from kintrace.domain.vocabulary import CaseState, PersonStatus, Role, StatusTrack
from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.services.errors import Forbidden, NotFound, ValidationFailed


def test_family_files_an_unverified_case_and_sees_only_it(session, factories):
    users = accounts(factories)
    family_a = actor(users[Role.FAMILY])
    family_b = actor(factories.UserFactory(role=Role.FAMILY))
    own = cases.create_case(session, family_a, person())
    other = cases.create_case(session, SYSTEM, person("Іваненко", "Олег", None))
    assert own.state is CaseState.UNVERIFIED and other.state is CaseState.OPEN
    assert own.reference == f"KT-{own.id:06d}"
    assert cases.get_case(session, family_a, own.id) is own
    with pytest.raises(NotFound):
        cases.get_case(session, family_a, other.id)
    with pytest.raises(NotFound):
        cases.get_case(session, family_b, own.id)
    listed = cases.list_cases(session, family_a).items
    assert [c.id for c in listed] == [own.id]
    assert {c.id for c in cases.list_cases(session, actor(users[Role.ANALYST])).items} >= {own.id, other.id}


def test_roles_that_may_not_write(session, factories):
    users = accounts(factories)
    case = cases.create_case(session, SYSTEM, person())
    with pytest.raises(Forbidden):
        cases.create_case(session, actor(users[Role.ANALYST]), person())
    with pytest.raises(Forbidden):
        cases.update_person(session, actor(users[Role.ANALYST]), case.id, person(first="Богдан"))
    cases.link_family_user(session, SYSTEM, case.id, users[Role.FAMILY].id)
    with pytest.raises(Forbidden):  # linked, but the case is verified: caseworkers change it now
        cases.update_person(session, actor(users[Role.FAMILY]), case.id, person(first="Богдан"))
    cases.update_person(session, actor(users[Role.CASEWORKER]), case.id, person(first="Богдан"))
    assert case.person.first_name == "Богдан"


def test_new_case_starts_both_tracks_as_missing(session):
    case = cases.create_case(session, SYSTEM, person())
    assert case.official_status is PersonStatus.MISSING and case.evidence_status is PersonStatus.MISSING
    from kintrace.services.status import status_history

    history = status_history(session, SYSTEM, case.id)
    assert sorted(h.track for h in history) == sorted(StatusTrack)
    assert all(h.since == PartialDate.parse("2024-02-17") for h in history)


def test_filters_by_name_any_spelling_case_insensitive(session):
    alias = PersonName("Shevchenko", "Andrii", None, "Latn")
    wanted = cases.create_case(session, SYSTEM, person(alternative_names=(alias,)))
    cases.create_case(session, SYSTEM, person("Коваленко", "Ігор", None))
    assert [c.id for c in cases.list_cases(session, SYSTEM, cases.CaseFilter(name="шевч")).items] == [
        wanted.id
    ]
    assert [c.id for c in cases.list_cases(session, SYSTEM, cases.CaseFilter(name="ANDRII")).items] == [
        wanted.id
    ]
    assert cases.list_cases(session, SYSTEM, cases.CaseFilter(name="%")).total == 0


def test_filters_by_status_and_days_pending_and_paginates(session, factories):
    made = [
        cases.create_case(session, SYSTEM, person(first=f"Андрій{'-' * 0}", patronymic=None))
        for _ in range(5)
    ]
    made[0].official_status = PersonStatus.REPORTED_CAPTURED
    today = dt.date(2025, 1, 31)
    factories.StatusRequestFactory(case=made[1], submitted_on=dt.date(2024, 10, 1))
    factories.StatusRequestFactory(case=made[2], submitted_on=dt.date(2025, 1, 20))
    session.flush()
    by_status = cases.list_cases(session, SYSTEM, cases.CaseFilter(status=PersonStatus.REPORTED_CAPTURED))
    assert [c.id for c in by_status.items] == [made[0].id]
    old = cases.list_cases(session, SYSTEM, cases.CaseFilter(min_days_pending=90), today=today)
    assert [c.id for c in old.items] == [made[1].id]
    some = cases.list_cases(session, SYSTEM, cases.CaseFilter(min_days_pending=5), today=today)
    assert {c.id for c in some.items} == {made[1].id, made[2].id}
    first = cases.list_cases(session, SYSTEM, page=1, per_page=2)
    second = cases.list_cases(session, SYSTEM, page=2, per_page=2)
    assert (
        first.total >= 5
        and len(first.items) == 2
        and not {c.id for c in first.items} & {c.id for c in second.items}
    )
    with pytest.raises(ValidationFailed) as bad:
        cases.list_cases(session, SYSTEM, per_page=0)
    assert bad.value.field == "per_page"


def test_relatives_contact_details_stay_with_the_case(session, factories):
    family = actor(factories.UserFactory(role=Role.FAMILY))
    case = cases.create_case(session, family, person())
    relative = cases.add_relative(
        session, family, case.id, cases.RelativeInput("Шевченко Марія", "mother", True, phone="+380501112233")
    )
    other_family = actor(factories.UserFactory(role=Role.FAMILY))
    with pytest.raises(NotFound):
        cases.list_relatives(session, other_family, case.id)
    with pytest.raises(NotFound):
        cases.update_relative(session, other_family, relative.id, cases.RelativeInput("X", "aunt"))
    with pytest.raises(ValidationFailed) as bad:
        cases.add_relative(session, family, case.id, cases.RelativeInput("Марія", " "))
    assert bad.value.field == "relationship"
    assert [r.phone for r in cases.list_relatives(session, family, case.id)] == ["+380501112233"]


def test_case_state_moves(session):
    case = cases.create_case(session, SYSTEM, person())
    cases.set_case_state(session, SYSTEM, case.id, CaseState.CLOSED)
    with pytest.raises(ValidationFailed):
        cases.set_case_state(session, SYSTEM, case.id, CaseState.UNVERIFIED)
