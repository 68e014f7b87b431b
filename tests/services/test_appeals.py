"""Collective appeals: who may join and leave, consent, sending, answers, outcomes, what a family sees."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from tests.services.helpers import actor

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import (
    AppealDemand,
    AppealState,
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    SourceKind,
    Visibility,
)
from kintrace.services import appeals, evidence
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.web import letters

TODAY = dt.date(2026, 6, 1)
MINISTRY = "Міністерство оборони України"


@pytest.fixture
def people(factories):
    worker = actor(factories.UserFactory(role=Role.CASEWORKER))
    families = []
    for _ in range(3):
        user = factories.UserFactory(role=Role.FAMILY)
        case = factories.CaseFactory()
        factories.CaseMemberFactory(case=case, user=user, relation="reporter")
        families.append((actor(user), case))
    return worker, families


def _draft(session, worker, **changes):
    data = appeals.AppealInput(
        title=changes.pop("title", "Про встановлення статусу"),
        authority=MINISTRY,
        demand=AppealDemand.STATUS_CHANGE,
        text="Ми, родини зниклих безвісти, просимо...",
        **changes,
    )
    return appeals.create_appeal(session, worker, data)


def test_families_join_with_consent_and_leave_before_sending(session, people):
    worker, families = people
    appeal = _draft(session, worker)
    (mother, her_case), (wife, his_case), _ = families
    with pytest.raises(ValidationFailed) as no_consent:
        appeals.join(session, mother, appeal.id, her_case.id, signatory="Олена", consent=False)
    assert no_consent.value.field == "consent"
    appeals.join(session, mother, appeal.id, her_case.id, signatory="Олена Коваль", consent=True, today=TODAY)
    appeals.join(session, wife, appeal.id, his_case.id, signatory="Ірина", consent=True, today=TODAY)
    with pytest.raises(NotFound):  # another family's case is "not found", as a missing one
        appeals.join(session, mother, appeal.id, his_case.id, signatory="Олена", consent=True)
    with pytest.raises(Conflict):
        appeals.join(session, mother, appeal.id, her_case.id, signatory="Олена", consent=True)
    # A family sees the count and its own signature only.
    seen = appeals.view(session, mother, appeal)
    assert seen.cases == 2 and [s.signatory for s in seen.signatories] == ["Олена Коваль"]
    appeals.leave(session, wife, appeal.id, his_case.id)
    with pytest.raises(NotFound):  # not hers to take out
        appeals.leave(session, wife, appeal.id, her_case.id)
    assert [row.case_id for row in appeal.signatories] == [her_case.id]


def test_only_open_cases_sign_and_staff_record_consent(session, people, factories):
    worker, families = people
    appeal = _draft(session, worker)
    unverified = factories.CaseFactory(state=CaseState.UNVERIFIED)
    with pytest.raises(ValidationFailed) as closed:
        appeals.add_case(
            session, worker, appeal.id, unverified.id, signatory="X", consent_on=TODAY, today=TODAY
        )
    assert closed.value.field == "case_id"
    with pytest.raises(ValidationFailed) as future:
        appeals.add_case(
            session,
            worker,
            appeal.id,
            families[2][1].id,
            signatory="Марія",
            consent_on=TODAY + dt.timedelta(1),
            today=TODAY,
        )
    assert future.value.field == "consent_on"
    row = appeals.add_case(
        session, worker, appeal.id, families[2][1].id, signatory="Марія", consent_on=TODAY, today=TODAY
    )
    assert not row.joined_by_family
    with pytest.raises(Forbidden):
        appeals.join(session, worker, appeal.id, families[0][1].id, signatory="x", consent=True)
    with pytest.raises(Forbidden):  # a family drafts nothing
        _draft(session, families[0][0])


def test_sending_fixes_the_signatories_then_answers_and_outcomes(session, people):
    worker, families = people
    appeal = _draft(session, worker, answer_days=30)
    with pytest.raises(ValidationFailed) as empty:
        appeals.mark_sent(
            session,
            worker,
            appeal.id,
            sent_on=TODAY,
            channel="пошта",
            reference_number=None,
            letter_sha256=None,
            today=TODAY,
        )
    assert empty.value.field == "cases"
    (mother, case), (wife, other), _ = families
    appeals.join(session, mother, appeal.id, case.id, signatory="Олена", consent=True)
    appeals.mark_sent(
        session,
        worker,
        appeal.id,
        sent_on=TODAY,
        channel="пошта",
        reference_number="Вх-17",
        letter_sha256="0" * 64,
        today=TODAY,
    )
    assert appeal.state is AppealState.SENT
    with pytest.raises(NotFound):  # a sent appeal is no longer open to other families at all
        appeals.join(session, wife, appeal.id, other.id, signatory="Ірина", consent=True)
    with pytest.raises(Conflict):
        appeals.add_case(
            session, worker, appeal.id, other.id, signatory="Ірина", consent_on=TODAY, today=TODAY
        )
    with pytest.raises(Conflict):
        appeals.leave(session, mother, appeal.id, case.id)
    # Sent and unanswered past the 30 days: overdue.
    late = TODAY + dt.timedelta(days=45)
    (overdue,) = appeals.overdue_appeals(session, worker, today=late)
    assert (
        overdue.appeal.id == appeal.id
        and overdue.days_overdue == 15
        and overdue.deadline == TODAY + dt.timedelta(30)
    )
    with pytest.raises(ValidationFailed) as early:
        appeals.record_answer(
            session, worker, appeal.id, received_on=TODAY - dt.timedelta(1), text="", today=late
        )
    assert early.value.field == "received_on"
    appeals.record_answer(session, worker, appeal.id, received_on=late, text="Розглянуто", today=late)
    assert appeal.state is AppealState.ANSWERED and not appeals.overdue_appeals(session, worker, today=late)
    appeals.set_outcome(session, worker, appeal.id, case.id, RequestOutcome.GRANTED, "Статус змінено")
    (mine,) = appeals.appeals_of_case(session, mother, case.id)
    assert mine.signatories[0].outcome is RequestOutcome.GRANTED and mine.days_waiting == 45
    # Once sent, another family no longer sees the appeal at all.
    with pytest.raises(NotFound):
        appeals.get_appeal(session, wife, appeal.id)
    assert [v.appeal.id for v in appeals.list_appeals(session, wife)] == []


def test_the_letter_reads_back_in_the_authoritys_language(session, people, factories, tmp_path: Path):
    worker, families = people
    appeal = _draft(session, worker, language="uk")
    (mother, case), _, _ = families
    published = factories.SourceFactory(
        kind=SourceKind.PUBLISHED_LIST,
        name="Список обміну № 7",
        reliability=Reliability.B,
        credibility=Credibility.PROBABLY_TRUE,
    )
    secret = factories.SourceFactory(
        kind=SourceKind.OTHER,
        name="Джерело під захистом",
        reliability=Reliability.C,
        credibility=Credibility.POSSIBLY_TRUE,
    )
    for source, visibility in ((published, Visibility.FAMILY), (secret, Visibility.INTERNAL)):
        evidence.add_evidence(
            session,
            worker,
            case.id,
            evidence.EvidenceInput(
                Claim.CAPTURED, source.id, event_date=PartialDate(2024, 3), visibility=visibility
            ),
        )
    appeals.join(
        session,
        mother,
        appeal.id,
        case.id,
        signatory="Олена Коваль",
        consent=True,
        requested_status=PersonStatus.CONFIRMED_CAPTURED,
    )
    made = letters.letter_document(session, worker, appeal, TODAY)
    path = tmp_path / made.filename
    path.write_bytes(made.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    words = " ".join(text.split())  # table cells wrap
    assert "Кому: " + MINISTRY in words and "Олена Коваль" in words and case.reference in words
    assert (
        "Просимо змінити офіційний статус" in words and "Полон підтверджено" in words
    )  # the status asked for
    # The facts behind the evidence status, with source and grade; never an internal item.
    assert "Список обміну № 7" in words and "B2" in words and "2024-03" in words
    assert "Джерело під захистом" not in words
    with pytest.raises(Forbidden):  # families sign letters; they do not make them
        letters.letter_document(session, mother, appeal, TODAY)


def test_families_hear_of_their_appeal_and_of_its_delay(session, people):
    from kintrace.services import notifications
    from kintrace.web.i18n import gettext_for
    from kintrace.web.notices import describe

    worker, families = people
    (mother, case), _, _ = families
    notifications.save_settings(
        session, mother, {notifications.APPEAL_NEWS: notifications.PORTAL}, language="uk"
    )
    appeal = _draft(session, worker, answer_days=30)
    appeals.join(session, mother, appeal.id, case.id, signatory="Олена", consent=True, today=TODAY)
    appeals.mark_sent(
        session,
        worker,
        appeal.id,
        sent_on=TODAY,
        channel="пошта",
        reference_number=None,
        letter_sha256=None,
        today=TODAY,
    )
    late = TODAY + dt.timedelta(days=40)
    assert appeals.queue_overdue_appeals(session, worker, today=late) == 1
    assert appeals.queue_overdue_appeals(session, worker, today=late) == 1  # counted, but told only once
    appeals.record_answer(session, worker, appeal.id, received_on=late, text="Розглянуто", today=late)
    appeals.set_outcome(session, worker, appeal.id, case.id, RequestOutcome.GRANTED)
    told = [describe(n, gettext_for("uk")) for n in notifications.list_notifications(session, mother)]
    assert len(told) == 4
    sent = f"Справа {case.reference}: звернення «Про встановлення статусу» надіслано 2026-06-01."
    assert f"{sent} Кому: {MINISTRY}." in told
    assert any("досі немає відповіді, хоча строк минув 2026-07-01" in t for t in told)
    assert any("для цієї справи: Задоволено." in t for t in told)
