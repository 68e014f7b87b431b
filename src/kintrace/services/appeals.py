"""Collective appeals: many families' cases in one letter to one authority, and what came of it.

The rules:
- A caseworker drafts the appeal (authority, demand, text, the letter's language). While it is a
  draft, cases join: a caseworker adds a case with the family's consent recorded, or a family joins
  its own case from the portal, consenting to be named. A family may leave until the letter is sent.
- Only verified, open cases join (an unverified report or a merged case cannot sign a letter).
- Sending fixes the signatories; the letter's SHA-256 is kept. Answers and per-case outcomes follow.
  An appeal sent and unanswered past the authority's time to answer is overdue.
- A family sees the appeals open for joining, and of the others only those its own cases are in;
  of the signatories only its own. The letter carries, per case, only what that family may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kintrace.domain import requests as request_rules
from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import (
    AppealDemand,
    AppealState,
    CaseState,
    PersonStatus,
    RequestOutcome,
    Visibility,
)
from kintrace.services import auditing, notifications
from kintrace.services import status as status_service
from kintrace.services.access import Actor, can_see_case, require_writer, visible_case
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.services.requests import list_requests
from kintrace.store.models import Appeal, AppealAnswer, AppealCase, Case, CaseMember, EvidenceItem

LANGUAGES = ("uk", "ru", "en")
MAX_ANSWER_DAYS = 365


@dataclass(frozen=True)
class AppealInput:
    title: str
    authority: str
    demand: AppealDemand
    text: str
    language: str = "uk"
    answer_days: int = request_rules.STATUTORY_ANSWER_DAYS


@dataclass(frozen=True)
class AppealView:
    """An appeal as the actor may see it: its clock, how many cases signed, and the visible signatories."""

    appeal: Appeal
    cases: int
    signatories: list[AppealCase]  # all for staff; a family's own only
    deadline: dt.date | None
    overdue: bool
    days_overdue: int
    days_waiting: int | None  # since sending, to the first answer or today


def _clean(data: AppealInput) -> AppealInput:
    for field, value, most in (("title", data.title, 200), ("authority", data.authority, 300)):
        if not value.strip():
            raise ValidationFailed(field, "must not be empty")
        if len(value) > most:
            raise ValidationFailed(field, f"is longer than {most} characters")
    if data.language not in LANGUAGES:
        raise ValidationFailed("language", f"{data.language!r} is not one of {', '.join(LANGUAGES)}")
    if not 1 <= data.answer_days <= MAX_ANSWER_DAYS:
        raise ValidationFailed("answer_days", f"must be between 1 and {MAX_ANSWER_DAYS}")
    return AppealInput(
        data.title.strip(),
        " ".join(data.authority.split()),
        AppealDemand(data.demand),
        data.text.strip(),
        data.language,
        data.answer_days,
    )


def create_appeal(session: Session, actor: Actor, data: AppealInput) -> Appeal:
    require_writer(actor, "draft appeals")
    data = _clean(data)
    appeal = Appeal(
        title=data.title,
        authority=data.authority,
        demand=data.demand,
        text=data.text,
        language=data.language,
        answer_days=data.answer_days,
        created_by_id=actor.user_id,
    )
    session.add(appeal)
    auditing.record(session, actor, "appeal.create", appeal)
    return appeal


def update_appeal(session: Session, actor: Actor, appeal_id: int, data: AppealInput) -> Appeal:
    require_writer(actor, "edit appeals")
    appeal = _draft(get_appeal(session, actor, appeal_id))
    before = auditing.snapshot(appeal)
    data = _clean(data)
    appeal.title, appeal.authority, appeal.demand = data.title, data.authority, data.demand
    appeal.text, appeal.language, appeal.answer_days = data.text, data.language, data.answer_days
    auditing.record(session, actor, "appeal.update", appeal, before=before)
    return appeal


def _family_case_ids(session: Session, actor: Actor, *, reported: bool = False) -> set[int]:
    query = select(CaseMember.case_id).where(CaseMember.user_id == actor.user_id)
    if reported:
        query = query.where(CaseMember.relation == "reporter")
    return set(session.scalars(query))


def _own_signature(row: AppealCase, actor: Actor, reported: set[int]) -> bool:
    """A family's own signature: one it made, or one a caseworker recorded on a case it reported. On a
    case shared with another family, that family's signature (a relative's name) stays its own."""
    if row.joined_by_family:
        return row.joined_by_id == actor.user_id
    return row.case_id in reported


def get_appeal(session: Session, actor: Actor, appeal_id: int) -> Appeal:
    """The appeal, if the actor may see it (a family: open for joining, or one of its cases is in it)."""
    appeal = session.get(Appeal, appeal_id, options=[selectinload(Appeal.signatories)])
    if appeal is None:
        raise NotFound("appeal", appeal_id)
    if actor.is_staff or appeal.state is AppealState.DRAFT:
        return appeal
    own = _family_case_ids(session, actor)
    if not any(row.case_id in own for row in appeal.signatories):
        raise NotFound("appeal", appeal_id)
    return appeal


def view(
    session: Session,
    actor: Actor,
    appeal: Appeal,
    today: dt.date | None = None,
    *,
    reported: set[int] | None = None,
) -> AppealView:
    today = today or dt.date.today()
    if reported is None:  # a list reads the family's cases once for all its appeals
        reported = set() if actor.is_staff else _family_case_ids(session, actor, reported=True)
    signatories = [
        row for row in appeal.signatories if actor.is_staff or _own_signature(row, actor, reported)
    ]
    deadline = None if appeal.sent_on is None else appeal.sent_on + dt.timedelta(days=appeal.answer_days)
    answered_on = min((a.received_on for a in appeal.answers), default=None)
    waiting_to = answered_on or today
    overdue = appeal.state is AppealState.SENT and deadline is not None and today > deadline
    return AppealView(
        appeal=appeal,
        cases=len(appeal.signatories),
        signatories=signatories,
        deadline=deadline,
        overdue=overdue,
        days_overdue=(today - deadline).days if overdue and deadline is not None else 0,
        days_waiting=None if appeal.sent_on is None else max(0, (waiting_to - appeal.sent_on).days),
    )


def list_appeals(session: Session, actor: Actor, *, today: dt.date | None = None) -> list[AppealView]:
    """Staff: every appeal. A family: the drafts it may join, and the appeals its cases are in."""
    query = select(Appeal).options(selectinload(Appeal.signatories), selectinload(Appeal.answers))
    if not actor.is_staff:
        own = select(AppealCase.appeal_id).join(CaseMember, CaseMember.case_id == AppealCase.case_id)
        own = own.where(CaseMember.user_id == actor.user_id)
        query = query.where((Appeal.state == AppealState.DRAFT) | Appeal.id.in_(own))
    appeals = session.scalars(query.order_by(Appeal.id.desc())).all()
    reported = set() if actor.is_staff else _family_case_ids(session, actor, reported=True)
    return [view(session, actor, appeal, today, reported=reported) for appeal in appeals]


def _tell(
    session: Session, actor: Actor, appeal: Appeal, kind: str, case_ids: Sequence[int], **extra: str
) -> None:
    """News of the appeal for the families of its cases (each family as it chose to hear it)."""
    for case_id in case_ids:
        reference = session.get_one(Case, case_id).reference
        params = {
            "kind": kind,
            "appeal_id": str(appeal.id),
            "title": appeal.title,
            "authority": appeal.authority,
        }
        params.update(reference=reference, **extra)
        key = ":".join(["appeal", str(appeal.id), kind, *(extra[name] for name in sorted(extra))])
        notifications.notify(session, actor, case_id, notifications.APPEAL_NEWS, params, key)


def _draft(appeal: Appeal) -> Appeal:
    if appeal.state is not AppealState.DRAFT:
        raise Conflict(f"appeal {appeal.id} was sent on {appeal.sent_on}: its signatories are fixed")
    return appeal


def _joinable(session: Session, actor: Actor, case_id: int) -> Case:
    case = visible_case(session, actor, case_id)
    if case.state is not CaseState.OPEN:
        raise ValidationFailed(
            "case_id", f"case {case.reference} is {case.state.value}; only open cases join"
        )
    return case


def add_case(
    session: Session,
    actor: Actor,
    appeal_id: int,
    case_id: int,
    *,
    signatory: str,
    consent_on: dt.date,
    requested_status: PersonStatus | None = None,
    today: dt.date | None = None,
) -> AppealCase:
    """A caseworker adds a case, recording the day the family agreed to be named."""
    require_writer(actor, "add cases to appeals")
    today = today or dt.date.today()
    if consent_on > today:
        raise ValidationFailed("consent_on", f"{consent_on} is after today ({today})")
    return _join(session, actor, appeal_id, case_id, signatory, consent_on, requested_status, family=False)


def join(
    session: Session,
    actor: Actor,
    appeal_id: int,
    case_id: int,
    *,
    signatory: str,
    consent: bool,
    requested_status: PersonStatus | None = None,
    today: dt.date | None = None,
) -> AppealCase:
    """A family joins with its own case, consenting to be named in the letter."""
    if actor.is_staff:
        raise Forbidden("staff add cases with add_case, recording the family's consent")
    if not consent:
        raise ValidationFailed("consent", "the family must agree to be named in the letter")
    today = today or dt.date.today()
    return _join(session, actor, appeal_id, case_id, signatory, today, requested_status, family=True)


def _join(
    session: Session,
    actor: Actor,
    appeal_id: int,
    case_id: int,
    signatory: str,
    consent_on: dt.date,
    requested_status: PersonStatus | None,
    *,
    family: bool,
) -> AppealCase:
    appeal = _draft(get_appeal(session, actor, appeal_id))
    _joinable(session, actor, case_id)
    name = " ".join(signatory.split())
    if not name:
        raise ValidationFailed("signatory", "must name who signs for the family")
    if len(name) > 200:
        raise ValidationFailed("signatory", "is longer than 200 characters")
    if any(row.case_id == case_id for row in appeal.signatories):
        raise Conflict(f"case {case_id} is already in appeal {appeal_id}")
    row = AppealCase(
        appeal=appeal,
        case_id=case_id,
        requested_status=None if requested_status is None else PersonStatus(requested_status),
        signatory=name,
        consent_on=consent_on,
        joined_by_id=actor.user_id,
        joined_by_family=family,
    )
    session.add(row)
    auditing.record(session, actor, "appeal.join", row)
    return row


def leave(session: Session, actor: Actor, appeal_id: int, case_id: int) -> None:
    """Take a case out of a draft (its family, or a caseworker)."""
    appeal = _draft(get_appeal(session, actor, appeal_id))
    if not actor.can_write_cases and not (actor.is_family and can_see_case(session, actor, case_id)):
        raise NotFound("case", case_id)
    row = next((r for r in appeal.signatories if r.case_id == case_id), None)
    if row is None:
        raise NotFound("appeal case", case_id)
    if actor.is_family and not _own_signature(row, actor, _family_case_ids(session, actor, reported=True)):
        raise Forbidden("only the family that signed may withdraw its signature")
    auditing.record(session, actor, "appeal.leave", row, before=auditing.snapshot(row), deleted=True)
    appeal.signatories.remove(row)
    session.flush()


def mark_sent(
    session: Session,
    actor: Actor,
    appeal_id: int,
    *,
    sent_on: dt.date,
    channel: str,
    reference_number: str | None,
    letter_sha256: str | None,
    today: dt.date | None = None,
) -> Appeal:
    require_writer(actor, "send appeals")
    appeal = _draft(get_appeal(session, actor, appeal_id))
    today = today or dt.date.today()
    if not appeal.signatories:
        raise ValidationFailed("cases", "an appeal without a case cannot be sent")
    if sent_on > today:
        raise ValidationFailed("sent_on", f"{sent_on} is after today ({today})")
    if not channel.strip():
        raise ValidationFailed("channel", "must say how it was sent (post, e-mail, in person, ...)")
    before = auditing.snapshot(appeal)
    appeal.state, appeal.sent_on, appeal.channel = AppealState.SENT, sent_on, channel.strip()[:100]
    appeal.reference_number = (reference_number or "").strip()[:100] or None
    appeal.letter_sha256 = letter_sha256
    auditing.record(session, actor, "appeal.send", appeal, before=before)
    _tell(
        session, actor, appeal, "sent", [row.case_id for row in appeal.signatories], date=sent_on.isoformat()
    )
    return appeal


def record_answer(
    session: Session,
    actor: Actor,
    appeal_id: int,
    *,
    received_on: dt.date,
    text: str,
    reference_number: str | None = None,
    today: dt.date | None = None,
) -> AppealAnswer:
    require_writer(actor, "record answers to appeals")
    appeal = get_appeal(session, actor, appeal_id)
    today = today or dt.date.today()
    if appeal.sent_on is None:
        raise Conflict(f"appeal {appeal_id} has not been sent: there is nothing to answer yet")
    if received_on < appeal.sent_on:
        raise ValidationFailed(
            "received_on", f"{received_on} is before the appeal was sent ({appeal.sent_on})"
        )
    if received_on > today:
        raise ValidationFailed("received_on", f"{received_on} is after today ({today})")
    answer = AppealAnswer(
        appeal=appeal,
        received_on=received_on,
        text=text.strip(),
        reference_number=(reference_number or "").strip()[:100] or None,
        recorded_by_id=actor.user_id,
    )
    session.add(answer)
    if appeal.state is AppealState.SENT:
        appeal.state = AppealState.ANSWERED
    auditing.record(session, actor, "appeal.answer", answer)
    cases = [row.case_id for row in appeal.signatories]
    _tell(session, actor, appeal, "answered", cases, date=received_on.isoformat())
    return answer


def set_outcome(
    session: Session,
    actor: Actor,
    appeal_id: int,
    case_id: int,
    outcome: RequestOutcome,
    note: str | None = None,
) -> AppealCase:
    """What the authority decided for one case of the appeal."""
    require_writer(actor, "record outcomes of appeals")
    appeal = get_appeal(session, actor, appeal_id)
    if appeal.state is AppealState.DRAFT:
        raise Conflict(f"appeal {appeal_id} has not been sent yet")
    row = next((r for r in appeal.signatories if r.case_id == case_id), None)
    if row is None:
        raise NotFound("appeal case", case_id)
    before = auditing.snapshot(row)
    row.outcome, row.outcome_note = RequestOutcome(outcome), (note or "").strip() or None
    auditing.record(session, actor, "appeal.outcome", row, before=before)
    if row.outcome is not RequestOutcome.PENDING:
        _tell(session, actor, appeal, "outcome", [case_id], outcome=row.outcome.value)
    return row


def close_appeal(session: Session, actor: Actor, appeal_id: int) -> Appeal:
    require_writer(actor, "close appeals")
    appeal = get_appeal(session, actor, appeal_id)
    before = auditing.snapshot(appeal)
    appeal.state = AppealState.CLOSED
    auditing.record(session, actor, "appeal.close", appeal, before=before)
    return appeal


def overdue_appeals(session: Session, actor: Actor, *, today: dt.date | None = None) -> list[AppealView]:
    """Appeals sent and unanswered past the authority's time to answer, longest overdue first."""
    views = [v for v in list_appeals(session, actor, today=today) if v.overdue]
    return sorted(views, key=lambda v: -v.days_overdue)


def queue_overdue_appeals(session: Session, actor: Actor, *, today: dt.date | None = None) -> int:
    """Tell the families of every appeal past the authority's time to answer (once per appeal)."""
    today = today or dt.date.today()
    sent = session.scalars(select(Appeal).where(Appeal.state == AppealState.SENT)).all()
    told = 0
    for appeal in sent:
        made = view(session, actor, appeal, today)
        if made.overdue and made.deadline is not None:
            cases = [row.case_id for row in appeal.signatories]
            _tell(session, actor, appeal, "overdue", cases, date=made.deadline.isoformat())
            told += 1
    return told


def appeals_of_case(session: Session, actor: Actor, case_id: int) -> list[AppealView]:
    """The appeals a case is in (for its page: the family sees what came of them)."""
    visible_case(session, actor, case_id)
    return appeals_of(session, actor, case_id)


def appeals_of(session: Session, actor: Actor, case_id: int) -> list[AppealView]:
    """`appeals_of_case` of a case the caller may see."""
    ids = select(AppealCase.appeal_id).where(AppealCase.case_id == case_id)
    appeals = session.scalars(
        select(Appeal).where(Appeal.id.in_(ids)).options(selectinload(Appeal.signatories)).order_by(Appeal.id)
    ).all()
    return [view(session, actor, appeal) for appeal in appeals]


def joinable_cases(session: Session, actor: Actor, appeal: Appeal) -> Sequence[Case]:
    """A family's own open cases not yet in the appeal."""
    joined = {row.case_id for row in appeal.signatories}
    own = select(CaseMember.case_id).where(CaseMember.user_id == actor.user_id)
    cases = session.scalars(
        select(Case).where(Case.id.in_(own), Case.state == CaseState.OPEN).options(selectinload(Case.person))
    ).all()
    return [case for case in cases if case.id not in joined]


@dataclass(frozen=True)
class LetterFact:
    claim: str
    event_date: PartialDate | None
    reported_date: PartialDate | None
    place: str | None
    source: str
    grade: str  # Admiralty code, e.g. "B2"


@dataclass(frozen=True)
class LetterRequest:
    authority: str
    requested_status: PersonStatus
    submitted_on: dt.date
    outcome: RequestOutcome
    days_pending: int


@dataclass(frozen=True)
class LetterCase:
    reference: str
    name: str
    birth_date: PartialDate | None
    asked: PersonStatus | None
    official: PersonStatus
    official_since: PartialDate | None
    evidence: PersonStatus
    evidence_since: PartialDate | None
    facts: list[LetterFact]
    requests: list[LetterRequest]
    signatory: str


def letter_cases(
    session: Session, actor: Actor, appeal: Appeal, today: dt.date | None = None
) -> list[LetterCase]:
    """What the letter says of each case: both statuses, the facts behind the evidence status, the
    requests and how long they waited. Only family-visible facts: the families sign the letter."""
    require_writer(actor, "write appeal letters")
    today = today or dt.date.today()
    made = []
    for row in appeal.signatories:
        case = row.case
        person = case.person
        derived = status_service.status_view(session, actor, case.id, today=today).derivation
        items = {
            item.id: item
            for item in session.scalars(
                select(EvidenceItem)
                .where(
                    EvidenceItem.id.in_(list(derived.fact_ids)), EvidenceItem.visibility == Visibility.FAMILY
                )
                .options(selectinload(EvidenceItem.source))
            )
        }
        facts = [
            LetterFact(
                claim=item.claim.value,
                event_date=item.event_date,
                reported_date=item.reported_date,
                place=item.place,
                source=item.source.name,
                grade=f"{item.source.reliability.value}{item.source.credibility.value}",
            )
            for fact_id in derived.fact_ids
            if (item := items.get(fact_id)) is not None
        ]
        requests = [
            LetterRequest(
                v.request.authority,
                v.request.requested_status,
                v.request.submitted_on,
                v.request.outcome,
                v.days_pending,
            )
            for v in list_requests(session, actor, case.id, today=today)
        ]
        made.append(
            LetterCase(
                reference=case.reference,
                name=" ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p),
                birth_date=person.birth_date,
                asked=row.requested_status,
                official=case.official_status,
                official_since=case.official_since,
                evidence=case.evidence_status,
                evidence_since=case.evidence_since,
                facts=facts,
                requests=requests,
                signatory=row.signatory,
            )
        )
    return made
