"""The server tells families its news itself: overdue requests queued, e-mail and texts sent on a schedule.

With KINTRACE_SMTP_URL set (smtp://HOST:PORT) and/or KINTRACE_SMS_URL (an HTTP gateway for SMS or a
messenger, see kintrace.web.sms), every KINTRACE_NEWS_INTERVAL_S seconds (default one hour) the server
queues news of requests that passed their deadline and sends what is pending, as `kintrace
notifications send` does by hand. A server or gateway that does not answer is logged and tried again
next time; nothing is marked sent that was not sent.
"""

from __future__ import annotations

import functools
import logging
import smtplib
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from kintrace.server import background
from kintrace.services.errors import ValidationFailed
from kintrace.settings import Settings
from kintrace.web.mailer import MailServer, mail_settings, send_news
from kintrace.web.sms import SmsGateway, send_sms_news, sms_gateway

log = logging.getLogger("kintrace.news")

INTERVAL_ENV = "KINTRACE_NEWS_INTERVAL_S"


class NewsConfigError(ValueError):
    """The environment asks for news by e-mail but says it in a way that cannot work."""


@dataclass(frozen=True)
class NewsSchedule:
    server: MailServer | None  # None: no e-mail, texts only
    sender: str
    base_url: str | None
    interval_s: float
    sms: SmsGateway | None = None


def schedule_from_settings(config: Settings) -> NewsSchedule | None:
    """The news the settings ask for; None when neither mail nor texts are set up."""
    try:
        mail = mail_settings(config)
        sms = sms_gateway(config)
    except ValidationFailed as error:
        raise NewsConfigError(f"{error.field} {error.message}") from None
    if mail is None and sms is None:
        return None
    interval = config.news_interval_s
    if not interval > 0:
        raise NewsConfigError(f"{INTERVAL_ENV}={interval} must be more than 0 seconds")
    if mail is None:
        return NewsSchedule(None, "", config.base_url, interval, sms)
    return NewsSchedule(mail.server, mail.sender, mail.base_url, interval, sms)


def send_once(factory: sessionmaker[Session], schedule: NewsSchedule) -> int:
    """One round: e-mails, then texts; a failing channel does not hold back the other."""
    sent = 0
    if schedule.server is not None:
        with factory() as session:
            try:
                mailed = send_news(session, schedule.server, schedule.sender, schedule.base_url)
            except (OSError, smtplib.SMTPException) as error:
                session.rollback()
                log.error(
                    "news not sent, mail server %s:%s: %s", schedule.server.host, schedule.server.port, error
                )
                mailed = 0
        if mailed:
            log.info("sent %d e-mail notification(s)", mailed)
        sent += mailed
    if schedule.sms is not None:
        with factory() as session:
            try:
                texted = send_sms_news(session, schedule.sms, schedule.base_url)
            except OSError as error:
                session.rollback()
                log.error("news not sent, text gateway %s: %s", schedule.sms.url, error)
                texted = 0
        if texted:
            log.info("sent %d text notification(s)", texted)
        sent += texted
    return sent


def install(app: FastAPI, factory: sessionmaker[Session], schedule: NewsSchedule | None) -> None:
    """Run the schedule beside whatever lifespan the app already has."""
    if schedule is not None:
        background.every(
            app, "family-news", schedule.interval_s, functools.partial(send_once, factory, schedule)
        )
