"""DNA pages: the analysts' candidate identifications (/desk/dna) and the family's DNA page
(/my/cases/{id}/dna: who gave samples and when, the consent and how to withdraw it, the search log).

A family page never shows a sample code, a laboratory's data, an LR or a genotype.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.dna.markers import DnaInputError, Marker
from kintrace.domain.dna_samples import DonorSex, Kinship, Reason
from kintrace.http.deps import Db
from kintrace.services import cases as case_service
from kintrace.services import (
    dna_arrival,
    dna_direct,
    dna_matching,
    dna_profiles,
    dna_review,
    dna_samples,
    dna_strength,
)
from kintrace.services.dna_frequencies import configured_markers
from kintrace.services.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from kintrace.store.models import Case, DnaReferenceStrength, Incident
from kintrace.web import dna_report, forms
from kintrace.web.i18n import N_, gettext_for
from kintrace.web.labels import KINSHIP
from kintrace.web.pages import language_of, render
from kintrace.web.pedigree_svg import pedigree_svg
from kintrace.web.routing import PageRoute
from kintrace.web.session import Family, Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Why a family's references are not used, in the reader's language (the engine's English stays in the
# CLI, the API and the audit log): by the reason's code, with its values.
REASONS = {
    "contradicting": N_(
        "the references contradict the relationships stated between them at %(markers)s (a swapped "
        "sample or a wrong kinship?); the family is not compared until a sample is withdrawn or replaced"
    ),
    "unlikely": N_(
        "the references are 10^%(times)s times likelier unrelated than related as stated (a swapped "
        "sample or a wrong kinship?); the family is not compared until a sample is withdrawn or replaced"
    ),
    "twice": N_("samples %(first)s and %(second)s: the missing person has only one %(kinship)s"),
    "wrong_sex": N_("sample %(sample)s: recorded as %(kinship)s, but the donor is recorded as %(sex)s"),
    "sex_unknown": N_(
        "the missing person's sex must be known to place a son, a daughter or a spouse in the family tree"
    ),
    "spouse_sex": N_("sample %(sample)s: the spouse is recorded with the same sex as the missing person"),
    "engine": N_("the DNA engine could not use the references: %(detail)s"),
}
# What a family reads of whom to ask next: plain words, no figure.
FAMILY_ASK = {
    Kinship.FATHER: N_("A sample from the father of %(name)s would help the most."),
    Kinship.MOTHER: N_("A sample from the mother of %(name)s would help the most."),
    Kinship.FULL_SIBLING: N_("A sample from a brother or sister of %(name)s would help the most."),
    Kinship.CHILD: N_("A sample from a son or daughter of %(name)s would help the most."),
    Kinship.SPOUSE: N_("A sample from the other parent of the children of %(name)s would help the most."),
    Kinship.PATERNAL_HALF_SIBLING: N_(
        "A sample from a half-brother or half-sister of %(name)s on the father's side would help the most."
    ),
    Kinship.MATERNAL_HALF_SIBLING: N_(
        "A sample from a half-brother or half-sister of %(name)s on the mother's side would help the most."
    ),
    Kinship.PATERNAL_GRANDFATHER: N_(
        "A sample from the grandfather of %(name)s on the father's side would help the most."
    ),
    Kinship.PATERNAL_GRANDMOTHER: N_(
        "A sample from the grandmother of %(name)s on the father's side would help the most."
    ),
    Kinship.MATERNAL_GRANDFATHER: N_(
        "A sample from the grandfather of %(name)s on the mother's side would help the most."
    ),
    Kinship.MATERNAL_GRANDMOTHER: N_(
        "A sample from the grandmother of %(name)s on the mother's side would help the most."
    ),
    Kinship.PATERNAL_UNCLE_OR_AUNT: N_(
        "A sample from an uncle or aunt of %(name)s on the father's side would help the most."
    ),
    Kinship.MATERNAL_UNCLE_OR_AUNT: N_(
        "A sample from an uncle or aunt of %(name)s on the mother's side would help the most."
    ),
}
SEXES = {"male": N_("a man"), "female": N_("a woman"), "unknown": N_("sex not known")}


def reason_text(_: Callable[[str], str], why: str) -> str:
    """A reason from the matching services in the reader's language (the English when it has no code)."""
    if not isinstance(why, Reason) or why.code not in REASONS:
        return why
    params = dict(why.params)
    if "kinship" in params:
        params["kinship"] = _(KINSHIP[Kinship(params["kinship"])])
    if "sex" in params:
        params["sex"] = _(SEXES.get(params["sex"], params["sex"]))
    return _(REASONS[why.code]) % params


def strength_why(_: Callable[[str], str], row: DnaReferenceStrength) -> str:
    """Why a family's strength could not be computed, in the reader's language."""
    code = row.not_computed_code or {}
    text = row.not_computed or ""
    if not code:
        return text
    return reason_text(_, Reason(text, str(code.get("code", "engine")), code.get("params") or {}))


def desk_strength_context(db: Session, who: Visitor, case: Case) -> dict[str, Any]:
    """The case page's DNA section: the stored strength, and the relatives recorded but not sampled
    (of a case the page has read, so its visibility is not checked again)."""
    found = strengths_for(db, {case.id})
    return {
        "dna_strength": found.get(case.id),
        "dna_asked": dna_strength.relatives_to_ask_of(db, who.actor, case.id, case.relatives),
        "strength_why": strength_why,
        "kinship": KINSHIP,
        # The case's samples with whether a profile is stored, and what the DNA forms offer.
        "dna_samples": [
            (sample, dna_profiles.has_profile(db, sample.id))
            for sample in dna_samples.list_samples(db, who.actor, case_id=case.id)
        ],
        "donor_sexes": list(DonorSex),
        "sexes": SEXES,
        "dna_form": None,
    }


def markers_or_none() -> dict[str, Marker] | None:
    """The configured frequency table; None when none is, or it cannot be read (the pages that only
    show stored figures still open; the DNA routes that need it answer 503 naming the table)."""
    try:
        return configured_markers()
    except DnaInputError:
        return None


def strengths_for(db: Session, case_ids: set[int]) -> dict[int, dna_strength.Strength]:
    """The families' stored strengths (none without a usable frequency table)."""
    markers = markers_or_none()
    return {} if markers is None else dna_strength.strengths(db, case_ids, markers)


def server_markers(request: Request) -> dict[str, Marker]:
    """The frequency table a report is computed with; without a readable one the page says why."""
    _ = gettext_for(language_of(request))
    try:
        markers = configured_markers()
    except DnaInputError as error:
        message = _("The allele frequency table named by KINTRACE_DNA_FREQUENCIES cannot be read: %(error)s")
        raise ServiceError(message % {"error": error}) from None
    if markers is None:
        raise ServiceError(
            _("No allele frequency table is configured (KINTRACE_DNA_FREQUENCIES): DNA scoring is off.")
        )
    return markers


def desk_context(db: Session, who: Visitor, request: Request) -> dict[str, Any]:
    markers = configured_markers()
    unscored = (
        {}
        if markers is None
        else dna_matching.unscored_families(db, who.actor, request.app.state.genetic_key, markers)
    )
    cases = {case.id: case for case in db.scalars(select(Case).where(Case.id.in_(list(unscored))))}
    _ = gettext_for(language_of(request))
    candidates = dna_matching.list_candidates(db, who.actor)
    return {
        "unscored": [
            (cases[case_id], reason_text(_, why)) for case_id, why in unscored.items() if case_id in cases
        ],
        "candidates": candidates,
        "strengths": strengths_for(db, {row.case_id for row in candidates}),
        "strength_why": strength_why,
        "kinship": KINSHIP,
        "blocked": dna_review.blocked_candidates(db, who.actor, candidates),
        "associations": dna_direct.list_associations(db, who.actor),
        "groups": dna_direct.list_fragment_groups(db, who.actor),
        "to_tell": dna_review.awaiting_family(db, who.actor) if who.actor.can_write_cases else [],
        "today": dt.date.today(),
        "error": None,
        "form": {},
        "imported": None,
        "incident_names": list(db.scalars(select(Incident.name).order_by(Incident.name))),
        "can_import": who.actor.role in dna_profiles.IMPORTERS,
        "can_write": who.actor.can_write_cases,
    }


@router.get("/desk/dna")
def desk_candidates(
    request: Request,
    db: Db,
    who: Staff,
    done: str | None = None,
    profiles: int = 0,
    comparisons: int = 0,
    candidates: int = 0,
    direct: int = 0,
) -> Response:
    context = desk_context(db, who, request)
    if done == "import":
        # What the lab export just imported did (the figures come back on the redirect after the post).
        context["imported"] = {
            "profiles": profiles,
            "comparisons": comparisons,
            "candidates": candidates,
            "direct": direct,
        }
    return render(request, "desk/dna_candidates.html", context, user=who.user)


@router.get("/desk/dna/candidates/{comparison_id}/report.pdf")
def desk_report(request: Request, comparison_id: int, db: Db, who: Staff) -> Response:
    """The identification report of a candidate, in the reader's language (its SHA-256 audited)."""
    made = dna_report.identification_report_document(
        db,
        who.actor,
        request.app.state.genetic_key,
        server_markers(request),
        comparison_id,
        language_of(request),
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
        context = desk_context(db, who, request)
        context["error"] = error
        code = 403 if isinstance(error, Forbidden) else 409 if isinstance(error, Conflict) else 422
        return render(request, "desk/dna_candidates.html", context, user=who.user, status_code=code)
    return RedirectResponse(f"/desk/dna#candidate-{comparison_id}", status_code=303)


@router.post("/desk/dna/strength/{case_id}")
async def desk_compute_strength(request: Request, case_id: int, db: Db, who: Staff) -> Response:
    """Compute the family's reference strength now (and whom to ask next when it is weak)."""
    form = await request.form()
    dna_strength.compute(db, who.actor, request.app.state.genetic_key, server_markers(request), case_id)
    if forms.text(form, "back") == "list":
        return RedirectResponse("/desk/dna", status_code=303)
    return RedirectResponse(f"/desk/cases/{case_id}?done=strength#dna", status_code=303)


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
        context = desk_context(db, who, request)
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
    markers = markers_or_none()
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
        "strength": None if markers is None else dna_strength.family_view(db, who.actor, case_id, markers),
        "kinship": KINSHIP,
        "family_ask": FAMILY_ASK,
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
