"""Delivering the families' news as text messages through an HTTP gateway (SMS or a messenger).

Many families read a phone, not an e-mail box. kintrace does not speak any one provider's protocol:
it POSTs each message as JSON, `{"to": "+380...", "text": "...", "reference": "kintrace-notification-7"}`,
to the gateway named by KINTRACE_SMS_URL (http:// or https://), with `Authorization: Bearer
KINTRACE_SMS_TOKEN` when a token is set. A small relay turns that into the provider's call (an SMS
aggregator, Telegram, Viber, Signal). Any 2xx answer counts as delivered; anything else is an error
and the message stays pending for the next run.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from kintrace.services import notifications
from kintrace.services.access import SYSTEM
from kintrace.services.errors import ValidationFailed
from kintrace.settings import Settings, current
from kintrace.web.i18n import gettext_for
from kintrace.web.notices import describe

SMS_URL_ENV = "KINTRACE_SMS_URL"
MAX_TEXT = 700  # a few SMS parts at most; the full story is in the portal


class GatewayError(OSError):
    """The gateway answered, but not with success."""


@dataclass(frozen=True)
class SmsGateway:
    url: str
    token: str | None = None

    @classmethod
    def parse(cls, url: str, token: str | None = None, field: str = SMS_URL_ENV) -> SmsGateway:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationFailed(field, f"{url!r}: expected http(s)://HOST[:PORT]/PATH")
        try:
            parts.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            raise ValidationFailed(field, f"{url!r}: the port is not a number") from None
        return cls(url, token or None)

    def send(self, to: str, text: str, reference: str) -> None:
        """POST one message (raises OSError, GatewayError included, when it was not accepted)."""
        body = json.dumps({"to": to, "text": text, "reference": reference}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # the scheme is checked in parse()
                status = answer.status
        except urllib.error.HTTPError as error:
            raise GatewayError(f"the gateway answered HTTP {error.code}") from None
        if not 200 <= status < 300:
            raise GatewayError(f"the gateway answered HTTP {status}")


def sms_gateway(config: Settings | None = None) -> SmsGateway | None:
    """The gateway the settings name (KINTRACE_SMS_URL), or None when text messages are not set up."""
    config = config or current()
    if config.sms_url is None:
        return None
    token = config.sms_token.get_secret_value() if config.sms_token is not None else None
    return SmsGateway.parse(config.sms_url, token)


def compose_sms(outgoing: notifications.Outgoing, base_url: str | None = None) -> str:
    """One short message in the reader's language: what happened, and where to read more."""
    note = outgoing.notification
    text = f"kintrace: {describe(note, gettext_for(note.language))}"
    link = f" {base_url.rstrip('/')}/my/news" if base_url else ""
    return text[: MAX_TEXT - len(link)] + link


def send_sms_news(
    session: Session, gateway: SmsGateway, base_url: str | None, *, today: dt.date | None = None
) -> int:
    """Text every pending SMS notification once (each committed as sent right after the gateway took
    it); how many were sent. Raises OSError when the gateway cannot be reached or refuses."""

    def deliver(outgoing: notifications.Outgoing) -> None:
        reference = f"kintrace-notification-{outgoing.notification.id}"
        gateway.send(outgoing.address, compose_sms(outgoing, base_url), reference)

    return notifications.send_pending(session, SYSTEM, deliver, channel=notifications.SMS, today=today)
