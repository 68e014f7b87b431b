"""Delivering the families' e-mail news over SMTP: the one path for the CLI and the server's schedule."""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from kintrace.services import notifications
from kintrace.services.access import SYSTEM
from kintrace.services.errors import ValidationFailed
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


def send_news(
    session: Session,
    server: MailServer,
    sender: str,
    base_url: str | None,
    *,
    today: dt.date | None = None,
) -> int:
    """Queue news of overdue requests, then e-mail every pending notification once; how many were sent.
    Raises OSError or smtplib.SMTPException when the mail server cannot be reached."""
    with smtplib.SMTP(server.host, server.port, timeout=30) as smtp:

        def deliver(outgoing: notifications.Outgoing) -> None:
            smtp.send_message(compose_email(outgoing, sender, base_url))

        return notifications.send_pending(session, SYSTEM, deliver, today=today)
