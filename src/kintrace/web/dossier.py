"""A case dossier (PDF) for an authority, an ombudsman, a court or an international tracing agency.

Both status tracks with their history, every fact with its source, grade and dates, contradictions
explained in words, the requests and how long each has been blocked, the appeals the case is in, and
what the registry records of list searches and DNA. In Ukrainian, Russian or English, from the same
catalogs and explanations as the desk. Relatives' contact details never appear; internal items only
when the caseworker asks for them. The document's SHA-256 goes into the audit log.
"""

from __future__ import annotations

import datetime as dt

from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import Visibility
from kintrace.services import appeals as appeal_service
from kintrace.services import cases as case_service
from kintrace.services import contradictions as contradiction_service
from kintrace.services import documents, pdf
from kintrace.services import evidence as evidence_service
from kintrace.services import requests as request_service
from kintrace.services import status as status_service
from kintrace.services.access import Actor, require_writer
from kintrace.web import labels
from kintrace.web.explain import desk_texts
from kintrace.web.i18n import LANGUAGES, gettext_for, ngettext_for


def dossier_pdf(
    session: Session,
    actor: Actor,
    case_id: int,
    language: str,
    *,
    internal: bool = False,
    today: dt.date | None = None,
) -> bytes:
    case = case_service.get_case(session, actor, case_id)  # another family's case: "not found" first
    require_writer(actor, "make case dossiers")
    today = today or dt.date.today()
    _ = gettext_for(language if language in LANGUAGES else "en")
    ngettext = ngettext_for(language if language in LANGUAGES else "en")
    person = case.person
    every_item = evidence_service.list_evidence(session, actor, case_id)
    items = [i for i in every_item if internal or i.visibility is Visibility.FAMILY]
    found = contradiction_service.case_contradictions(session, actor, case_id)
    shown = {item.id for item in items}
    found = [c for c in found if c.first_id in shown and c.second_id in shown]
    view = status_service.status_view(session, actor, case_id, today=today)
    texts = desk_texts(language, view, items, found, today)

    def label(kind: str, value: object) -> str:
        text = labels.ALL[kind].get(value)
        return _(text) if text else ("" if value is None else str(value))

    name = " ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p)
    title = _("Case dossier %(reference)s") % {"reference": case.reference}
    story: list[Flowable] = [pdf.para(title, "title"), pdf.para(name, "h2")]
    facts = [
        (_("Date of birth"), person.birth_date),
        (_("Place of birth"), person.birth_place),
        (_("Service number"), person.service_number),
        (_("Rank"), person.rank),
        (_("Unit"), person.unit),
        (_("Last seen"), " ".join(str(p) for p in (person.last_seen_date, person.last_seen_place) if p)),
    ]
    story.append(pdf.table([_("Field"), _("Value")], [(k, v) for k, v in facts if v], widths=(50, 130)))

    story.append(pdf.para(_("Status"), "h2"))
    derived = view.derivation
    story.append(
        pdf.table(
            [_("Official status"), _("What the evidence shows")],
            [
                [
                    label("status", view.official)
                    + (f" ({view.official_since})" if view.official_since else ""),
                    label("status", derived.status) + (f" ({derived.since})" if derived.since else ""),
                ]
            ],
        )
    )
    if texts.divergence:
        story.append(pdf.para(texts.divergence))
    if texts.rule_detail:
        story.append(pdf.para(texts.rule_detail, "small"))
    history = [
        [
            label("track", h.track),
            label("status", h.status),
            h.since or "",
            h.changed_at.date().isoformat(),
            h.reason or "",
        ]
        for h in view.history
    ]
    if history:
        story.append(pdf.para(_("History"), "h3"))
        story.append(
            pdf.table(
                [_("Track"), _("Status"), _("Since"), _("Recorded"), _("Reason")],
                history,
                (30, 45, 22, 22, 61),
            )
        )

    story.append(pdf.para(_("Evidence"), "h2"))
    rows = [
        [
            f"#{item.id}",
            label("claim", item.claim),
            item.event_date or "",
            item.reported_date or "",
            item.place or "",
            f"{item.source.name} ({label('kind', item.source.kind)})",
            f"{item.source.reliability.value}{item.source.credibility.value}",
        ]
        for item in items
    ]
    story.append(
        pdf.table(
            [_("Item"), _("What"), _("When"), _("Reported"), _("Where"), _("Source"), _("Grade")],
            rows,
            (12, 30, 20, 20, 30, 56, 12),
        )
        if rows
        else pdf.para(_("No evidence recorded."))
    )
    left_out = len(every_item) - len(items)
    if left_out:
        story.append(
            pdf.para(
                ngettext(
                    "%(num)d internal item is not included in this dossier.",
                    "%(num)d internal items are not included in this dossier.",
                    left_out,
                )
                % {"num": left_out},
                "small",
            )
        )

    story.append(pdf.para(_("Contradictions"), "h2"))
    if texts.contradictions:
        story += [pdf.para(f"• {text}") for text in texts.contradictions]
    else:
        story.append(pdf.para(_("The evidence does not contradict itself.")))

    story.append(pdf.para(_("Requests to the authorities"), "h2"))
    requests = request_service.list_requests(session, actor, case_id, today=today)
    story.append(
        pdf.table(
            [_("Authority"), _("Asked for"), _("Sent on"), _("Deadline"), _("Answer"), _("Days pending")],
            [
                [
                    v.request.authority,
                    label("status", v.request.requested_status),
                    v.request.submitted_on.isoformat(),
                    v.request.deadline.isoformat() if v.request.deadline else "",
                    label("outcome", v.request.outcome),
                    v.days_pending,
                ]
                for v in requests
            ],
            (50, 35, 22, 22, 30, 21),
        )
        if requests
        else pdf.para(_("No request recorded."))
    )
    appeals = appeal_service.appeals_of_case(session, actor, case_id)
    if appeals:
        story.append(pdf.para(_("Collective appeals"), "h3"))
        story.append(
            pdf.table(
                [_("Appeal"), _("Authority"), _("Sent on"), _("State")],
                [
                    [
                        v.appeal.title,
                        v.appeal.authority,
                        v.appeal.sent_on or "",
                        label("appeal_state", v.appeal.state),
                    ]
                    for v in appeals
                ],
            )
        )
    story.append(pdf.para(_("Searches"), "h2"))
    story.append(pdf.para(_("Published lists: no list search is recorded in kintrace for this case yet.")))
    story.append(pdf.para(_("DNA: no DNA sample or comparison is recorded in kintrace for this case yet.")))
    story.append(pdf.spacer(4))
    story.append(
        pdf.para(
            _(
                "Made with kintrace on %(date)s. Relatives' contact details are never included. The SHA-256 "
                "of this document is recorded in the registry's audit log, so a copy can be checked."
            )
            % {"date": today.isoformat()},
            "small",
        )
    )
    return pdf.render(title, story, made_on=today)


def dossier_document(
    session: Session,
    actor: Actor,
    case_id: int,
    language: str,
    *,
    internal: bool = False,
    today: dt.date | None = None,
) -> documents.Document:
    content = dossier_pdf(session, actor, case_id, language, internal=internal, today=today)
    reference = case_service.get_case(session, actor, case_id).reference
    digest = documents.record(session, actor, "case_dossier.pdf", str(case_id), content)
    return documents.Document(content, documents.MEDIA_TYPES["pdf"], f"dossier-{reference}.pdf", digest)
