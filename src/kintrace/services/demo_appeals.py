"""The demo's collective appeals, made through the appeals service (so they are audited like any other).

One appeal sent months ago to the ministry, with families' signatures, an answer and per-case outcomes;
one draft open for joining, with the demo family's cases free to join it.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import AppealDemand, CaseState, PersonStatus, RequestOutcome, Role
from kintrace.services import appeals
from kintrace.services.access import Actor
from kintrace.store.models import Case, CaseMember, Relative, User

SENT_CASES = 12


def _signatory(session: Session, case_id: int) -> str:
    name = session.scalar(
        select(Relative.full_name).where(Relative.case_id == case_id).order_by(Relative.is_reporter.desc())
    )
    return name or "Родина"


def seed_demo_appeals(session: Session, actor: Actor, today: dt.date, seed: int = 7) -> int:
    """Write the demo's appeals; return how many cases signed them."""
    rng = random.Random(seed)
    followed = select(CaseMember.case_id).join(User, User.id == CaseMember.user_id)
    family_cases = set(session.scalars(followed.where(User.role == Role.FAMILY)))
    open_cases = [
        case_id
        for case_id, evidence in session.execute(
            select(Case.id, Case.evidence_status).where(Case.state == CaseState.OPEN).order_by(Case.id)
        )
        if evidence in (PersonStatus.REPORTED_CAPTURED, PersonStatus.CONFIRMED_CAPTURED)
        and case_id not in family_cases
    ]
    chosen = rng.sample(open_cases, min(SENT_CASES, len(open_cases)))
    sent_on = today - dt.timedelta(days=75)
    sent = appeals.create_appeal(
        session,
        actor,
        appeals.AppealInput(
            title="Про встановлення статусу «утримується в полоні»",
            authority="Міністерство оборони України",
            demand=AppealDemand.STATUS_CHANGE,
            text=(
                "Ми, родини військовослужбовців, яких офіційно вважають зниклими безвісти, просимо "
                "встановити їхній статус за наявними доказами: їх бачили в полоні, їхні імена є в "
                "опублікованих списках, а наші запити місяцями лишаються без відповіді."
            ),
        ),
    )
    for case_id in chosen:
        appeals.add_case(
            session,
            actor,
            sent.id,
            case_id,
            signatory=_signatory(session, case_id),
            consent_on=sent_on - dt.timedelta(days=rng.randint(3, 20)),
            requested_status=PersonStatus.CONFIRMED_CAPTURED,
            today=today,
        )
    appeals.mark_sent(
        session,
        actor,
        sent.id,
        sent_on=sent_on,
        channel="рекомендований лист",
        reference_number="Вх-2026/4471",
        letter_sha256=None,
        today=today,
    )
    appeals.record_answer(
        session,
        actor,
        sent.id,
        received_on=sent_on + dt.timedelta(days=41),
        text="Звернення розглянуто; щодо частини осіб ухвалено рішення, решту передано на перевірку.",
        reference_number="Вих-11/902",
        today=today,
    )
    for index, case_id in enumerate(chosen):
        outcome = (RequestOutcome.GRANTED, RequestOutcome.PENDING, RequestOutcome.REFUSED)[index % 3]
        appeals.set_outcome(session, actor, sent.id, case_id, outcome)
    draft = appeals.create_appeal(
        session,
        actor,
        appeals.AppealInput(
            title="Про включення до списків на обмін",
            authority="Координаційний штаб з питань поводження з військовополоненими",
            demand=AppealDemand.EXCHANGE_LISTS,
            text="Просимо включити наших рідних, чий полон підтверджено, до найближчих списків на обмін.",
        ),
    )
    for case_id in [c for c in open_cases if c not in chosen][:3]:
        appeals.add_case(
            session,
            actor,
            draft.id,
            case_id,
            signatory=_signatory(session, case_id),
            consent_on=today - dt.timedelta(days=2),
            today=today,
        )
    return len(chosen) + min(3, len(open_cases) - len(chosen))
