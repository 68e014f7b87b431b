"""The desk's explanations in the page's language, made from the domain's structured results.

The domain writes its divergence line, rule details and contradiction explanations in English, for
logs, the API and the audit trail. In English the desk shows those exact words; in Ukrainian or
Russian it says the same from the structured data (rule id, statuses, dates, item ids, sources)
through translated sentences, so no English rule text is left on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kintrace.domain.contradictions import Contradiction, Severity
from kintrace.domain.status import CONFIRMED_STANDS, LATEST_STORY
from kintrace.services.status import StatusView
from kintrace.store.models import EvidenceItem
from kintrace.web import labels
from kintrace.web.i18n import DEFAULT_LANGUAGE, gettext_for, ngettext_for


@dataclass(frozen=True)
class DeskTexts:
    divergence: str | None
    rule_detail: str
    contradictions: tuple[str, ...]  # one per contradiction, in the order given


def desk_texts(
    language: str,
    view: StatusView,
    items: Sequence[EvidenceItem],
    found: Sequence[Contradiction],
    today: dt.date | None = None,
) -> DeskTexts:
    if language == DEFAULT_LANGUAGE:
        return DeskTexts(view.divergence, view.derivation.rule_text, tuple(c.explanation for c in found))
    _ = gettext_for(language)
    ngettext = ngettext_for(language)
    by_id = {item.id: item for item in items}

    def status(value: object) -> str:
        return _(labels.STATUS[value]) if value in labels.STATUS else str(value)  # type: ignore[index]

    def item_text(item_id: int) -> str:
        item = by_id.get(item_id)
        if item is None:
            return f"#{item_id}"
        what = _(labels.CLAIM[item.claim])
        if item.official_status is not None:
            what += f": {status(item.official_status)}"
        when = item.event_date or item.reported_date or _("date unknown")
        source = item.source
        grade = f"{source.reliability.value}{source.credibility.value}"
        return f"#{item.id} ({what}, {when}, {source.name} ({grade}))"

    def ids(values: Sequence[int]) -> str:
        return ", ".join(f"#{i}" for i in values)

    divergence = None
    if view.divergence is not None:
        parts = [_("official: %(status)s") % {"status": status(view.official)}]
        if view.official_since is not None:
            since = view.official_since
            days = max(((today or dt.date.today()) - since.latest).days, 0)
            if since.precision == "day":
                parts[0] += " " + ngettext("for %(num)d day", "for %(num)d days", days) % {"num": days}
            else:
                parts[0] += " " + ngettext("for at least %(num)d day", "for at least %(num)d days", days) % {
                    "num": days
                }
        derived = view.derivation
        evidence = _("evidence: %(status)s") % {"status": status(derived.status)}
        if derived.since is not None:
            evidence += " " + _("since %(date)s") % {"date": str(derived.since)}
        divergence = f"{parts[0]}; {evidence} ({derived.rule})"

    derivation = view.derivation
    detail = []
    if derivation.fact_ids:
        detail.append(_("Here: %(items)s.") % {"items": "; ".join(item_text(i) for i in derivation.fact_ids)})
    if derivation.superseded_ids:
        detail.append(
            _("Earlier items %(ids)s are superseded (%(rule)s).")
            % {"ids": ids(derivation.superseded_ids), "rule": LATEST_STORY}
        )
    if derivation.contested_ids:
        detail.append(
            _(
                "Later items %(ids)s tell another story that nothing confirms, "
                "so they do not overturn it (%(rule)s)."
            )
            % {"ids": ids(derivation.contested_ids), "rule": CONFIRMED_STANDS}
        )

    explained = []
    for c in found:
        text = _("%(first)s and %(second)s.") % {
            "first": item_text(c.first_id),
            "second": item_text(c.second_id),
        }
        if c.severity is Severity.NOTE:
            text += " " + _(
                "One of the two may be dated after the other, or is graded unreliable or improbable."
            )
        explained.append(text)
    return DeskTexts(divergence, " ".join(detail), tuple(explained))
