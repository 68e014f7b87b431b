"""DNA pages: the analysts' candidate identifications (/desk/dna) and the family's DNA page
(/my/cases/{id}/dna: who gave samples and when, the consent and how to withdraw it, the search log).

A family page never shows a sample code, a laboratory's data, an LR or a genotype.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.api.deps import Db
from kintrace.api.routers.dna import configured_markers, server_markers
from kintrace.services import cases as case_service
from kintrace.services import dna_arrival, dna_direct, dna_matching, dna_review, dna_samples
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.store.models import Case
from kintrace.web import dna_report, forms
from kintrace.web.i18n import gettext_for
from kintrace.web.labels import KINSHIP
from kintrace.web.pages import language_of, render
from kintrace.web.pedigree_svg import pedigree_svg
from kintrace.web.routing import PageRoute
from kintrace.web.session import Family, Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _desk_context(db: Session, who: Visitor, request: Request) -> dict[str, Any]:
    markers = configured_markers()
    unscored = (
        {}
        if markers is None
        else dna_matching.unscored_families(db, who.actor, request.app.state.genetic_key, markers)
    )
    cases = {case.id: case for case in db.scalars(select(Case).where(Case.id.in_(list(unscored))))}
    candidates = dna_matching.list_candidates(db, who.actor)
    return {
        "unscored": [(cases[case_id], why) for case_id, why in unscored.items() if case_id in cases],
        "candidates": candidates,
        "blocked": dna_review.blocked_candidates(db, who.actor, candidates),
        "associations": dna_direct.list_associations(db, who.actor),
        "groups": dna_direct.list_fragment_groups(db, who.actor),
        "to_tell": dna_review.awaiting_family(db, who.actor) if who.actor.can_write_cases else [],
        "today": dt.date.today(),
        "error": None,
    }


@router.get("/desk/dna")
def desk_candidates(request: Request, db: Db, who: Staff) -> Response:
    return render(request, "desk/dna_candidates.html", _desk_context(db, who, request), user=who.user)


@router.get("/desk/dna/candidates/{comparison_id}/report.pdf")
def desk_report(request: Request, comparison_id: int, db: Db, who: Staff) -> Response:
    """The identification report of a candidate, in the reader's language (its SHA-256 audited)."""
    made = dna_report.identification_report_document(
        db, who.actor, request.app.state.genetic_key, server_markers(), comparison_id, language_of(request)
    )
    disposition = f'attachment; filename="{made.filename}"'
    return Response(made.content, media_type=made.media_type, headers={"Content-Disposition": disposition})


@router.post("/desk/dna/candidates/{comparison_id}/{action}")
async def desk_review(request: Request, comparison_id: int, action: str, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        if action == "family-told":
            dna_review.record_family_told(
                db, who.actor, comparison_id, forms.iso_date(form, "on", default=dt.date.today())
            )
        elif action in ("propose", "confirm", "reject"):
            getattr(dna_review, action)(db, who.actor, comparison_id, forms.text(form, "reason") or "")
        else:
            raise ValidationFailed("action", f"{action!r} is not propose, confirm, reject or family-told")
    except (ValidationFailed, Forbidden, Conflict) as error:
        # The list again with the reason next to it ("a second analyst must confirm"); nothing saved.
        db.rollback()
        context = _desk_context(db, who, request)
        context["error"] = error
        code = 403 if isinstance(error, Forbidden) else 409 if isinstance(error, Conflict) else 422
        return render(request, "desk/dna_candidates.html", context, user=who.user, status_code=code)
    return RedirectResponse(f"/desk/dna#candidate-{comparison_id}", status_code=303)


_ASSOCIATION_ACTIONS = {
    "propose": dna_direct.propose_association,
    "confirm": dna_direct.confirm_association,
    "reject": dna_direct.reject_association,
}


@router.post("/desk/dna/associations/{association_id}/{action}")
async def desk_association(
    request: Request, association_id: int, action: str, db: Db, who: Staff
) -> Response:
    """Four eyes on "these remains are one person", as on identifications."""
    form = await request.form()
    try:
        review = _ASSOCIATION_ACTIONS.get(action)
        if review is None:
            raise ValidationFailed("action", f"{action!r} is not propose, confirm or reject")
        review(db, who.actor, association_id, forms.text(form, "reason") or "")
    except (ValidationFailed, Forbidden, Conflict) as error:
        db.rollback()
        context = _desk_context(db, who, request)
        context["error"] = error
        code = 403 if isinstance(error, Forbidden) else 409 if isinstance(error, Conflict) else 422
        return render(request, "desk/dna_candidates.html", context, user=who.user, status_code=code)
    target = "groups-title" if action == "confirm" else f"association-{association_id}"
    return RedirectResponse(f"/desk/dna#{target}", status_code=303)


def pedigree_drawing(request: Request, db: Session, who: Visitor, case_id: int) -> Markup | None:
    """The case's pedigree as SVG in the reader's language (None: no donor yet)."""
    family = dna_samples.family_pedigree(db, who.actor, case_id)
    if family is None:
        return None
    _ = gettext_for(language_of(request))
    labels = {node: _(KINSHIP[kinship]) for node, kinship in family.kinship.items()}
    labels[family.layout.missing_id] = _("the missing person")
    return pedigree_svg(family.layout, labels, family.typed, title=_("Family tree of the DNA search"))


def _family_context(db: Session, who: Visitor, case_id: int, request: Request) -> dict[str, Any]:
    case = case_service.get_case(db, who.actor, case_id)
    return {
        "pedigree": pedigree_drawing(request, db, who, case_id),
        "case": case,
        "samples": dna_samples.family_view(db, who.actor, case_id),
        "effects": dna_samples.family_effects(db, who.actor, case_id),
        "log": dna_matching.search_log(db, who.actor, case_id),
        "identified": [
            (row, len(dna_direct.fragment_group(db, row.remains_sample_id)))
            for row in dna_review.family_identifications(db, who.actor, case_id)
        ],
        "kinship": KINSHIP,
        "withdrawn": False,
    }


@router.get("/my/cases/{case_id}/dna")
def family_dna(request: Request, case_id: int, db: Db, who: Family, withdrawn: int = 0) -> Response:
    context = _family_context(db, who, case_id, request)
    context["withdrawn"] = bool(withdrawn)
    return render(request, "portal/dna.html", context, user=who.user)


@router.post("/my/cases/{case_id}/dna/withdraw/{sample_id}")
async def family_withdraw(request: Request, case_id: int, sample_id: int, db: Db, who: Family) -> Response:
    await request.form()  # the CSRF token is checked by the session layer
    if dna_samples.case_of_sample(db, sample_id) != case_id:
        # Read as a missing id: another case's sample must not tell the family that it exists.
        raise NotFound("reference sample", sample_id)
    dna_arrival.withdraw_consent(
        db, who.actor, request.app.state.genetic_key, configured_markers(), sample_id
    )
    return RedirectResponse(f"/my/cases/{case_id}/dna?withdrawn=1", status_code=303)
