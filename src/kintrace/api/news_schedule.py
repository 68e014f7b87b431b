"""The server tells families its news itself: overdue requests queued and e-mail sent on a schedule.

With KINTRACE_SMTP_URL set (smtp://HOST:PORT), every KINTRACE_NEWS_INTERVAL_S seconds (default one
hour) the server queues news of requests that passed their deadline and e-mails what is pending, as
`kintrace notifications send` does by hand. A mail server that does not answer is logged and tried
again next time; nothing is marked sent that was not sent.
"""

from __future__ import annotations

import functools
import logging
import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from kintrace.api import background
from kintrace.services.errors import ValidationFailed
from kintrace.web.mailer import MailServer, mail_settings, send_news

log = logging.getLogger("kintrace.news")

INTERVAL_ENV = "KINTRACE_NEWS_INTERVAL_S"
DEFAULT_INTERVAL_S = 3600.0


class NewsConfigError(ValueError):
    """The environment asks for news by e-mail but says it in a way that cannot work."""


@dataclass(frozen=True)
class NewsSchedule:
    server: MailServer
    sender: str
    base_url: str | None
    interval_s: float


def schedule_from_env(environ: Mapping[str, str] | None = None) -> NewsSchedule | None:
    env = os.environ if environ is None else environ
    try:
        mail = mail_settings(env)
    except ValidationFailed as error:
        raise NewsConfigError(f"{error.field} {error.message}") from None
    if mail is None:
        return None
    raw = env.get(INTERVAL_ENV) or str(DEFAULT_INTERVAL_S)
    try:
        interval = float(raw)
    except ValueError:
        raise NewsConfigError(f"{INTERVAL_ENV}={raw!r} is not a number of seconds") from None
    if not interval > 0:
        raise NewsConfigError(f"{INTERVAL_ENV}={raw!r} must be more than 0 seconds")
    return NewsSchedule(mail.server, mail.sender, mail.base_url, interval)


def send_once(factory: sessionmaker[Session], schedule: NewsSchedule) -> int:
    with factory() as session:
        try:
            sent = send_news(session, schedule.server, schedule.sender, schedule.base_url)
        except (OSError, smtplib.SMTPException) as error:
            session.rollback()
            log.error(
                "news not sent, mail server %s:%s: %s", schedule.server.host, schedule.server.port, error
            )
            return 0
    if sent:
        log.info("sent %d e-mail notification(s)", sent)
    return sent


def install(app: FastAPI, factory: sessionmaker[Session], schedule: NewsSchedule | None) -> None:
    """Run the schedule beside whatever lifespan the app already has."""
    if schedule is not None:
        background.every(
            app, "family-news", schedule.interval_s, functools.partial(send_once, factory, schedule)
        )
