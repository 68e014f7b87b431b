"""The letter of a collective appeal, as a PDF in the authority's language (uk, ru or en).

Made here, beside the pages, because its words come from the same translated catalogs. The letter
names the authority as an addressee line ("To: ..."), never inside a sentence, so its name is never
declined into the wrong grammatical case.
"""

from __future__ import annotations

import datetime as dt

from reportlab.platypus import Flowable, KeepTogether
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import AppealDemand
from kintrace.services import appeals as appeal_service
from kintrace.services import documents, pdf
from kintrace.services.access import Actor
from kintrace.store.models import Appeal
from kintrace.web import labels
from kintrace.web.i18n import N_, gettext_for

DEMAND: dict[AppealDemand, str] = {
    AppealDemand.STATUS_CHANGE: N_(
        "We ask you to change the official status of each person listed below "
        "to the status the evidence shows."
    ),
    AppealDemand.EXCHANGE_LISTS: N_(
        "We ask you to include each person listed below in the prisoner-exchange lists."
    ),
    AppealDemand.DNA_TESTING: N_(
        "We ask you to take DNA samples from the families "
        "and compare them with the remains of the unidentified dead."
    ),
    AppealDemand.ACTIVE_SEARCH: N_(
        "We ask you to open, or resume, an active search for each person listed below."
    ),
    AppealDemand.ANSWER_REQUESTS: N_(
        "We ask you to answer the requests listed below, which are past their deadline."
    ),
}


def letter_pdf(session: Session, actor: Actor, appeal: Appeal, today: dt.date | None = None) -> bytes:
    today = today or dt.date.today()
    _ = gettext_for(appeal.language)
    cases = appeal_service.letter_cases(session, actor, appeal, today)

    def status(value: object) -> str:
        return _(labels.STATUS[value]) if value in labels.STATUS else "—"  # type: ignore[index]

    story: list[Flowable] = [
        pdf.para(_("To: %(authority)s") % {"authority": appeal.authority}, "h3"),
        pdf.para(_("Date: %(date)s") % {"date": today.isoformat()}),
        pdf.spacer(4),
        pdf.para(appeal.title, "title"),
        pdf.para(_(DEMAND[appeal.demand])),
    ]
    story += [pdf.para(paragraph) for paragraph in appeal.text.split("\n\n") if paragraph.strip()]
    story.append(pdf.para(_("Persons: %(count)d") % {"count": len(cases)}, "h2"))
    for number, case in enumerate(cases, start=1):
        block: list[Flowable] = [
            pdf.para(f"{number}. {case.name}" + (f", {case.birth_date}" if case.birth_date else ""), "h3"),
            pdf.table(
                [_("Case"), _("Official status"), _("What the evidence shows"), _("Status asked for")],
                [
                    [
                        case.reference,
                        status(case.official) + (f" ({case.official_since})" if case.official_since else ""),
                        status(case.evidence) + (f" ({case.evidence_since})" if case.evidence_since else ""),
                        status(case.asked) if case.asked else status(case.evidence),
                    ]
                ],
                widths=(30, 50, 50, 50),
            ),
        ]
        if case.facts:
            block.append(pdf.para(_("The evidence"), "small"))
            block.append(
                pdf.table(
                    [_("What"), _("When"), _("Where"), _("Source"), _("Grade")],
                    [
                        [
                            _(labels.CLAIM[fact.claim]) if fact.claim in labels.CLAIM else fact.claim,  # type: ignore[index]
                            fact.event_date or fact.reported_date or "",
                            fact.place or "",
                            fact.source,
                            fact.grade,
                        ]
                        for fact in case.facts
                    ],
                    widths=(40, 22, 40, 63, 15),
                )
            )
        if case.requests:
            block.append(pdf.para(_("Requests already made"), "small"))
            block.append(
                pdf.table(
                    [_("Authority"), _("Asked for"), _("Sent on"), _("Answer"), _("Days pending")],
                    [
                        [
                            r.authority,
                            status(r.requested_status),
                            r.submitted_on.isoformat(),
                            _(labels.OUTCOME[r.outcome]),
                            r.days_pending,
                        ]
                        for r in case.requests
                    ],
                    widths=(60, 40, 25, 30, 25),
                )
            )
        story.append(KeepTogether(block))
        story.append(pdf.spacer(3))
    story.append(pdf.para(_("Signed by the families"), "h2"))
    story.append(
        pdf.table(
            [_("Signatory"), _("For")],
            [[case.signatory, f"{case.name} ({case.reference})"] for case in cases],
            widths=(80, 100),
        )
    )
    return pdf.render(appeal.title, story, made_on=today)


def letter_document(
    session: Session, actor: Actor, appeal: Appeal, today: dt.date | None = None
) -> documents.Document:
    """The letter, its SHA-256 recorded in the audit log."""
    content = letter_pdf(session, actor, appeal, today)
    digest = documents.record(session, actor, "appeal_letter.pdf", str(appeal.id), content)
    return documents.Document(content, documents.MEDIA_TYPES["pdf"], f"appeal-{appeal.id}.pdf", digest)
