"""Collective appeals on the desk (/desk/appeals) and in the families' portal (/my/appeals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from kintrace.domain.vocabulary import AppealDemand, PersonStatus, RequestOutcome
from kintrace.http.deps import Db
from kintrace.services import appeals as appeal_service
from kintrace.services import cases as case_service
from kintrace.services import requests as request_service
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.web import forms, letters
from kintrace.web.i18n import gettext_for
from kintrace.web.pages import language_of, render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Family, Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _input(form: FormData) -> appeal_service.AppealInput:
    return appeal_service.AppealInput(
        title=forms.required(form, "title"),
        authority=forms.required(form, "authority"),
        demand=forms.choice(form, "demand", AppealDemand),
        text=forms.text(form, "text") or "",
        language=forms.text(form, "language") or "uk",
        answer_days=forms.integer(form, "answer_days") or 30,
    )


def _status(form: FormData) -> PersonStatus | None:
    return (
        forms.choice(form, "requested_status", PersonStatus) if forms.text(form, "requested_status") else None
    )


@router.get("/desk/appeals")
def desk_appeals(request: Request, db: Db, who: Staff) -> Response:
    views = appeal_service.list_appeals(db, who.actor)
    return render(request, "desk/appeals.html", {"views": views, "form": {}, "error": None}, user=who.user)


@router.post("/desk/appeals")
async def desk_create(request: Request, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        appeal = appeal_service.create_appeal(db, who.actor, _input(form))
    except ValidationFailed as error:
        db.rollback()
        views = appeal_service.list_appeals(db, who.actor)
        context = {"views": views, "form": dict(form), "error": error}
        return render(request, "desk/appeals.html", context, user=who.user, status_code=422)
    return RedirectResponse(f"/desk/appeals/{appeal.id}", status_code=303)


def _desk_page(request: Request, db: Db, who: Visitor, appeal_id: int, **extra: Any) -> Response:
    appeal = appeal_service.get_appeal(db, who.actor, appeal_id)
    joined = {row.case_id for row in appeal.signatories}
    overdue = request_service.overdue_requests(db, who.actor, authority=appeal.authority, per_page=200).items
    context = {
        "v": appeal_service.view(db, who.actor, appeal),
        "form": {},
        "error": None,
        "today": dt.date.today(),
        # The cases waiting on this authority, to invite (a case joins only with its family's consent).
        "suggested": [v for v in overdue if v.request.case_id not in joined],
    }
    context.update(extra)
    return render(request, "desk/appeal.html", context, user=who.user, status_code=422 if extra else 200)


@router.get("/desk/appeals/{appeal_id}")
def desk_appeal(request: Request, appeal_id: int, db: Db, who: Staff) -> Response:
    return _desk_page(request, db, who, appeal_id)


async def _desk_action(request: Request, db: Db, who: Visitor, appeal_id: int, action: str) -> Response:
    form = await request.form()
    try:
        if action == "add":
            reference = forms.required(form, "case_reference")
            try:
                case = case_service.get_case_by_reference(db, who.actor, reference)
            except NotFound:
                raise ValidationFailed("case_reference", f"no case has the reference {reference!r}") from None
            appeal_service.add_case(
                db,
                who.actor,
                appeal_id,
                case.id,
                signatory=forms.required(form, "signatory"),
                consent_on=forms.iso_date(form, "consent_on"),
                requested_status=_status(form),
            )
        elif action == "remove":
            appeal_service.leave(db, who.actor, appeal_id, forms.integer(form, "case_id") or 0)
        elif action == "send":
            appeal = appeal_service.get_appeal(db, who.actor, appeal_id)
            sent_on = forms.iso_date(form, "sent_on")
            letter = letters.letter_document(db, who.actor, appeal, sent_on)
            appeal_service.mark_sent(
                db,
                who.actor,
                appeal_id,
                sent_on=sent_on,
                channel=forms.required(form, "channel"),
                reference_number=forms.text(form, "reference_number"),
                letter_sha256=letter.sha256,
            )
        elif action == "answer":
            appeal_service.record_answer(
                db,
                who.actor,
                appeal_id,
                received_on=forms.iso_date(form, "received_on"),
                text=forms.text(form, "answer_text") or "",
                reference_number=forms.text(form, "answer_reference"),
            )
        elif action == "outcome":
            appeal_service.set_outcome(
                db,
                who.actor,
                appeal_id,
                forms.integer(form, "case_id") or 0,
                forms.choice(form, "outcome", RequestOutcome),
                forms.text(form, "note"),
            )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _desk_page(request, db, who, appeal_id, form=dict(form), error=error)
    return RedirectResponse(f"/desk/appeals/{appeal_id}?done={action}", status_code=303)


@router.post("/desk/appeals/{appeal_id}/{action}")
async def desk_action(request: Request, appeal_id: int, action: str, db: Db, who: Staff) -> Response:
    if action not in ("add", "remove", "send", "answer", "outcome"):
        return _desk_page(request, db, who, appeal_id)
    return await _desk_action(request, db, who, appeal_id, action)


@router.get("/desk/appeals/{appeal_id}/letter.pdf")
def desk_letter(appeal_id: int, db: Db, who: Staff) -> Response:
    appeal = appeal_service.get_appeal(db, who.actor, appeal_id)
    made = letters.letter_document(db, who.actor, appeal)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


def _portal_page(request: Request, db: Db, who: Visitor, **extra: Any) -> Response:
    views = appeal_service.list_appeals(db, who.actor)
    joinable = {v.appeal.id: appeal_service.joinable_cases(db, who.actor, v.appeal) for v in views}
    context = {"views": views, "joinable": joinable, "form": {}, "error": None, "failed_id": None}
    context.update(extra)
    return render(request, "portal/appeals.html", context, user=who.user, status_code=422 if extra else 200)


@router.get("/my/appeals")
def portal_appeals(request: Request, db: Db, who: Family) -> Response:
    return _portal_page(request, db, who)


@router.post("/my/appeals/{appeal_id}/join")
async def portal_join(request: Request, appeal_id: int, db: Db, who: Family) -> Response:
    form = await request.form()
    try:
        appeal_service.join(
            db,
            who.actor,
            appeal_id,
            forms.integer(form, "case_id") or 0,
            signatory=forms.required(form, "signatory"),
            consent=forms.text(form, "consent") == "yes",
            requested_status=_status(form),
        )
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _portal_page(request, db, who, form=dict(form), error=error, failed_id=appeal_id)
    return RedirectResponse("/my/appeals?done=joined", status_code=303)


@router.post("/my/appeals/{appeal_id}/leave")
async def portal_leave(request: Request, appeal_id: int, db: Db, who: Family) -> Response:
    form = await request.form()
    try:
        appeal_service.leave(db, who.actor, appeal_id, forms.integer(form, "case_id") or 0)
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        return _portal_page(request, db, who, form=dict(form), error=error, failed_id=appeal_id)
    return RedirectResponse("/my/appeals?done=left", status_code=303)


@router.post("/desk/appeals/from-overdue")
async def desk_from_overdue(request: Request, db: Db, who: Staff) -> Response:
    """Draft an appeal to the authority whose overdue requests the caseworker was reading; its page then
    lists those cases to add once each family has agreed to be named."""
    form = await request.form()
    authority = forms.required(form, "authority")
    _ = gettext_for(language_of(request))
    title = _("Unanswered requests: %(authority)s") % {"authority": authority}
    language = language_of(request)
    appeal = appeal_service.create_appeal(
        db,
        who.actor,
        appeal_service.AppealInput(
            title=title if len(title) <= 200 else _("Unanswered requests"),
            authority=authority,
            demand=AppealDemand.ANSWER_REQUESTS,
            text="",
            language=language if language in appeal_service.LANGUAGES else "uk",
        ),
    )
    return RedirectResponse(f"/desk/appeals/{appeal.id}#add", status_code=303)
