"""The caseworkers' desk: dashboard, case list with a cross-script name search, the case page, its actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kintrace.domain.status import TRANSITIONS
from kintrace.domain.vocabulary import (
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    SourceKind,
    StatusTrack,
    Visibility,
)
from kintrace.http.deps import Db, PathId
from kintrace.services import cases as case_service
from kintrace.services import duplicate_candidates, list_consent
from kintrace.services import duplicates as duplicate_service
from kintrace.services import evidence as evidence_service
from kintrace.services import requests as request_service
from kintrace.services import sources as source_service
from kintrace.services import status as status_service
from kintrace.services import users as user_service
from kintrace.services.case_file import case_file
from kintrace.services.cases import CaseFilter, RelativeInput
from kintrace.services.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from kintrace.services.evidence import EvidenceInput
from kintrace.services.requests import RequestInput
from kintrace.services.sources import SourceInput
from kintrace.store.models import EvidenceItem
from kintrace.web import forms
from kintrace.web.dashboard import dashboard_figures
from kintrace.web.desk_duplicates import BANDS, FIELD_NAMES
from kintrace.web.dna import desk_strength_context
from kintrace.web.explain import desk_texts
from kintrace.web.pages import render
from kintrace.web.person_page import person_page, save_person
from kintrace.web.routing import PageRoute
from kintrace.web.search import find_cases
from kintrace.web.search_log import log_context
from kintrace.web.session import Staff, Visitor
from kintrace.web.timeline import timeline
from kintrace.web.uploads import attach_upload

router = APIRouter(prefix="/desk", route_class=PageRoute, include_in_schema=False)
PER_PAGE = 50


@router.get("")
def dashboard(request: Request, db: Db, who: Staff) -> Response:
    return render(
        request, "desk/dashboard.html", {"fig": dashboard_figures(db, who.actor, request)}, user=who.user
    )


@router.get("/file")
def file_form(request: Request, who: Staff) -> Response:
    if not who.actor.can_write_cases:
        raise Forbidden(f"{who.actor.name} ({who.actor.role.value}) may not file cases")
    return render(request, "portal/file.html", {"form": {}, "staff": True}, user=who.user)


@router.post("/file")
async def file_case(request: Request, db: Db, who: Staff) -> Response:
    """A caseworker files a case (a report by phone or in person); it is open at once."""
    form = await request.form()
    try:
        person = forms.missing_person(form)
        case = case_service.create_case(db, who.actor, person)
        reporter = forms.text(form, "reporter_name")
        if reporter is not None:
            case_service.add_relative(
                db,
                who.actor,
                case.id,
                RelativeInput(
                    full_name=reporter,
                    relationship=forms.text(form, "relationship") or "",
                    relationship_note=forms.text(form, "relationship_note"),
                    is_reporter=True,
                    phone=forms.text(form, "phone"),
                    email=forms.text(form, "contact_email"),
                ),
            )
    except ValidationFailed as error:
        db.rollback()
        context = {"form": dict(form), "error": error, "staff": True}
        return render(request, "portal/file.html", context, user=who.user, status_code=422)
    # Candidates become possible-duplicate links, shown with their reasons on the case page.
    duplicate_candidates.check_filed_case(db, who.actor, case.id)
    return _back(case.id, "filed")


@router.get("/cases")
def case_list(
    request: Request,
    db: Db,
    who: Staff,
    name: str | None = None,
    status: str | None = None,
    track: str | None = None,
    state: str | None = None,
    days_pending: str | None = None,
    mine: str | None = None,
    page: int = 1,
) -> Response:
    values = {
        "name": name,
        "status": status,
        "track": track,
        "state": state,
        "days_pending": days_pending,
        "mine": mine,
    }
    flt = CaseFilter(
        status=forms.choice(values, "status", PersonStatus) if forms.text(values, "status") else None,
        track=forms.choice(values, "track", StatusTrack, StatusTrack.OFFICIAL),
        state=forms.choice(values, "state", CaseState) if forms.text(values, "state") else None,
        min_days_pending=forms.integer(values, "days_pending"),
        caseworker_id=who.user.id if mine == "1" else None,
    )
    result = find_cases(db, who.actor, flt, forms.text(values, "name"), page=max(1, page), per_page=PER_PAGE)
    context = {"result": result, "filters": values, "statuses": list(PersonStatus), "states": list(CaseState)}
    return render(request, "desk/cases.html", context, user=who.user)


def case_context(db: Session, who: Visitor, case_id: int) -> dict[str, Any]:
    # One read of the case file: its visibility checked once, every part read and redacted with it.
    found = case_file(db, who.actor, case_id)
    case, view, items = found.case, found.status, found.items
    return {
        "case": case,
        "person": found.person,
        "status": view,
        "history": {
            track.value: [change for change in view.history if change.track is track] for track in StatusTrack
        },
        "next_statuses": sorted(TRANSITIONS[case.official_status], key=list(PersonStatus).index),
        "timeline": timeline(items, found.contradictions),
        "contradictions": found.contradictions,
        # A family's own reports that the case's other families see only once published here.
        "awaiting": found.awaiting,
        # The domain's English explanations, or the same said in the page's language.
        "desk_texts": lambda language: desk_texts(language, view, items, found.contradictions),
        "requests": found.requests,
        "relatives": found.relatives,
        "links": found.links,
        "linked_cases": found.linked_cases,
        # Links the engine proposed on filing carry its reasons in the note; their compare shows them.
        "engine_note": duplicate_candidates.ENGINE_NOTE,
        "merges": found.merges,
        "members": found.members,
        # Family accounts are named by the relative record they filed, if any (their e-mail stays private).
        "member_names": {r.user_id: r.full_name for r in found.relatives if r.user_id is not None},
        "state_moves": [s for s in (CaseState.OPEN, CaseState.CLOSED) if s is not case.state],
        # Sources already cited here; any other is chosen by its number from the sources page.
        "sources": found.sources,
        "claims": list(Claim),
        "kinds": list(SourceKind),
        "reliabilities": list(Reliability),
        "credibilities": list(Credibility),
        "visibilities": list(Visibility),
        "outcomes": [o for o in RequestOutcome if o is not RequestOutcome.WITHDRAWN],
        "statuses": list(PersonStatus),
        "photos": found.photos,
        "today": dt.date.today(),
        "can_write": who.actor.can_write_cases,
        **log_context(db, who, case),
        **desk_strength_context(db, who, case),
    }


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: PathId, db: Db, who: Staff, done: str | None = None) -> Response:
    context = case_context(db, who, case_id)
    context.update(done=done, form={})
    return render(request, "desk/case.html", context, user=who.user)


def _failed(
    request: Request, db: Session, who: Visitor, case_id: int, error: ServiceError, form: Any
) -> Response:
    """Show the case page again with the error next to the form that caused it; nothing is saved."""
    db.rollback()
    context = case_context(db, who, case_id)
    context.update(done=None, form=dict(form), error=error)
    return render(request, "desk/case.html", context, user=who.user, status_code=422)


def _back(case_id: int, done: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/desk/cases/{case_id}?done={done}{anchor}", status_code=303)


@router.post("/cases/{case_id}/list-consent")
async def list_matching_consent(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    """Record the family's consent to list matching, or its withdrawal, with how it was given."""
    form = await request.form()
    try:
        consent = forms.text(form, "consent") == "yes"
        list_consent.set_list_matching_consent(db, who.actor, case_id, consent, forms.text(form, "basis"))
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "list_consent", "#lists")


@router.post("/cases/{case_id}/verify")
async def verify(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    case = case_service.get_case(db, who.actor, case_id)
    if case.state is not CaseState.UNVERIFIED:
        return _back(case_id, "verified")
    case_service.set_case_state(db, who.actor, case_id, CaseState.OPEN)
    return _back(case_id, "verified")


@router.post("/cases/{case_id}/state")
async def change_state(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        case_service.set_case_state(db, who.actor, case_id, forms.choice(form, "state", CaseState))
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "state")


@router.post("/cases/{case_id}/assign")
async def assign(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    """Take the case on (assign it to oneself) or give it up."""
    form = await request.form()
    take = forms.text(form, "take") == "1"
    case_service.assign_caseworker(db, who.actor, case_id, who.user.id if take else None)
    return _back(case_id, "assigned")


@router.post("/cases/{case_id}/members")
async def link_member(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    """Let a family account (named by its username or e-mail) follow this case in the portal."""
    form = await request.form()
    try:
        login = forms.required(form, "member")
        member = user_service.get_user_by_username(db, user_service.username_for_login(db, login))
        if member is None:
            raise ValidationFailed("member", f"no account {login}")
        case_service.link_family_user(db, who.actor, case_id, member.id, "linked")
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "member", "#members")


@router.post("/cases/{case_id}/members/{user_id}/unlink")
async def unlink_member(request: Request, case_id: PathId, user_id: PathId, db: Db, who: Staff) -> Response:
    case_service.unlink_family_user(db, who.actor, case_id, user_id)
    return _back(case_id, "member", "#members")


def _evidence_values(item: EvidenceItem) -> dict[str, str]:
    values = {
        "claim": item.claim.value,
        "source_id": str(item.source_id),
        "place": item.place or "",
        "text": item.text,
        "visibility": item.visibility.value,
        "official_status": "" if item.official_status is None else item.official_status.value,
    }
    for prefix, value in (
        ("event", item.event_date),
        ("reported", item.reported_date),
        ("birth", item.birth_date),
    ):
        if value is not None:
            values.update(
                zip(
                    (f"{prefix}_year", f"{prefix}_month", f"{prefix}_day"),
                    str(value).split("-"),
                    strict=False,
                )
            )
    return values


def _evidence_page(
    request: Request,
    db: Session,
    who: Visitor,
    item: EvidenceItem,
    form: Any,
    error: ServiceError | None = None,
    done: bool = False,
) -> Response:
    context = {
        "done": done,
        "item": item,
        "form": form,
        "error": error,
        "claims": list(Claim),
        "statuses": list(PersonStatus),
        "visibilities": list(Visibility),
    }
    return render(request, "desk/evidence.html", context, user=who.user, status_code=422 if error else 200)


@router.get("/evidence/{evidence_id}")
def evidence_form(request: Request, evidence_id: PathId, db: Db, who: Staff, done: int = 0) -> Response:
    item = evidence_service.get_evidence(db, who.actor, evidence_id)
    return _evidence_page(request, db, who, item, _evidence_values(item), done=bool(done))


def _evidence_input(form: FormData, source_id: int, visibility: Visibility | None = None) -> EvidenceInput:
    """An item as posted; `visibility` is the default when the form leaves it out (None: must be chosen)."""
    official = forms.text(form, "official_status")
    return EvidenceInput(
        claim=forms.choice(form, "claim", Claim),
        source_id=source_id,
        event_date=forms.partial_date(form, "event"),
        reported_date=forms.partial_date(form, "reported"),
        place=forms.text(form, "place"),
        text=forms.text(form, "text") or "",
        visibility=forms.choice(form, "visibility", Visibility, visibility),
        official_status=None if official is None else forms.choice(form, "official_status", PersonStatus),
        birth_date=forms.partial_date(form, "birth"),
    )


@router.post("/evidence/{evidence_id}")
async def update_evidence(request: Request, evidence_id: PathId, db: Db, who: Staff) -> Response:
    """Correct an item (its claim, dates, source, visibility); the evidence-based status is derived again."""
    form = await request.form()
    item = evidence_service.get_evidence(db, who.actor, evidence_id)
    try:
        source_id = forms.integer(form, "source_id")
        if source_id is None:
            raise ValidationFailed("source_id", "give the source's number")
        evidence_service.update_evidence(db, who.actor, evidence_id, _evidence_input(form, source_id))
    except ValidationFailed as error:
        db.rollback()
        item = evidence_service.get_evidence(db, who.actor, evidence_id)
        return _evidence_page(request, db, who, item, dict(form), error)
    return _back(item.case_id, "evidence", f"#item-{evidence_id}")


@router.post("/evidence/{evidence_id}/attachments")
async def attach(request: Request, evidence_id: PathId, db: Db, who: Staff) -> Response:
    """Attach a scan or photo to an item (checked, stored once by its SHA-256)."""
    form = await request.form()
    item = evidence_service.get_evidence(db, who.actor, evidence_id)
    document = forms.upload(form, "document")
    try:
        if document is None:
            raise ValidationFailed("document", "choose a file")
        await attach_upload(db, who.actor, evidence_id, document)
    except ValidationFailed as error:
        db.rollback()
        item = evidence_service.get_evidence(db, who.actor, evidence_id)
        return _evidence_page(request, db, who, item, _evidence_values(item), error)
    return RedirectResponse(f"/desk/evidence/{evidence_id}?done=1", status_code=303)


@router.post("/evidence/{evidence_id}/publish")
async def publish_evidence(request: Request, evidence_id: int, db: Db, who: Staff) -> Response:
    """Show a family's report to the case's other families too."""
    form = await request.form()
    item = evidence_service.publish_evidence(db, who.actor, evidence_id)
    shown_on = forms.text(form, "case_id")  # a merged case's item is published from the case it joined
    back = int(shown_on) if shown_on and shown_on.isdigit() else item.case_id
    return _back(back, "published", f"#item-{evidence_id}")


@router.post("/evidence/{evidence_id}/delete")
async def delete_evidence(request: Request, evidence_id: PathId, db: Db, who: Staff) -> Response:
    """Remove a wrongly entered item; the audit log keeps what it said."""
    item = evidence_service.get_evidence(db, who.actor, evidence_id)
    case_id = item.case_id
    evidence_service.delete_evidence(db, who.actor, evidence_id)
    return _back(case_id, "deleted", "#timeline")


@router.get("/cases/{case_id}/person")
def person_form(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    case = case_service.get_case(db, who.actor, case_id)
    values = forms.person_values(case.person)
    return person_page(request, who, values, back=f"/desk/cases/{case_id}", staff=True)


@router.post("/cases/{case_id}/person")
async def correct_person(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    back = f"/desk/cases/{case_id}"
    failed = await save_person(request, db, who, case_id, back=back, staff=True)
    return failed or _back(case_id, "person")


@router.post("/cases/{case_id}/relatives")
async def add_relative(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        case_service.add_relative(
            db,
            who.actor,
            case_id,
            RelativeInput(
                full_name=forms.required(form, "full_name"),
                relationship=forms.text(form, "relationship") or "",
                relationship_note=forms.text(form, "relationship_note"),
                phone=forms.text(form, "phone"),
                email=forms.text(form, "email"),
                address=forms.text(form, "address"),
                notes=forms.text(form, "notes"),
            ),
        )
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "relative")


@router.post("/relatives/{relative_id}/delete")
async def delete_relative(request: Request, relative_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    case_id = forms.integer(form, "case_id") or 0
    try:
        case_service.delete_relative(db, who.actor, relative_id)
    except Conflict as error:  # a DNA donor stays on record: say so on the case page
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "relative")


@router.post("/cases/{case_id}/official")
async def set_official(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        status_service.set_official_status(
            db,
            who.actor,
            case_id,
            forms.choice(form, "status", PersonStatus),
            since=forms.partial_date(form, "since"),
            reason=forms.text(form, "reason"),
        )
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "official", "#tracks")


@router.post("/cases/{case_id}/evidence")
async def add_evidence(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        source_name = forms.text(form, "source_name")
        if source_name is not None:
            source = source_service.create_source(
                db,
                who.actor,
                SourceInput(
                    kind=forms.choice(form, "source_kind", SourceKind),
                    name=source_name,
                    reliability=forms.choice(form, "reliability", Reliability, Reliability.F),
                    credibility=forms.choice(form, "credibility", Credibility, Credibility.CANNOT_BE_JUDGED),
                ),
            )
            source_id = source.id
        else:
            chosen = forms.integer(form, "source_id") or forms.integer(form, "source_number")
            if chosen is None:
                raise ValidationFailed("source_id", "choose a source or describe a new one")
            source_id = chosen
        item = evidence_service.add_evidence(
            db, who.actor, case_id, _evidence_input(form, source_id, Visibility.INTERNAL)
        )
        document = forms.upload(form, "document")
        if document is not None:
            await attach_upload(db, who.actor, item.id, document)
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "evidence", "#timeline")


@router.post("/cases/{case_id}/requests")
async def submit_request(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        evidence_ids = [
            int(v)
            for v in form.getlist("evidence_ids")
            if isinstance(v, str) and v.isdigit() and int(v) <= forms.MAX_INTEGER
        ]
        deadline = forms.text(form, "deadline")
        request_service.submit_request(
            db,
            who.actor,
            case_id,
            RequestInput(
                requested_status=forms.choice(form, "requested_status", PersonStatus),
                authority=forms.required(form, "authority"),
                submitted_on=forms.iso_date(form, "submitted_on", dt.date.today()),
                deadline=None if deadline is None else forms.iso_date(form, "deadline"),
                evidence_ids=evidence_ids,
                note=forms.text(form, "note"),
            ),
        )
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "request", "#requests")


@router.post("/requests/{request_id}/answer")
async def record_answer(request: Request, request_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    status_request = request_service.get_request(db, who.actor, request_id)
    case_id = status_request.case_id
    try:
        request_service.record_answer(
            db,
            who.actor,
            request_id,
            received_on=forms.iso_date(form, "received_on", dt.date.today()),
            outcome=forms.choice(form, "outcome", RequestOutcome),
            text=forms.text(form, "text") or "",
        )
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "answer", "#requests")


@router.post("/requests/{request_id}/withdraw")
async def withdraw(request: Request, request_id: PathId, db: Db, who: Staff) -> Response:
    status_request = request_service.get_request(db, who.actor, request_id)
    request_service.withdraw_request(db, who.actor, request_id, on=dt.date.today())
    return _back(status_request.case_id, "withdrawn", "#requests")


def _case_by_reference(db: Session, who: Visitor, text: str) -> int:
    """A case named by its reference (KT-000123) or its number."""
    text = text.strip()
    try:
        return case_service.get_case_by_reference(db, who.actor, text).id
    except NotFound:
        if text.isdigit() and int(text) <= forms.MAX_INTEGER:
            return case_service.get_case(db, who.actor, int(text)).id
        raise ValidationFailed("other_case", f"no case {text}") from None


@router.post("/cases/{case_id}/duplicates")
async def link_duplicate(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        other = _case_by_reference(db, who, forms.required(form, "other_case"))
        duplicate_service.link_duplicates(db, who.actor, case_id, other, forms.text(form, "note"))
    except (ValidationFailed, NotFound) as error:
        return _failed(request, db, who, case_id, error, form)
    return _back(case_id, "linked", "#duplicates")


@router.post("/duplicates/{link_id}/unlink")
async def unlink_duplicate(request: Request, link_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    case_id = forms.integer(form, "case_id") or 0
    duplicate_service.unlink_duplicates(db, who.actor, link_id)
    return _back(case_id, "unlinked", "#duplicates")


@router.get("/cases/{case_id}/compare/{other_id}")
def compare(
    request: Request, case_id: PathId, other_id: PathId, db: Db, who: Staff, candidate: int = 0
) -> Response:
    """Two cases side by side, to decide whether they are one person; when the pair came from the
    engine (`candidate=1`), with the engine's reasons for it."""
    sides = []
    for one in (case_id, other_id):
        case = case_service.get_case(db, who.actor, one)
        sides.append(
            {
                "case": case,
                "person": case.person,
                "evidence": evidence_service.list_evidence(db, who.actor, one),
                "relatives": case_service.list_relatives(db, who.actor, one),
            }
        )
    engine = duplicate_candidates.pair_candidate(db, who.actor, case_id, other_id) if candidate else None
    context = {
        "sides": sides,
        "can_write": who.actor.can_write_cases,
        "candidate": engine,
        "asked_engine": bool(candidate),
        "field_names": FIELD_NAMES,
        "bands": BANDS,
    }
    return render(request, "desk/compare.html", context, user=who.user)


def _merge_context(db: Session, who: Visitor, case_id: int, other_id: int) -> dict[str, Any]:
    """What a merge would do: the case kept, the case folded into it, and what moves with it."""
    if not who.actor.can_write_cases:
        raise Forbidden(f"{who.actor.name} ({who.actor.role.value}) may not merge cases")
    kept, merged = (case_service.get_case(db, who.actor, one) for one in (case_id, other_id))
    return {
        "kept": kept,
        "merged": merged,
        "evidence": evidence_service.list_evidence(db, who.actor, other_id),
        "relatives": case_service.list_relatives(db, who.actor, other_id),
        "error": None,
        "form": {},
    }


@router.get("/cases/{case_id}/merge/{other_id}")
def merge_confirm(request: Request, case_id: PathId, other_id: PathId, db: Db, who: Staff) -> Response:
    """Before a merge: what will be merged, and a box to tick that they are one person."""
    context = _merge_context(db, who, case_id, other_id)
    return render(request, "desk/merge_confirm.html", context, user=who.user)


@router.post("/cases/{case_id}/merge")
async def merge(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    """Fold the other case into this one (both keep their evidence; the merge can be undone).

    Only once confirmed: one click on the compare page used to merge two families' cases at once."""
    form = await request.form()
    merged_id = forms.integer(form, "merged_case_id")
    try:
        if merged_id is None:
            raise ValidationFailed("merged_case_id", "choose the case to merge in")
        if form.get("confirm") != "yes":
            raise ValidationFailed("confirm", "tick the box to confirm that these are one person")
        duplicate_service.merge_cases(db, who.actor, case_id, merged_id, note=forms.text(form, "note"))
    except ServiceError as error:
        if merged_id is None:
            return _failed(request, db, who, case_id, error, form)
        db.rollback()
        context = _merge_context(db, who, case_id, merged_id)
        context.update(error=error, form=dict(form))
        return render(request, "desk/merge_confirm.html", context, user=who.user, status_code=422)
    return _back(case_id, "merged", "#duplicates")


@router.post("/merges/{merge_id}/undo")
async def undo_merge(request: Request, merge_id: PathId, db: Db, who: Staff) -> Response:
    record = duplicate_service.undo_merge(db, who.actor, merge_id)
    return _back(record.target_case_id, "unmerged", "#duplicates")


@router.get("/overdue")
def overdue(request: Request, db: Db, who: Staff, page: int = 1, authority: str | None = None) -> Response:
    """Overdue requests, filtered by authority; from one authority's list an appeal can be drafted."""
    authorities = request_service.overdue_authorities(db, who.actor)
    chosen = authority if authority in {name for name, _ in authorities} else None
    result = request_service.overdue_requests(
        db, who.actor, authority=chosen, page=max(1, min(page, 10_000)), per_page=PER_PAGE
    )
    context = {"result": result, "authorities": authorities, "authority": chosen}
    return render(request, "desk/overdue.html", context, user=who.user)


SOURCES_PER_PAGE = 100


@router.get("/sources")
def sources(
    request: Request, db: Db, who: Staff, page: int = 1, name: str | None = None, kind: str | None = None
) -> Response:
    chosen = forms.choice({"kind": kind}, "kind", SourceKind) if kind else None
    found = source_service.list_sources(db, who.actor, chosen)
    if name and name.strip():
        needle = name.strip().casefold()
        found = [s for s in found if needle in s.name.casefold()]
    pages = max(1, -(-len(found) // SOURCES_PER_PAGE))
    page = min(max(1, page), pages)
    context = {
        "sources": found[(page - 1) * SOURCES_PER_PAGE : page * SOURCES_PER_PAGE],
        "total": len(found),
        "page": page,
        "pages": pages,
        "filters": {"name": name or "", "kind": kind or ""},
        "kinds": list(SourceKind),
        "can_write": who.actor.can_write_cases,
    }
    return render(request, "desk/sources.html", context, user=who.user)


@router.get("/sources/{source_id}")
def source_page(request: Request, source_id: PathId, db: Db, who: Staff, done: str | None = None) -> Response:
    context = {
        "source": source_service.get_source(db, who.actor, source_id),
        "kinds": list(SourceKind),
        "reliabilities": list(Reliability),
        "credibilities": list(Credibility),
        "can_write": who.actor.can_write_cases,
        "done": done,
    }
    return render(request, "desk/source.html", context, user=who.user)


@router.post("/sources/{source_id}")
async def regrade_source(request: Request, source_id: PathId, db: Db, who: Staff) -> Response:
    """Regrade or rename a source; every case citing it has its evidence-based status derived again."""
    form = await request.form()
    source_service.update_source(
        db,
        who.actor,
        source_id,
        SourceInput(
            kind=forms.choice(form, "kind", SourceKind),
            name=forms.required(form, "name"),
            reliability=forms.choice(form, "reliability", Reliability),
            credibility=forms.choice(form, "credibility", Credibility),
            notes=forms.text(form, "notes"),
        ),
    )
    return RedirectResponse(f"/desk/sources/{source_id}?done=1", status_code=303)
