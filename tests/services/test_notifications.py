"""Notification settings, the outbox the services fill, "what's new", and delivery over real SMTP."""

from __future__ import annotations

import datetime as dt
import email
import email.header
import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from tests.services.helpers import actor, person

from kintrace.domain.vocabulary import Claim, PersonStatus, RequestOutcome, Role, SourceKind, Visibility
from kintrace.services import cases, evidence, notifications, requests, sources, status
from kintrace.services.access import SYSTEM
from kintrace.services.errors import Forbidden, NotFound, ValidationFailed
from kintrace.services.evidence import EvidenceInput
from kintrace.services.sources import SourceInput
from kintrace.store.audit import verify
from kintrace.store.models import AuditEntry, Notification

TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def world(session, factories):
    """Case A with families A1 and A2, case B with family B, a caseworker, an official source."""
    case_a = cases.create_case(session, SYSTEM, person())
    case_b = cases.create_case(session, SYSTEM, person("Коваленко", "Олег"))
    fam_a1 = factories.UserFactory(role=Role.FAMILY)
    fam_a2 = factories.UserFactory(role=Role.FAMILY, email=None)
    fam_b = factories.UserFactory(role=Role.FAMILY)
    for case, user in ((case_a, fam_a1), (case_a, fam_a2), (case_b, fam_b)):
        factories.CaseMemberFactory(case=case, user=user)
    worker = factories.UserFactory(role=Role.CASEWORKER)
    official = sources.create_source(
        session,
        SYSTEM,
        SourceInput(kind=SourceKind.OFFICIAL_BODY, name="ЗСУ", reliability="A", credibility="1"),
    )
    return {
        "a": case_a,
        "b": case_b,
        "a1": fam_a1,
        "a2": fam_a2,
        "b1": fam_b,
        "worker": worker,
        "src": official,
    }


def _add(session, who, case, claim, visibility, source_id):
    data = EvidenceInput(claim=claim, source_id=source_id, visibility=visibility, text="x")
    return evidence.add_evidence(session, who, case.id, data, today=TODAY)


def _mine(session, user):
    return notifications.list_notifications(session, actor(user))


def test_family_item_tells_the_case_families_and_internal_items_tell_no_one(session, world):
    worker = actor(world["worker"])
    internal = _add(session, worker, world["a"], Claim.SEEN_AT_PLACE, Visibility.INTERNAL, world["src"].id)
    assert not [n for n in _mine(session, world["a1"]) if n.event == notifications.NEW_ITEM]
    shown = _add(session, worker, world["a"], Claim.SEEN_AT_PLACE, Visibility.FAMILY, world["src"].id)
    for user in (world["a1"], world["a2"]):
        items = [n for n in _mine(session, user) if n.event == notifications.NEW_ITEM]
        assert [n.params["evidence_id"] for n in items] == [shown.id]
        assert internal.id not in {n.params.get("evidence_id") for n in _mine(session, user)}
    # The other family hears nothing of case A.
    assert _mine(session, world["b1"]) == []


def test_a_familys_own_report_is_told_to_the_other_families_only_once_published(session, world):
    """Issue 11, finding 5: the visibility policy holds for "what's new" and e-mail too."""
    first, second = actor(world["a1"]), actor(world["a2"])
    own = sources.create_source(session, first, SourceInput(kind=SourceKind.RELATIVE, name="Мати"))
    report = _add(session, first, world["a"], Claim.ALIVE, Visibility.FAMILY, own.id)

    def told(user):
        return [n.params["evidence_id"] for n in _mine(session, user) if n.event == notifications.NEW_ITEM]

    assert told(world["a2"]) == [] and told(world["a1"]) == []
    evidence.publish_evidence(session, actor(world["worker"]), report.id)
    assert told(world["a2"]) == [report.id] and told(world["a1"]) == []
    evidence.publish_evidence(session, actor(world["worker"]), report.id)  # once is enough
    assert told(world["a2"]) == [report.id]
    with pytest.raises(Forbidden):
        evidence.publish_evidence(session, second, report.id)


def test_status_changes_and_answers_are_told_once_each(session, world):
    worker = actor(world["worker"])
    _add(session, worker, world["a"], Claim.CAPTURED, Visibility.INTERNAL, world["src"].id)
    status.set_official_status(session, worker, world["a"].id, PersonStatus.REPORTED_CAPTURED)
    changes = [n for n in _mine(session, world["a1"]) if n.event == notifications.STATUS_CHANGED]
    assert sorted(n.params["track"] for n in changes) == ["evidence", "official"]
    evidence_change = next(n for n in changes if n.params["track"] == "evidence")
    assert evidence_change.params["status"] == PersonStatus.CONFIRMED_CAPTURED.value
    assert evidence_change.params["previous"] == PersonStatus.MISSING.value
    # Recomputing with nothing new tells nothing new.
    status.recompute_evidence_status(session, worker, world["a"].id, today=TODAY)
    assert len([n for n in _mine(session, world["a1"]) if n.event == notifications.STATUS_CHANGED]) == 2

    data = requests.RequestInput(PersonStatus.CONFIRMED_CAPTURED, "Штаб", dt.date(2025, 1, 2))
    request = requests.submit_request(session, worker, world["a"].id, data, today=TODAY)
    requests.record_answer(
        session, worker, request.id, received_on=dt.date(2025, 1, 20), outcome=RequestOutcome.GRANTED
    )
    answers = [n for n in _mine(session, world["a2"]) if n.event == notifications.REQUEST_ANSWERED]
    assert [(n.params["request_id"], n.params["outcome"]) for n in answers] == [(request.id, "granted")]
    assert _mine(session, world["b1"]) == []


def test_overdue_requests_are_queued_once(session, world):
    worker = actor(world["worker"])
    data = requests.RequestInput(PersonStatus.CONFIRMED_CAPTURED, "Штаб", dt.date(2024, 12, 1))
    request = requests.submit_request(session, worker, world["a"].id, data, today=TODAY)
    assert notifications.queue_overdue(session, SYSTEM, today=dt.date(2024, 12, 20)) == 0
    assert notifications.queue_overdue(session, SYSTEM, today=TODAY) == 2  # both families of case A
    assert notifications.queue_overdue(session, SYSTEM, today=TODAY) == 0
    overdue = [n for n in _mine(session, world["a1"]) if n.event == notifications.REQUEST_OVERDUE]
    assert [n.params["request_id"] for n in overdue] == [request.id]


def test_settings_per_case_override_all_cases_and_off_is_silent(session, world):
    fam = actor(world["a1"])
    case_id = world["a"].id
    everywhere = {event: notifications.EMAIL for event in notifications.EVENTS}
    notifications.save_settings(session, fam, everywhere, language="uk")
    settings = notifications.save_settings(
        session, fam, {notifications.NEW_ITEM: notifications.OFF}, case_id=case_id, language="uk"
    )
    assert settings.channels[notifications.NEW_ITEM] == notifications.OFF
    assert settings.channels[notifications.STATUS_CHANGED] == notifications.EMAIL
    assert (
        notifications.NEW_ITEM not in settings.inherited
        and notifications.STATUS_CHANGED in settings.inherited
    )
    worker = actor(world["worker"])
    _add(session, worker, world["a"], Claim.SEEN_AT_PLACE, Visibility.FAMILY, world["src"].id)
    assert [n.event for n in _mine(session, world["a1"])] == []  # "off" on this case
    status.set_official_status(session, worker, case_id, PersonStatus.REPORTED_CAPTURED)
    told = _mine(session, world["a1"])
    assert [(n.event, n.channel, n.language) for n in told] == [(notifications.STATUS_CHANGED, "email", "uk")]
    # Back to the all-cases choice for this case.
    notifications.save_settings(session, fam, {notifications.NEW_ITEM: None}, case_id=case_id)
    assert notifications.get_settings(session, fam, case_id).channels[notifications.NEW_ITEM] == "email"
    actions = set(session.query(AuditEntry.action).filter(AuditEntry.action.like("notification%")).all())
    assert {
        ("notification_setting.create",),
        ("notification_setting.delete",),
        ("notification.create",),
    } <= actions


def test_email_without_an_address_falls_back_to_the_portal(session, world):
    fam = actor(world["a2"])  # no e-mail on the account
    notifications.save_settings(session, fam, {notifications.STATUS_CHANGED: notifications.EMAIL})
    status.set_official_status(session, actor(world["worker"]), world["a"].id, PersonStatus.REPORTED_CAPTURED)
    assert [n.channel for n in _mine(session, world["a2"])] == ["portal"]


def test_settings_are_for_family_accounts_on_their_own_cases(session, world):
    with pytest.raises(Forbidden):
        notifications.get_settings(session, actor(world["worker"]))
    with pytest.raises(NotFound):
        notifications.save_settings(session, actor(world["b1"]), {}, case_id=world["a"].id)
    with pytest.raises(ValidationFailed) as bad:
        notifications.save_settings(session, actor(world["b1"]), {notifications.NEW_ITEM: "pigeon"})
    assert bad.value.field == notifications.NEW_ITEM
    with pytest.raises(ValidationFailed):
        notifications.save_settings(session, actor(world["b1"]), {"weather": "portal"})


def test_mark_read_touches_only_the_readers_own(session, world):
    status.set_official_status(session, actor(world["worker"]), world["a"].id, PersonStatus.REPORTED_CAPTURED)
    status.set_official_status(session, actor(world["worker"]), world["b"].id, PersonStatus.REPORTED_CAPTURED)
    mine = _mine(session, world["a1"])
    theirs = _mine(session, world["b1"])
    assert notifications.unread_count(session, actor(world["a1"])) == 1
    with pytest.raises(NotFound):
        notifications.mark_read(session, actor(world["a1"]), [theirs[0].id])
    assert notifications.mark_read(session, actor(world["a1"]), [mine[0].id]) == 1
    assert notifications.unread_count(session, actor(world["a1"])) == 0
    assert notifications.unread_count(session, actor(world["b1"])) == 1
    assert notifications.mark_read(session, actor(world["a1"])) == 0


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[email.message.Message] = []

    def handle_message(self, message: email.message.Message) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, int, _Inbox]]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), on a free port."""
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", controller.port, inbox
    finally:
        controller.stop()


def test_pending_email_is_delivered_over_smtp_once(session, world, smtp_server):
    host, port, inbox = smtp_server
    fam = actor(world["a1"])
    notifications.save_settings(session, fam, {notifications.STATUS_CHANGED: notifications.EMAIL})
    status.set_official_status(session, actor(world["worker"]), world["a"].id, PersonStatus.REPORTED_CAPTURED)

    def deliver(outgoing: notifications.Outgoing) -> None:
        message = EmailMessage()
        message["From"], message["To"] = "kintrace@localhost", outgoing.address
        message["Subject"] = f"kintrace {outgoing.notification.event}"
        message.set_content(outgoing.notification.params["reference"])
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            smtp.send_message(message)

    assert notifications.send_pending(session, SYSTEM, deliver, today=TODAY) == 1
    assert notifications.send_pending(session, SYSTEM, deliver, today=TODAY) == 0
    # News queued before an account was unlinked from the case is not sent to it afterwards.
    status.set_official_status(
        session, actor(world["worker"]), world["a"].id, PersonStatus.CONFIRMED_CAPTURED
    )
    assert len(notifications.pending_email(session)) == 1
    cases.unlink_family_user(session, actor(world["worker"]), world["a"].id, world["a1"].id)
    assert notifications.pending_email(session) == []
    assert notifications.send_pending(session, SYSTEM, deliver, today=TODAY) == 0
    assert [m["To"] for m in inbox.messages] == [world["a1"].email]
    assert world["a"].reference in inbox.messages[0].get_payload()
    by_email = session.query(Notification).filter(Notification.channel == "email").order_by(Notification.id)
    assert [n.sent_at is not None for n in by_email] == [True, False]
    assert verify(session).ok


def test_cli_sends_pending_email_in_the_readers_language_once(fresh_sqlite_url, smtp_server):
    from sqlalchemy.orm import Session as OrmSession
    from typer.testing import CliRunner

    from kintrace.cli.main import app
    from kintrace.services import users
    from kintrace.store.db import make_engine

    host, port, inbox = smtp_server
    engine = make_engine(fresh_sqlite_url)
    with OrmSession(engine) as session:
        mother = users.create_user(
            session,
            SYSTEM,
            username="mother",
            password="mother-password-1",
            role=Role.FAMILY,
            display_name="Олена",
            email="olena@example.org",
        )
        worker = users.create_user(
            session,
            SYSTEM,
            username="worker",
            password="worker-password-1",
            role=Role.CASEWORKER,
            display_name="Worker",
        )
        case = cases.create_case(session, SYSTEM, person())
        cases.link_family_user(session, SYSTEM, case.id, mother.id)
        notifications.save_settings(
            session, actor(mother), {notifications.STATUS_CHANGED: notifications.EMAIL}, language="uk"
        )
        status.set_official_status(session, actor(worker), case.id, PersonStatus.REPORTED_CAPTURED)
        reference = case.reference
        session.commit()
    engine.dispose()
    runner = CliRunner()
    args = [
        "notifications",
        "send",
        "--smtp-url",
        f"smtp://{host}:{port}",
        "--database-url",
        fresh_sqlite_url,
    ]
    first = runner.invoke(app, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "sent 1" in first.output
    again = runner.invoke(app, args, catch_exceptions=False)
    assert "sent 0" in again.output
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "olena@example.org"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert reference in subject and "kintrace" in subject
    body = message.get_payload(decode=True).decode("utf-8")
    from kintrace.web import labels
    from kintrace.web.i18n import gettext_for

    in_ukrainian = gettext_for("uk")(labels.STATUS[PersonStatus.REPORTED_CAPTURED])
    assert in_ukrainian != labels.STATUS[PersonStatus.REPORTED_CAPTURED] and in_ukrainian in body, body
    bad = runner.invoke(
        app, ["notifications", "send", "--smtp-url", "http://x", "--database-url", fresh_sqlite_url]
    )
    assert bad.exit_code == 1 and "--smtp-url" in bad.output
