"""The server e-mails families their news on its own schedule, through a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.services.helpers import actor, person
from tests.services.test_notifications import smtp_server  # noqa: F401  (the real SMTP server fixture)

from kintrace.domain.vocabulary import PersonStatus, Role
from kintrace.server.app import create_app
from kintrace.server.news_schedule import NewsConfigError, schedule_from_settings
from kintrace.services import cases, notifications, requests, users
from kintrace.services.access import SYSTEM
from kintrace.settings import Settings, SettingsError
from kintrace.store.db import make_engine

SECRET = "a-long-enough-secret-key-for-the-tests-0123456789"


def test_a_mail_setting_that_cannot_work_stops_the_start(
    fresh_sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert schedule_from_settings(Settings.from_environ({})) is None
    for bad in (
        {"KINTRACE_SMTP_URL": "mail.example.org"},
        {"KINTRACE_SMTP_URL": "smtp://h:1", "KINTRACE_NEWS_INTERVAL_S": "0"},
    ):
        with pytest.raises(NewsConfigError):
            schedule_from_settings(Settings.from_environ(bad))
        # The server reads them from its environment at start, and refuses to start.
        with monkeypatch.context() as patch:
            for name, value in bad.items():
                patch.setenv(name, value)
            with pytest.raises(NewsConfigError):
                create_app(fresh_sqlite_url, SECRET)
    # A value that is not a number at all is refused by the settings, naming the variable.
    monkeypatch.setenv("KINTRACE_SMTP_URL", "smtp://h:1")
    monkeypatch.setenv("KINTRACE_NEWS_INTERVAL_S", "hourly")
    with pytest.raises(SettingsError, match="KINTRACE_NEWS_INTERVAL_S='hourly'"):
        create_app(fresh_sqlite_url, SECRET)


def test_overdue_news_is_mailed_without_anyone_running_a_command(
    fresh_sqlite_url: str,
    smtp_server: Any,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, port, inbox = smtp_server
    engine = make_engine(fresh_sqlite_url)
    with Session(engine) as session:
        mother = users.create_user(
            session,
            SYSTEM,
            username="olena",
            password="quiet harbour lantern 7",
            role=Role.FAMILY,
            display_name="Олена",
            email="olena@example.org",
        )
        case = cases.create_case(session, SYSTEM, person())
        cases.link_family_user(session, SYSTEM, case.id, mother.id)
        notifications.save_settings(
            session, actor(mother), {notifications.REQUEST_OVERDUE: notifications.EMAIL}, language="uk"
        )
        requests.submit_request(
            session,
            SYSTEM,
            case.id,
            requests.RequestInput(
                PersonStatus.CONFIRMED_CAPTURED,
                "Міністерство оборони України",
                dt.date.today() - dt.timedelta(days=60),
            ),
        )
        session.commit()
    engine.dispose()
    monkeypatch.setenv("KINTRACE_SMTP_URL", f"smtp://{host}:{port}")
    monkeypatch.setenv("KINTRACE_NEWS_INTERVAL_S", "0.2")
    app = create_app(fresh_sqlite_url, SECRET)
    with TestClient(app):  # runs the lifespan, and with it the schedule
        deadline = time.monotonic() + 20
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.6)  # a few more rounds: the same news is never sent twice
    assert [m["To"] for m in inbox.messages] == ["olena@example.org"]
