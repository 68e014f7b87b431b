"""The families' portal: my cases, filing a case step by step, one case in plain words, adding information."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import AppealState, Claim, SourceKind, Visibility
from kintrace.http.deps import Db, PathId
from kintrace.services import appeals as appeal_service
from kintrace.services import cases as case_service
from kintrace.services import duplicate_candidates
from kintrace.services import evidence as evidence_service
from kintrace.services import notifications as notification_service
from kintrace.services import sources as source_service
from kintrace.services.access import may_see_contacts
from kintrace.services.case_file import case_file
from kintrace.services.cases import CaseFilter, RelativeInput
from kintrace.services.errors import NotFound, ValidationFailed
from kintrace.services.evidence import EvidenceInput
from kintrace.services.list_consent import AGREED_WHEN_FILING, set_list_matching_consent
from kintrace.services.sources import SourceInput
from kintrace.web import forms, notices
from kintrace.web.i18n import gettext_for, ngettext_for
from kintrace.web.next_steps import next_steps
from kintrace.web.pages import language_of, render
from kintrace.web.person_page import person_page, save_person
from kintrace.web.routing import PageRoute
from kintrace.web.search_log import log_context
from kintrace.web.session import Family, Visitor
from kintrace.web.timeline import timeline
from kintrace.web.uploads import attach_upload

router = APIRouter(prefix="/my", route_class=PageRoute, include_in_schema=False)

# What a relative can tell us; official notices and remains come through caseworkers.
FAMILY_CLAIMS = (
    Claim.ALIVE,
    Claim.CAPTURED,
    Claim.WOUNDED,
    Claim.SEEN_AT_PLACE,
    Claim.DEAD,
    Claim.NO_INFORMATION,
)


@router.get("")
def my_cases(request: Request, db: Db, who: Family) -> Response:
    page = case_service.list_cases(db, who.actor, CaseFilter(include_merged=True), per_page=100)
    unread = notification_service.unread_count(db, who.actor)
    return render(request, "portal/home.html", {"cases": page.items, "unread": unread}, user=who.user)


@router.get("/file")
def file_form(request: Request, who: Family) -> Response:
    return render(request, "portal/file.html", {"form": {}}, user=who.user)


@router.post("/file")
async def file_case(request: Request, db: Db, who: Family) -> Response:
    form = await request.form()
    try:
        person = forms.missing_person(form)
        relation = forms.text(form, "relationship") or ""
        phone, email = forms.text(form, "phone"), forms.text(form, "contact_email")
        if phone is None and email is None:
            raise ValidationFailed("phone", "give a phone number or an e-mail so a caseworker can reach you")
        case = case_service.create_case(db, who.actor, person)
        case_service.add_relative(
            db,
            who.actor,
            case.id,
            RelativeInput(
                full_name=forms.text(form, "reporter_name") or who.user.display_name,
                relationship=relation,
                relationship_note=forms.text(form, "relationship_note"),
                is_reporter=True,
                phone=phone,
                email=email,
                user_id=who.user.id,
            ),
        )
        if forms.text(form, "list_matching") == "yes":
            set_list_matching_consent(db, who.actor, case.id, True, AGREED_WHEN_FILING)
    except ValidationFailed as error:
        db.rollback()
        context = {"form": dict(form), "error": error}
        return render(request, "portal/file.html", context, user=who.user, status_code=422)
    # The family hears only "may": nothing of the other report (see duplicate_candidates).
    maybe = duplicate_candidates.check_filed_case(db, who.actor, case.id)
    return RedirectResponse(f"/my/cases/{case.id}?filed=1{'&maybe=1' if maybe else ''}", status_code=303)


def _case_context(request: Request, db: Session, who: Visitor, case_id: int) -> dict[str, Any]:
    # One read of the case file: its visibility checked once, redacted for the family with it.
    found = case_file(db, who.actor, case_id)
    case, view = found.case, found.status
    drafts = [v for v in appeal_service.list_appeals(db, who.actor) if v.appeal.state is AppealState.DRAFT]
    joinable = [
        v for v in drafts if case.id in {c.id for c in appeal_service.joinable_cases(db, who.actor, v.appeal)}
    ]
    language = language_of(request)
    return {
        "case": case,
        "person": found.person,
        "status": view,
        "steps": next_steps(
            gettext_for(language), ngettext_for(language), case, view, found.requests, joinable
        ),
        "caseworker": case.assigned_caseworker,
        "appeals": appeal_service.appeals_of(db, who.actor, case.id),
        "timeline": timeline(found.items, found.contradictions),
        "contradictions": found.contradictions,
        "requests": found.requests,
        # Only the reader's own contact details: other relatives' stay private even on a shared case.
        "my_contacts": found.own_contacts,
        "claims": FAMILY_CLAIMS,
        "photos": found.photos,
        "today": dt.date.today(),
        **log_context(db, who, case),
    }


def _failed(
    request: Request, db: Session, who: Visitor, case_id: int, error: ValidationFailed, form: Any
) -> Response:
    """The case page again with the error next to the form that caused it; nothing is saved."""
    db.rollback()
    context = _case_context(request, db, who, case_id)
    context.update(filed=0, added=0, form=dict(form), error=error)
    return render(request, "portal/case.html", context, user=who.user, status_code=422)


@router.get("/cases/{case_id}")
def my_case(
    request: Request,
    case_id: PathId,
    db: Db,
    who: Family,
    filed: int = 0,
    added: int = 0,
    maybe: int = 0,
) -> Response:
    context = _case_context(request, db, who, case_id)
    context.update(filed=filed, added=added, maybe=maybe, form={})
    return render(request, "portal/case.html", context, user=who.user)


@router.get("/cases/{case_id}/person")
def person_form(request: Request, case_id: PathId, db: Db, who: Family) -> Response:
    case = case_service.get_case(db, who.actor, case_id)
    values = forms.person_values(case.person)
    return person_page(request, who, values, back=f"/my/cases/{case_id}", staff=False)


@router.post("/cases/{case_id}/person")
async def correct_person(request: Request, case_id: PathId, db: Db, who: Family) -> Response:
    """The reporting family may correct its report until a caseworker has verified it."""
    back = f"/my/cases/{case_id}"
    failed = await save_person(request, db, who, case_id, back=back, staff=False)
    return failed or RedirectResponse(back, status_code=303)


@router.post("/cases/{case_id}/contact/{relative_id}")
async def update_contact(
    request: Request, case_id: PathId, relative_id: PathId, db: Db, who: Family
) -> Response:
    """A relative keeps their own phone, e-mail and address up to date."""
    form = await request.form()
    rows = case_service.list_relatives(db, who.actor, case_id)
    mine = {r.id: r for r in rows if may_see_contacts(who.actor, r)}
    current = mine.get(relative_id)
    if current is None:
        raise NotFound("relative", relative_id)
    try:
        case_service.update_relative(
            db,
            who.actor,
            relative_id,
            RelativeInput(
                full_name=current.full_name,
                relationship=current.relationship_,
                relationship_note=current.relationship_note,
                is_reporter=current.is_reporter,
                phone=forms.text(form, "phone"),
                email=forms.text(form, "email"),
                address=forms.text(form, "address"),
                notes=current.notes,
                user_id=current.user_id,
            ),
        )
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return RedirectResponse(f"/my/cases/{case_id}?added=1#contact", status_code=303)


@router.post("/cases/{case_id}/information")
async def add_information(request: Request, case_id: PathId, db: Db, who: Family) -> Response:
    """A relative's own report: recorded with the relative as its (ungraded) source, shown to the family."""
    form = await request.form()
    case_service.get_case(db, who.actor, case_id)
    try:
        claim = forms.choice(form, "claim", Claim)
        if claim not in FAMILY_CLAIMS:
            raise ValidationFailed("claim", "choose one of the listed kinds of news")
        source = source_service.create_source(
            db, who.actor, SourceInput(kind=SourceKind.RELATIVE, name=who.user.display_name)
        )
        item = evidence_service.add_evidence(
            db,
            who.actor,
            case_id,
            EvidenceInput(
                claim=claim,
                source_id=source.id,
                event_date=forms.partial_date(form, "event"),
                reported_date=None,
                place=forms.text(form, "place"),
                text=forms.text(form, "text") or "",
                visibility=Visibility.FAMILY,
            ),
        )
        document = forms.upload(form, "document")
        if document is not None:
            await attach_upload(db, who.actor, item.id, document)
    except ValidationFailed as error:
        return _failed(request, db, who, case_id, error, form)
    return RedirectResponse(f"/my/cases/{case_id}?added=1#timeline", status_code=303)


@router.get("/news")
def news(request: Request, db: Db, who: Family) -> Response:
    """What's new on the reader's cases, newest first; unread ones stand out until marked read."""
    translate = gettext_for(language_of(request))
    items = [
        (note, notices.describe(note, translate))
        for note in notification_service.list_notifications(db, who.actor)
    ]
    return render(request, "portal/news.html", {"items": items}, user=who.user)


@router.post("/news/read")
async def news_read(request: Request, db: Db, who: Family) -> Response:
    form = await request.form()
    raw = forms.text(form, "notification_id")
    try:
        ids = None if raw is None else [int(raw)]
    except ValueError:
        raise ValidationFailed("notification_id", f"{raw!r} is not a number") from None
    notification_service.mark_read(db, who.actor, ids)
    return RedirectResponse("/my/news", status_code=303)


INHERIT = "inherit"  # a case's event that follows the all-cases choice


def _settings_context(db: Session, who: Visitor, case_id: int | None) -> dict[str, Any]:
    page = case_service.list_cases(db, who.actor, CaseFilter(include_merged=True), per_page=100)
    return {
        "settings": notification_service.get_settings(db, who.actor, case_id),
        "cases": page.items,
        "scope": case_id,
        "events": notices.EVENT,
        "channels": notices.CHANNEL,
        "inherit": INHERIT,
    }


@router.get("/notifications")
def notification_settings(request: Request, db: Db, who: Family, case: int | None = None) -> Response:
    context = _settings_context(db, who, case)
    return render(request, "portal/notifications.html", context, user=who.user)


@router.post("/notifications")
async def save_notification_settings(request: Request, db: Db, who: Family) -> Response:
    form = await request.form()
    scope = forms.text(form, "scope")
    try:
        case_id = None if scope in (None, "all") else int(scope)
    except ValueError:
        raise ValidationFailed("scope", f"{scope!r} is not a case") from None
    choices: dict[str, str | None] = {}
    for event in notification_service.EVENTS:
        value = forms.text(form, event)
        if value is not None:
            choices[event] = None if value == INHERIT else value
    try:
        notification_service.save_settings(
            db, who.actor, choices, case_id=case_id, language=language_of(request)
        )
    except ValidationFailed as error:
        db.rollback()
        context = _settings_context(db, who, case_id)
        context["error"] = error
        return render(request, "portal/notifications.html", context, user=who.user, status_code=422)
    target = "/my/notifications" + ("" if case_id is None else f"?case={case_id}")
    return RedirectResponse(target + ("&" if case_id else "?") + "saved=1", status_code=303)
