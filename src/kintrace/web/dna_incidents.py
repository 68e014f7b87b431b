"""Incidents on the desk: the list (/desk/dna/incidents) and an incident's page with its remains, the
families considered, and the joint identification run on demand (its genotype reads audited).

Staff only; a family never reaches these pages. A pairing proposed here joins the four-eyes review
on /desk/dna like any candidate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.dna_samples import IncidentKind
from kintrace.http.deps import Db
from kintrace.services import dna_incidents, dna_profiles
from kintrace.services.errors import Conflict, Forbidden, ValidationFailed
from kintrace.store.models import Case
from kintrace.web import forms
from kintrace.web.dna import server_markers
from kintrace.web.i18n import N_
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

INCIDENT_KIND: dict[IncidentKind, str] = {
    IncidentKind.MASS_GRAVE: N_("mass grave"),
    IncidentKind.CRASH: N_("crash"),
    IncidentKind.SHELLING: N_("shelling"),
    IncidentKind.OTHER: N_("other"),
}
# The service's reasons for leaving a profile or a family out, in words the page translates.
REASONS = {
    dna_incidents.NO_PROFILE: N_("no DNA profile yet (or it was destroyed)"),
    dna_incidents.NO_REFERENCES: N_("no reference profile with consent in force"),
}


def _error_status(error: Exception) -> int:
    return 403 if isinstance(error, Forbidden) else 409 if isinstance(error, Conflict) else 422


def _list_context(db: Session, who: Visitor) -> dict[str, Any]:
    return {
        "incidents": dna_incidents.list_incidents(db, who.actor),
        "kinds": INCIDENT_KIND,
        "error": None,
        "values": {},
    }


@router.get("/desk/dna/incidents")
def incident_list(request: Request, db: Db, who: Staff) -> Response:
    return render(request, "desk/dna_incidents.html", _list_context(db, who), user=who.user)


@router.post("/desk/dna/incidents")
async def incident_create(request: Request, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        occurred = forms.partial_date(form, "occurred")
        made = dna_incidents.create_incident(
            db,
            who.actor,
            dna_incidents.IncidentInput(
                name=forms.text(form, "name") or "",
                kind=forms.choice(form, "kind", IncidentKind, IncidentKind.OTHER),
                place=forms.text(form, "place"),
                occurred_on=occurred,
                notes=forms.text(form, "notes"),
            ),
        )
    except (ValidationFailed, Forbidden, Conflict) as error:
        db.rollback()
        context = _list_context(db, who)
        context["error"], context["values"] = error, dict(form)
        return render(
            request, "desk/dna_incidents.html", context, user=who.user, status_code=_error_status(error)
        )
    return RedirectResponse(f"/desk/dna/incidents/{made.id}", status_code=303)


def _page_context(db: Session, who: Visitor, incident_id: int) -> dict[str, Any]:
    incident = dna_incidents.get_incident(db, who.actor, incident_id)
    return {
        "incident": incident,
        "kinds": INCIDENT_KIND,
        "reasons": REASONS,
        "result": None,
        "case_refs": {row.case_id: row.case.reference for row in incident.cases},
        "remains_codes": {sample.id: sample.code for sample in incident.remains},
        "profiles": {sample.id for sample in incident.remains if dna_profiles.has_profile(db, sample.id)},
        "choices": {},
        "error": None,
    }


@dataclass(frozen=True)
class Choice:
    """One family for one remains sample: the joint marginal posterior and the pairwise LR."""

    case_id: int | None  # None: none of the considered families
    marginal: float | None
    log10_lr: float | None


def remains_view(result: dna_incidents.IncidentResult) -> dict[int, list[Choice]]:
    """Per remains sample, the families from likeliest to least (joint marginal, else pairwise LR)."""
    out: dict[int, list[Choice]] = {}
    for sample_id in result.remains:
        rows = [
            Choice(
                case_id, result.marginals.get((sample_id, case_id)), result.pairwise.get((sample_id, case_id))
            )
            for case_id in result.cases
        ]
        if result.marginals:
            rows.append(Choice(None, result.marginals.get((sample_id, None)), None))
            rows.sort(key=lambda c: -(c.marginal or 0.0))
        else:
            rows.sort(key=lambda c: -(c.log10_lr if c.log10_lr is not None else -math.inf))
        out[sample_id] = rows
    return out


def _render_page(request: Request, who: Visitor, context: dict[str, Any], status_code: int = 200) -> Response:
    return render(request, "desk/dna_incident.html", context, user=who.user, status_code=status_code)


@router.get("/desk/dna/incidents/{incident_id}")
def incident_page(request: Request, incident_id: int, db: Db, who: Staff) -> Response:
    return _render_page(request, who, _page_context(db, who, incident_id))


@router.post("/desk/dna/incidents/{incident_id}/joint")
async def incident_joint(request: Request, incident_id: int, db: Db, who: Staff) -> Response:
    """Run the joint identification now and show it (a POST: it reads genotypes, audited)."""
    await request.form()  # the CSRF token is checked by the session layer
    context = _page_context(db, who, incident_id)
    try:
        result = dna_incidents.joint_identification(
            db, who.actor, request.app.state.genetic_key, server_markers(request), incident_id
        )
        context["result"], context["choices"] = result, remains_view(result)
    except (ValidationFailed, Forbidden, Conflict) as error:
        db.rollback()
        context = _page_context(db, who, incident_id)
        context["error"] = error
        return _render_page(request, who, context, _error_status(error))
    return _render_page(request, who, context)


def _case_id(db: Session, words: str | None) -> int:
    """A case named by its reference (as on the desk) or its number."""
    words = (words or "").strip()
    found = db.scalar(select(Case.id).where(Case.reference == words)) if words else None
    if found is None and words.isdigit() and len(words) < 10:
        found = int(words)
    if found is None:
        raise ValidationFailed("case", f"no case {words!r}: give its reference, as KT-2024-000123")
    return found


@router.post("/desk/dna/incidents/{incident_id}/cases")
async def incident_add_case(request: Request, incident_id: int, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        dna_incidents.add_case(db, who.actor, incident_id, _case_id(db, forms.text(form, "case")))
    except (ValidationFailed, Forbidden, Conflict) as error:
        db.rollback()
        context = _page_context(db, who, incident_id)
        context["error"] = error
        return _render_page(request, who, context, _error_status(error))
    return RedirectResponse(f"/desk/dna/incidents/{incident_id}#families", status_code=303)


@router.post("/desk/dna/incidents/{incident_id}/cases/{case_id}/remove")
async def incident_remove_case(
    request: Request, incident_id: int, case_id: int, db: Db, who: Staff
) -> Response:
    await request.form()  # the CSRF token is checked by the session layer
    dna_incidents.remove_case(db, who.actor, incident_id, case_id)
    return RedirectResponse(f"/desk/dna/incidents/{incident_id}#families", status_code=303)


@router.post("/desk/dna/incidents/{incident_id}/propose")
async def incident_propose(request: Request, incident_id: int, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        row = dna_incidents.propose(
            db,
            who.actor,
            request.app.state.genetic_key,
            server_markers(request),
            incident_id,
            forms.integer(form, "remains_sample_id") or 0,
            forms.integer(form, "case_id") or 0,
            forms.text(form, "reason") or "",
        )
    except (ValidationFailed, Forbidden, Conflict) as error:
        db.rollback()
        context = _page_context(db, who, incident_id)
        context["error"] = error
        return _render_page(request, who, context, _error_status(error))
    return RedirectResponse(f"/desk/dna#candidate-{row.id}", status_code=303)
