"""News as text messages through an HTTP gateway (issue 13), against a real local HTTP test double."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tests.services.helpers import actor, person

from kintrace.domain.vocabulary import PersonStatus, Role
from kintrace.server.news_schedule import schedule_from_settings
from kintrace.services import cases, notifications, status
from kintrace.services.access import SYSTEM
from kintrace.settings import Settings
from kintrace.store.models import Notification
from kintrace.web.sms import GatewayError, SmsGateway, send_sms_news


class Gateway:
    """An SMS gateway on a loopback port: it keeps what it was sent and answers `answer`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.answer = 202
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if gateway.answer < 300:
                    gateway.received.append((json.loads(body), self.headers.get("Authorization")))
                self.send_response(gateway.answer)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    double = Gateway()
    yield double
    double.server.shutdown()


@pytest.fixture
def world(session, factories):  # type: ignore[no-untyped-def]
    case = cases.create_case(session, SYSTEM, person())
    with_phone = factories.UserFactory(role=Role.FAMILY, phone="+380 67 123 45 67")
    without_phone = factories.UserFactory(role=Role.FAMILY)
    for user in (with_phone, without_phone):
        factories.CaseMemberFactory(case=case, user=user)
        notifications.save_settings(
            session, actor(user), {notifications.STATUS_CHANGED: notifications.SMS}, language="uk"
        )
    worker = factories.UserFactory(role=Role.CASEWORKER)
    status.set_official_status(session, actor(worker), case.id, PersonStatus.REPORTED_CAPTURED)
    session.commit()
    return {"case": case, "phone": with_phone, "no_phone": without_phone}


def test_a_status_change_is_texted_once_in_the_readers_language(session, world, gateway) -> None:  # type: ignore[no-untyped-def]
    sent = send_sms_news(session, SmsGateway(gateway.url, "gw-token"), "https://kintrace.example.org")
    assert sent == 1
    ((message, authorization),) = gateway.received
    assert message["to"] == "+380 67 123 45 67" and authorization == "Bearer gw-token"
    assert message["text"].startswith("kintrace: ") and "Повідомлено про полон" in message["text"]
    assert message["text"].endswith("https://kintrace.example.org/my/news")
    assert message["reference"].startswith("kintrace-notification-")
    assert send_sms_news(session, SmsGateway(gateway.url), None) == 0  # never twice
    # Without a phone on the account, the same choice is told in the portal only.
    told = session.query(Notification).filter_by(user_id=world["no_phone"].id).one()
    assert told.channel == notifications.PORTAL


def test_a_gateway_that_refuses_leaves_the_message_pending(session, world, gateway) -> None:  # type: ignore[no-untyped-def]
    gateway.answer = 503
    with pytest.raises(GatewayError):
        send_sms_news(session, SmsGateway(gateway.url), None)
    session.rollback()
    assert gateway.received == []
    gateway.answer = 200
    assert send_sms_news(session, SmsGateway(gateway.url), None) == 1


def test_the_server_schedules_texts_when_only_a_gateway_is_set() -> None:
    schedule = schedule_from_settings(
        Settings.from_environ(
            {"KINTRACE_SMS_URL": "https://relay.example.org/sms", "KINTRACE_SMS_TOKEN": "t"}
        )
    )
    assert schedule is not None and schedule.server is None and schedule.sms is not None
    assert schedule.sms.token == "t"
    with pytest.raises(ValueError):
        schedule_from_settings(Settings.from_environ({"KINTRACE_SMS_URL": "relay.example.org"}))
