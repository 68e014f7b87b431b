"""Delivering the families' e-mail news over SMTP: the one path for the CLI and the server's schedule."""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from kintrace.services import appeals, notifications
from kintrace.services.access import SYSTEM
from kintrace.services.errors import ValidationFailed
from kintrace.settings import Settings, current
from kintrace.web.notices import compose_email


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int

    @classmethod
    def parse(cls, url: str, field: str = "smtp_url") -> MailServer:
        parts = urlsplit(url)
        if parts.scheme != "smtp" or not parts.hostname:
            raise ValidationFailed(field, f"{url!r}: expected smtp://HOST:PORT")
        try:
            port = parts.port or 25
        except ValueError:
            raise ValidationFailed(field, f"{url!r}: the port is not a number") from None
        return cls(parts.hostname, port)


SMTP_ENV = "KINTRACE_SMTP_URL"


@dataclass(frozen=True)
class MailSettings:
    server: MailServer
    sender: str
    base_url: str | None


def mail_settings(config: Settings | None = None) -> MailSettings | None:
    """The mail server the settings name (KINTRACE_SMTP_URL), or None when mail is not set up.
    Raises ValidationFailed, naming the variable, for a URL that cannot work."""
    config = config or current()
    if config.smtp_url is None:
        return None
    server = MailServer.parse(config.smtp_url, SMTP_ENV)
    return MailSettings(server, config.mail_from, config.base_url)


def send_one(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """One plain-text e-mail (raises OSError or smtplib.SMTPException when the server fails)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    with smtplib.SMTP(settings.server.host, settings.server.port, timeout=30) as smtp:
        smtp.send_message(message)


def send_news(
    session: Session,
    server: MailServer,
    sender: str,
    base_url: str | None,
    *,
    today: dt.date | None = None,
) -> int:
    """Queue news of overdue requests and appeals, then e-mail every pending notification once; how
    many were sent.
    Raises OSError or smtplib.SMTPException when the mail server cannot be reached."""
    appeals.queue_overdue_appeals(session, SYSTEM, today=today)
    with smtplib.SMTP(server.host, server.port, timeout=30) as smtp:

        def deliver(outgoing: notifications.Outgoing) -> None:
            smtp.send_message(compose_email(outgoing, sender, base_url))

        return notifications.send_pending(session, SYSTEM, deliver, today=today)
