"""Telling families what happened on their cases: their settings, the outbox, "what's new", delivery.

Events are told only to the family accounts that may see the case (its members), and carry only what
they may see there: never an internal evidence item, never another family's contact details. Each
event is told at most once per account (a dedupe key), so hooks and the overdue scan may run again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import PersonStatus, RequestOutcome, Role, StatusTrack, Visibility
from kintrace.services import auditing
from kintrace.services.access import Actor, require_role, visible_case
from kintrace.services.errors import NotFound, ValidationFailed
from kintrace.store.models import (
    Case,
    CaseMember,
    EvidenceItem,
    Notification,
    NotificationPreference,
    RequestAnswer,
    StatusRequest,
    User,
    utcnow,
)

STATUS_CHANGED = "status_changed"  # evidence-based or official status
NEW_ITEM = "new_item"  # a new family-visible evidence item
REQUEST_ANSWERED = "request_answered"  # an authority answered a status-change request
REQUEST_OVERDUE = "request_overdue"  # a request passed its deadline unanswered
APPEAL_NEWS = "appeal_news"  # an appeal the case is in was sent, answered, decided for it, or is overdue
LIST_FOUND = "list_found"  # a caseworker confirmed that the person appears on a published list
EVENTS = (STATUS_CHANGED, NEW_ITEM, REQUEST_ANSWERED, REQUEST_OVERDUE, APPEAL_NEWS, LIST_FOUND)

EMAIL = "email"  # e-mail to the account's address, and the portal
SMS = "sms"  # a text message to the account's phone (an SMS or messenger gateway), and the portal
PORTAL = "portal"  # the portal's "what's new" only
OFF = "off"
CHANNELS = (EMAIL, SMS, PORTAL, OFF)
DEFAULT_CHANNEL = PORTAL
LANGUAGES = ("en", "uk", "ru")


@dataclass(frozen=True)
class Settings:
    """The channel of each event for one scope (a case, or all cases when `case_id` is None)."""

    case_id: int | None
    channels: Mapping[str, str]
    language: str
    # For a case: which events follow the all-cases choice (no choice of their own).
    inherited: frozenset[str] = frozenset()


def _require_family(actor: Actor) -> int:
    require_role(actor, Role.FAMILY, action="keep notification settings")
    if actor.user_id is None:
        raise ValidationFailed("user_id", "notification settings belong to an account")
    return actor.user_id


def _rows(session: Session, user_id: int, case_id: int | None) -> dict[str, NotificationPreference]:
    scope = (
        NotificationPreference.case_id.is_(None)
        if case_id is None
        else NotificationPreference.case_id == case_id
    )
    query = select(NotificationPreference).where(NotificationPreference.user_id == user_id, scope)
    return {row.event: row for row in session.scalars(query)}


def get_settings(session: Session, actor: Actor, case_id: int | None = None) -> Settings:
    """The reader's choices for one case (falling back to all cases, then to the portal) or all cases."""
    user_id = _require_family(actor)
    if case_id is not None:
        visible_case(session, actor, case_id)
    general = _rows(session, user_id, None)
    own = _rows(session, user_id, case_id) if case_id is not None else general
    channels, inherited = {}, set()
    for event in EVENTS:
        row = own.get(event) or general.get(event)
        channels[event] = row.channel if row is not None else DEFAULT_CHANNEL
        if event not in own:
            inherited.add(event)
    languages = [row.language for row in (*own.values(), *general.values())]
    return Settings(case_id, channels, languages[0] if languages else "en", frozenset(inherited))


def save_settings(
    session: Session,
    actor: Actor,
    channels: Mapping[str, str | None],
    *,
    case_id: int | None = None,
    language: str = "en",
) -> Settings:
    """Save the reader's choices; for a case, an event given None follows the all-cases choice again."""
    user_id = _require_family(actor)
    if case_id is not None:
        visible_case(session, actor, case_id)
    if language not in LANGUAGES:
        raise ValidationFailed("language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
    for event, channel in channels.items():
        if event not in EVENTS:
            raise ValidationFailed("event", f"{event!r} is not one of {', '.join(EVENTS)}")
        if channel is not None and channel not in CHANNELS:
            raise ValidationFailed(event, f"{channel!r} is not one of {', '.join(CHANNELS)}")
        if channel is None and case_id is None:
            raise ValidationFailed(event, "choose how to hear of it on all your cases")
    existing = _rows(session, user_id, case_id)
    for event, channel in channels.items():
        row = existing.get(event)
        if channel is None:
            if row is not None:
                auditing.record(
                    session,
                    actor,
                    "notification_setting.delete",
                    row,
                    before=auditing.snapshot(row),
                    deleted=True,
                )
                session.delete(row)
            continue
        if row is None:
            row = NotificationPreference(
                user_id=user_id, case_id=case_id, event=event, channel=channel, language=language
            )
            session.add(row)
            auditing.record(session, actor, "notification_setting.create", row)
        elif (row.channel, row.language) != (channel, language):
            before = auditing.snapshot(row)
            row.channel, row.language = channel, language
            auditing.record(session, actor, "notification_setting.update", row, before=before)
    session.flush()
    return get_settings(session, actor, case_id)


def _channel_for(session: Session, user: User, case_id: int, event: str) -> tuple[str, str]:
    rows = session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user.id,
            NotificationPreference.event == event,
            (NotificationPreference.case_id == case_id) | NotificationPreference.case_id.is_(None),
        )
    ).all()
    chosen = next((r for r in rows if r.case_id == case_id), None) or next(iter(rows), None)
    if chosen is None:
        return DEFAULT_CHANNEL, "en"
    channel = chosen.channel
    if (channel == EMAIL and not user.email) or (channel == SMS and not user.phone):
        channel = PORTAL  # no address or phone on the account: the portal still tells them
    return channel, chosen.language


def _family_members(session: Session, case_id: int) -> list[User]:
    query = (
        select(User)
        .join(CaseMember, CaseMember.user_id == User.id)
        .where(CaseMember.case_id == case_id, User.role == Role.FAMILY, User.active.is_(True))
        .order_by(User.id)
    )
    return list(session.scalars(query))


def notify(
    session: Session,
    actor: Actor,
    case_id: int,
    event: str,
    params: Mapping[str, Any],
    key: str,
    *,
    skip_user_id: int | None = None,
) -> list[Notification]:
    """Tell the case's family accounts of an event, each as they chose; an event already told is skipped."""
    if event not in EVENTS:
        raise ValidationFailed("event", f"{event!r} is not one of {', '.join(EVENTS)}")
    members = [u for u in _family_members(session, case_id) if u.id != skip_user_id]
    if not members:
        return []
    told = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.dedupe_key == key, Notification.user_id.in_([u.id for u in members])
            )
        )
    )
    created = []
    for user in members:
        if user.id in told:
            continue
        channel, language = _channel_for(session, user, case_id, event)
        if channel == OFF:
            continue
        note = Notification(
            user_id=user.id,
            case_id=case_id,
            event=event,
            params=dict(params),
            dedupe_key=key,
            channel=channel,
            language=language,
        )
        session.add(note)
        auditing.record(session, actor, "notification.create", note)
        created.append(note)
    return created


# Hooks called by the services that make the events (their signatures stay as they were).


def status_changed(
    session: Session,
    actor: Actor,
    case: Case,
    track: StatusTrack,
    previous: PersonStatus | None,
    change_id: int,
) -> None:
    status, since = (
        (case.official_status, case.official_since)
        if track is StatusTrack.OFFICIAL
        else (case.evidence_status, case.evidence_since)
    )
    params = {
        "track": StatusTrack(track).value,
        "status": PersonStatus(status).value,
        "previous": None if previous is None else PersonStatus(previous).value,
        "since": None if since is None else str(since),
        "reference": case.reference,
    }
    notify(session, actor, case.id, STATUS_CHANGED, params, f"status:{change_id}")


def item_added(session: Session, actor: Actor, item: EvidenceItem) -> None:
    """A family-visible item; internal ones are never told. Its author already knows of it.

    A family's own report reaches the other families only once a caseworker publishes it (the
    visibility policy of services/access.py), and then this is called again by the publisher.
    """
    if item.visibility is not Visibility.FAMILY:
        return
    if item.published_at is None and _is_family(session, item.created_by_id):
        return
    case = session.get(Case, item.case_id)
    params = {
        "evidence_id": item.id,
        "claim": item.claim.value,
        "event_date": None if item.event_date is None else str(item.event_date),
        "reference": case.reference if case is not None else "",
    }
    author = item.created_by_id if item.published_at is not None else actor.user_id
    notify(session, actor, item.case_id, NEW_ITEM, params, f"item:{item.id}", skip_user_id=author)


def list_found(
    session: Session, actor: Actor, case: Case, item: EvidenceItem, values: Mapping[str, Any]
) -> None:
    """A reviewer accepted a list entry as the case's person: the family reads which list and what it says."""
    params = {
        "evidence_id": item.id,
        "claim": item.claim.value,
        "reference": case.reference,
        **values,
    }
    notify(session, actor, case.id, LIST_FOUND, params, f"list-item:{item.id}")


def _is_family(session: Session, user_id: int | None) -> bool:
    user = None if user_id is None else session.get(User, user_id)
    return user is not None and user.role is Role.FAMILY


def request_answered(session: Session, actor: Actor, request: StatusRequest, answer: RequestAnswer) -> None:
    params = {
        "request_id": request.id,
        "requested_status": request.requested_status.value,
        "authority": request.authority,
        "outcome": RequestOutcome(answer.outcome).value,
        "received_on": answer.received_on.isoformat(),
        "reference": request.case.reference,
    }
    notify(session, actor, request.case_id, REQUEST_ANSWERED, params, f"answer:{answer.id}")


def queue_overdue(session: Session, actor: Actor, *, today: dt.date | None = None) -> int:
    """Tell families of every pending request past its deadline (once per request); returns how many told."""
    today = today or dt.date.today()
    has_family = exists(select(CaseMember.case_id).where(CaseMember.case_id == StatusRequest.case_id))
    query = (
        select(StatusRequest)
        .where(
            StatusRequest.outcome == RequestOutcome.PENDING,
            StatusRequest.deadline.is_not(None),
            StatusRequest.deadline < today,
            has_family,
        )
        .order_by(StatusRequest.id)
    )
    count = 0
    for request in session.scalars(query):
        assert request.deadline is not None
        params = {
            "request_id": request.id,
            "requested_status": request.requested_status.value,
            "authority": request.authority,
            "deadline": request.deadline.isoformat(),
            "reference": request.case.reference,
        }
        count += len(
            notify(session, actor, request.case_id, REQUEST_OVERDUE, params, f"overdue:{request.id}")
        )
    return count


# The reader's side: "what's new".


def list_notifications(session: Session, actor: Actor, *, limit: int = 100) -> list[Notification]:
    """The reader's own notifications, newest first; only cases they may still see."""
    user_id = _require_family(actor)
    query = (
        select(Notification)
        .join(CaseMember, (CaseMember.case_id == Notification.case_id) & (CaseMember.user_id == user_id))
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def unread_count(session: Session, actor: Actor) -> int:
    if not actor.is_family or actor.user_id is None:
        return 0
    query = select(func.count(Notification.id)).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None)
    )
    return session.scalar(query) or 0


def mark_read(session: Session, actor: Actor, ids: Iterable[int] | None = None) -> int:
    """Mark the reader's notifications read (the given ones, or all); another's id is NotFound."""
    user_id = _require_family(actor)
    query = select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    wanted = None if ids is None else set(ids)
    if wanted is not None:
        for note_id in wanted:
            note = session.get(Notification, note_id)
            if note is None or note.user_id != user_id:
                raise NotFound("notification", note_id)
        query = query.where(Notification.id.in_(wanted))
    now = utcnow()
    count = 0
    for note in session.scalars(query):
        before = auditing.snapshot(note)
        note.read_at = now
        auditing.record(session, actor, "notification.read", note, before=before)
        count += 1
    return count


# Delivery (the CLI's `kintrace notifications send`).


@dataclass(frozen=True)
class Outgoing:
    notification: Notification
    address: str


def pending_email(session: Session) -> list[Outgoing]:
    """E-mail notifications not yet sent (see `pending`)."""
    return pending(session, EMAIL)


def pending(session: Session, channel: str) -> list[Outgoing]:
    """Notifications of one channel (e-mail or SMS) not yet sent, oldest first, to accounts that still
    have an address (or phone) and may still see the case (an account unlinked from it meanwhile is
    told nothing more)."""
    address = User.phone if channel == SMS else User.email
    member = exists(
        select(CaseMember.case_id).where(
            CaseMember.case_id == Notification.case_id, CaseMember.user_id == Notification.user_id
        )
    )
    query = (
        select(Notification, address)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.channel == channel,
            Notification.sent_at.is_(None),
            address.is_not(None),
            User.active.is_(True),
            member,
        )
        .order_by(Notification.id)
    )
    return [Outgoing(note, to) for note, to in session.execute(query) if to]


def mark_sent(session: Session, actor: Actor, notification: Notification) -> None:
    before = auditing.snapshot(notification)
    notification.sent_at = utcnow()
    auditing.record(session, actor, "notification.sent", notification, before=before)


def send_pending(
    session: Session,
    actor: Actor,
    deliver: Callable[[Outgoing], None],
    *,
    channel: str = EMAIL,
    today: dt.date | None = None,
) -> int:
    """Queue overdue-request events, then deliver each pending e-mail and commit it as sent at once,
    so a failure part-way never sends the same e-mail twice on the next run. Returns how many were sent."""
    queue_overdue(session, actor, today=today)
    session.commit()
    sent = 0
    for outgoing in pending(session, channel):
        deliver(outgoing)
        mark_sent(session, actor, outgoing.notification)
        session.commit()
        sent += 1
    return sent
