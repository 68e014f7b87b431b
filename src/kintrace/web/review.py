"""The desk's review queue of list matches: /desk/review (strongest first, by list and band, paged)
and /desk/review/{pair_id} (the entry as the list wrote it beside the case, each field's level and
Bayes factor, the waterfall of the score, and accept / reject / not sure with a reason)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from kintrace.domain.lists import ListKind, PairBand, PairDecision
from kintrace.http.deps import Db, PathId
from kintrace.services import list_review
from kintrace.services.errors import Conflict, Forbidden, ValidationFailed
from kintrace.services.list_review import steps_of
from kintrace.store.models import ListPair
from kintrace.web import forms
from kintrace.web.i18n import N_, gettext_for
from kintrace.web.pages import language_of, render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Staff, Visitor
from kintrace.web.waterfall import waterfall

router = APIRouter(prefix="/desk/review", route_class=PageRoute, include_in_schema=False)
PER_PAGE = 50

# The compared fields as the linkage engine names them, with the case's attribute for each.
FIELDS: dict[str, tuple[str, str | None]] = {
    "surname": (N_("Surname"), "last_name"),
    "given_name": (N_("First name"), "first_name"),
    "patronymic": (N_("Patronymic"), "patronymic"),
    "birth_date": (N_("Date of birth"), "birth_date"),
    "unit": (N_("Unit"), "unit"),
    "service_number": (N_("Service number"), "service_number"),
    "birth_place": (N_("Place of birth"), "birth_place"),
    "sex": (N_("Sex"), "sex"),
    "rank": (N_("Rank"), "rank"),
    "other": (N_("Other adjustments"), None),
}
# The list entry's attribute for each compared field.
ENTRY_ATTR = {"surname": "last_name", "given_name": "first_name"}

KIND: dict[ListKind, str] = {
    ListKind.PRISONERS: N_("prisoners held"),
    ListKind.EXCHANGED: N_("exchanged or released"),
    ListKind.DEAD: N_("the dead"),
    ListKind.REMAINS_REPATRIATED: N_("remains repatriated"),
    ListKind.WOUNDED: N_("wounded or in hospital"),
    ListKind.WANTED: N_("wanted"),
    ListKind.OTHER: N_("other"),
}
BAND: dict[PairBand, str] = {PairBand.LINK: N_("strong (link)"), PairBand.REVIEW: N_("to review")}
DECISION: dict[PairDecision, str] = {
    PairDecision.PENDING: N_("waiting"),
    PairDecision.ACCEPTED: N_("accepted: it is him"),
    PairDecision.REJECTED: N_("rejected: not him"),
    PairDecision.UNSURE: N_("not sure"),
}


@dataclass(frozen=True)
class FieldRow:
    field: str
    label: str
    on_list: str
    in_case: str
    level: str
    bf: float


def _text(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def field_rows(pair: ListPair, translate: Any) -> list[FieldRow]:
    person = pair.case.person
    rows = []
    for step in steps_of(pair.reasons or {}):
        label, attr = FIELDS.get(step.field, (step.field.replace("_", " "), step.field))
        entry_attr = ENTRY_ATTR.get(step.field, attr or "")
        rows.append(
            FieldRow(
                field=step.field,
                label=translate(label) if step.field in FIELDS else label,
                on_list=_text(getattr(pair.entry, entry_attr, None)),
                in_case=_text(getattr(person, attr, None)) if attr and person is not None else "",
                level=step.level,
                bf=step.bf,
            )
        )
    return rows


def _field_label(translate: Any) -> Any:
    def label(field: str) -> str:
        known = FIELDS.get(field)
        return translate(known[0]) if known else field.replace("_", " ")

    return label


def _enum(value: str | None, enum: type[Any]) -> Any:
    try:
        return None if not value else enum(value)
    except ValueError:
        return None


@router.get("")
def queue(
    request: Request,
    db: Db,
    who: Staff,
    list_id: str | None = None,
    band: str | None = None,
    decision: str | None = None,
    page: int = 1,
) -> Response:
    """Pairs waiting for a reviewer, strongest first; a bad filter is ignored rather than refused."""
    chosen_list = int(list_id) if list_id and list_id.isdigit() and len(list_id) < 10 else None
    chosen_band = _enum(band, PairBand)
    chosen_decision = _enum(decision, PairDecision) or PairDecision.PENDING
    result = list_review.review_queue(
        db,
        who.actor,
        list_id=chosen_list,
        band=chosen_band,
        decision=chosen_decision,
        page=max(1, min(page, list_review.MAX_PAGE)),
        per_page=PER_PAGE,
    )
    context = {
        "result": result,
        "lists": list_review.queue_lists(db, who.actor),
        "list_id": chosen_list,
        "band": chosen_band,
        "decision": chosen_decision,
        "bands": BAND,
        "decisions": DECISION,
    }
    return render(request, "desk/review_queue.html", context, user=who.user)


def _pair_context(request: Request, db: Session, who: Visitor, pair_id: int) -> dict[str, Any]:
    pair = list_review.get_pair(db, who.actor, pair_id)
    translate = gettext_for(language_of(request))
    chart = waterfall(
        translate("How the score of this pair is made up"),
        pair.reasons or {},
        pair.match_weight,
        label=_field_label(translate),
        prior_label=translate("Prior"),
        total_label=translate("Match weight"),
    )
    return {
        "pair": pair,
        "rows": field_rows(pair, translate),
        "chart": chart,
        "written": list_review.name_as_written(pair.entry, pair.list.column_map or {}),
        "kinds": KIND,
        "bands": BAND,
        "decisions": DECISION,
        "can_decide": who.actor.can_write_cases,
        "error": None,
        "form": {},
    }


@router.get("/{pair_id}")
def pair_page(request: Request, pair_id: PathId, db: Db, who: Staff) -> Response:
    return render(request, "desk/review_pair.html", _pair_context(request, db, who, pair_id), user=who.user)


@router.post("/{pair_id}")
async def decide(request: Request, pair_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        decision = forms.required(form, "decision")
        list_review.decide(db, who.actor, pair_id, decision, forms.text(form, "reason", max_length=2000))
    except (ValidationFailed, Forbidden, Conflict) as error:
        # The pair again with the reason beside the form; nothing of the decision is kept.
        db.rollback()
        context = _pair_context(request, db, who, pair_id)
        context["error"], context["form"] = error, dict(form)
        code = 403 if isinstance(error, Forbidden) else 409 if isinstance(error, Conflict) else 422
        return render(request, "desk/review_pair.html", context, user=who.user, status_code=code)
    return RedirectResponse(f"/desk/review/{pair_id}?decided=1", status_code=303)
