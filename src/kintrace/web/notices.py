"""Notifications in words, in the reader's language: the portal's "what's new" and the e-mails sent.

The outbox keeps each event as structured values (see services.notifications); the sentence is made
here when it is shown or sent, so it reads in the language of the page or of the reader's settings.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

from kintrace.domain.vocabulary import Claim, PersonStatus, RequestOutcome
from kintrace.services import notifications as service
from kintrace.store.models import Notification
from kintrace.web import labels
from kintrace.web.i18n import N_, gettext_for

Translate = Callable[[str], str]

EVENT: dict[str, str] = {
    service.STATUS_CHANGED: N_("A status changes (from the evidence, or what the authorities declare)"),
    service.NEW_ITEM: N_("New information is added to the case"),
    service.REQUEST_ANSWERED: N_("An authority answers a request to change the status"),
    service.REQUEST_OVERDUE: N_("A request to an authority is past its deadline"),
    service.APPEAL_NEWS: N_("An appeal with other families is sent, answered or late"),
    service.LIST_FOUND: N_("The person is found on a published list"),
}

CHANNEL: dict[str, str] = {
    service.EMAIL: N_("By e-mail and here"),
    service.SMS: N_("By text message to my phone and here"),
    service.PORTAL: N_("Only here, in the portal"),
    service.OFF: N_("Not at all"),
}

_OFFICIAL = N_("Case {reference}: the authorities now declare: {status}.")
_EVIDENCE = N_("Case {reference}: the information we hold now shows: {status}.")
_NEW_ITEM = N_("Case {reference}: new information was added: {claim}.")
_ANSWERED = N_("Case {reference}: {authority} answered the request to record “{status}”: {outcome}.")
_OVERDUE = N_(
    "Case {reference}: {authority} has not answered the request to record “{status}” "
    "by its deadline, {deadline}."
)
# The authority is named after a colon, never inside the sentence: its name keeps its own case.
_APPEAL = {
    "sent": N_("Case {reference}: the appeal “{title}” was sent on {date}. To: {authority}."),
    "answered": N_("Case {reference}: the appeal “{title}” was answered on {date}. To: {authority}."),
    "outcome": N_("Case {reference}: what came of the appeal “{title}” for this case: {outcome}."),
    "overdue": N_(
        "Case {reference}: the appeal “{title}” has no answer although it was due by {date}. To: {authority}."
    ),
}
_LIST_FOUND = N_(
    "Case {reference}: a caseworker checked and confirmed that the person is on the list “{title}” "
    "published by {publisher} ({date}). The list says: {claim}."
)
_SUBJECT = N_("kintrace: news on case {reference}")
_SIGN_IN = N_("Sign in to kintrace to read more. You can change which news you receive under Notifications.")
_WARNING = N_(
    "No official body or organisation ever charges money for information about a missing person, for a "
    "place on an exchange list or for a change of status. Anyone who asks you for money is a fraudster."
)


def _status(translate: Translate, value: str | None) -> str:
    return translate(labels.STATUS[PersonStatus(value)]) if value else ""


def describe(note: Notification, translate: Translate) -> str:
    """One plain sentence about the event, from its stored values only."""
    p = note.params
    reference = p.get("reference", "")
    if note.event == service.STATUS_CHANGED:
        template = _OFFICIAL if p.get("track") == "official" else _EVIDENCE
        return translate(template).format(reference=reference, status=_status(translate, p.get("status")))
    if note.event == service.NEW_ITEM:
        claim = translate(labels.CLAIM[Claim(p["claim"])])
        return translate(_NEW_ITEM).format(reference=reference, claim=claim)
    if note.event == service.LIST_FOUND:
        return translate(_LIST_FOUND).format(
            reference=reference,
            title=p.get("title", ""),
            publisher=p.get("publisher", ""),
            date=p.get("published_on") or "",
            claim=translate(labels.CLAIM[Claim(p["claim"])]),
        )
    if note.event == service.REQUEST_ANSWERED:
        outcome = translate(labels.OUTCOME[RequestOutcome(p["outcome"])])
        return translate(_ANSWERED).format(
            reference=reference,
            authority=p.get("authority", ""),
            status=_status(translate, p.get("requested_status")),
            outcome=outcome,
        )
    if note.event == service.REQUEST_OVERDUE:
        return translate(_OVERDUE).format(
            reference=reference,
            authority=p.get("authority", ""),
            status=_status(translate, p.get("requested_status")),
            deadline=p.get("deadline", ""),
        )
    if note.event == service.APPEAL_NEWS and p.get("kind") in _APPEAL:
        outcome = translate(labels.OUTCOME[RequestOutcome(p["outcome"])]) if p.get("outcome") else ""
        return translate(_APPEAL[p["kind"]]).format(
            reference=reference,
            title=p.get("title", ""),
            date=p.get("date", ""),
            authority=p.get("authority", ""),
            outcome=outcome,
        )
    raise ValueError(f"notification {note.id}: unknown event {note.event!r}")


def compose_email(outgoing: service.Outgoing, sender: str, base_url: str | None = None) -> EmailMessage:
    """The e-mail for one pending notification, in the language the reader chose it in."""
    note = outgoing.notification
    translate = gettext_for(note.language)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outgoing.address
    message["Subject"] = translate(_SUBJECT).format(reference=note.params.get("reference", ""))
    message["Message-ID"] = f"<kintrace-notification-{note.id}@{sender.rpartition('@')[2] or 'kintrace'}>"
    lines = [describe(note, translate), "", translate(_SIGN_IN)]
    if base_url:
        lines.append(f"{base_url.rstrip('/')}/my/news")
    lines += ["", translate(_WARNING)]
    message.set_content("\n".join(lines))
    return message
