"""Forgot password (/forgot) and the one-time link's page (/reset), in the reader's language."""

from __future__ import annotations

import logging
import smtplib

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kintrace.http import sessions
from kintrace.http.deps import Db
from kintrace.services import password_reset
from kintrace.services.errors import ValidationFailed
from kintrace.web import forms
from kintrace.web.i18n import gettext_for
from kintrace.web.mailer import mail_settings, send_one
from kintrace.web.pages import language_of, render
from kintrace.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
log = logging.getLogger("kintrace.mail")


@router.get("/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "forgot.html", {"sent": False, "mail": mail_settings() is not None})


@router.post("/forgot")
async def forgot(request: Request, db: Db) -> Response:
    form = await request.form()
    settings = mail_settings()
    if settings is None or not sessions.same_origin(request):
        return render(request, "forgot.html", {"sent": False, "mail": settings is not None}, status_code=400)
    made = password_reset.request_reset(db, forms.text(form, "email") or "")
    if made is not None:
        user, token = made
        _ = gettext_for(language_of(request))
        base = settings.base_url or str(request.base_url).rstrip("/")
        body = _(
            "Someone asked to set a new kintrace password for this e-mail address. If it was you, open "
            "this link within an hour:\n\n%(link)s\n\nIf it was not you, ignore this e-mail; "
            "your password stays as it is."
        ) % {"link": f"{base}/reset?token={token}"}
        try:
            send_one(settings, user.email or "", _("Your kintrace password"), body)
        except (OSError, smtplib.SMTPException) as error:
            db.rollback()  # no link is kept that nobody received
            log.error("password reset mail not sent: %s", error)
    # The same answer whether or not an account has this address.
    return render(request, "forgot.html", {"sent": True, "mail": True})


@router.get("/reset")
def reset_page(request: Request, db: Db, token: str = "") -> Response:
    valid = password_reset.valid_reset(db, token) is not None if token else False
    return render(request, "reset.html", {"token": token, "valid": valid, "error": None})


@router.post("/reset")
async def reset(request: Request, db: Db) -> Response:
    form = await request.form()
    token = forms.text(form, "token") or ""
    try:
        if not sessions.same_origin(request):
            raise ValidationFailed("token", "please use this site's own page")
        password = forms.required(form, "new_password")
        if password != forms.text(form, "new_password_repeat"):
            raise ValidationFailed("new_password_repeat", "the two passwords differ")
        password_reset.reset_password(db, token, password)
    except ValidationFailed as error:
        db.rollback()
        if error.field == "password":  # the strength check names the service's field: show it at the form's
            error = ValidationFailed("new_password", error.message)
        valid = password_reset.valid_reset(db, token) is not None
        context = {"token": token, "valid": valid, "error": error}
        return render(request, "reset.html", context, status_code=422)
    return RedirectResponse("/signin?reset=1", status_code=303)
