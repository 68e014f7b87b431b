"""Every user's own account: contact details and language, the password, personal API tokens (shown
once, stored only hashed; staff only), and deleting the account."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kintrace.http import sessions
from kintrace.http.deps import Db, PathId
from kintrace.services import account as account_service
from kintrace.services import users as user_service
from kintrace.services.errors import ValidationFailed
from kintrace.web import forms
from kintrace.web.i18n import LANGUAGE_COOKIE
from kintrace.web.pages import render
from kintrace.web.public import ONE_YEAR_S
from kintrace.web.routing import PageRoute
from kintrace.web.session import AnyVisitor

router = APIRouter(prefix="/account", route_class=PageRoute, include_in_schema=False)


def _page(request: Request, db: Db, who: AnyVisitor, **extra: object) -> Response:
    assert who.actor.user_id is not None
    context: dict[str, object] = {
        "tokens": user_service.list_api_tokens(db, who.actor, who.actor.user_id),
        "new_token": None,
    }
    context.update(extra)
    status_code = 422 if extra.get("error") else 200
    return render(request, "account.html", context, user=who.user, status_code=status_code)


@router.get("")
def account(request: Request, db: Db, who: AnyVisitor, done: str | None = None) -> Response:
    return _page(request, db, who, done=done)


@router.post("/password")
async def change_password(request: Request, db: Db, who: AnyVisitor) -> Response:
    form = await request.form()
    current = form.get("current_password")
    try:
        if not isinstance(current, str) or user_service.authenticate(db, who.user.username, current) is None:
            raise ValidationFailed("current_password", "this is not your current password")
        new = forms.required(form, "new_password")
        if new != form.get("new_password_repeat"):
            raise ValidationFailed("new_password_repeat", "the two passwords differ")
        user_service.change_password(db, who.actor, who.user.id, new)
    except ValidationFailed as error:
        db.rollback()
        return _page(request, db, who, error=error)
    # The old session dies with the old password; start a fresh one so the user stays signed in.
    response = RedirectResponse("/account?done=password", status_code=303)
    settings = request.app.state.settings
    sessions.start_session(request, response, settings, db, who.user.id, who.user.password_hash)
    return response


@router.post("/tokens")
async def create_token(request: Request, db: Db, who: AnyVisitor) -> Response:
    form = await request.form()
    try:
        _row, token = user_service.create_api_token(db, who.actor, who.user.id, forms.required(form, "name"))
    except ValidationFailed as error:
        db.rollback()
        return _page(request, db, who, error=error)
    db.flush()
    return _page(request, db, who, new_token=token)


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: PathId, db: Db, who: AnyVisitor) -> Response:
    user_service.revoke_api_token(db, who.actor, token_id)
    return RedirectResponse("/account?done=revoked", status_code=303)


@router.post("/settings")
async def save_settings(request: Request, db: Db, who: AnyVisitor) -> Response:
    form = await request.form()
    language = forms.text(form, "language")
    try:
        account_service.update_settings(
            db, who.actor, email=forms.text(form, "email"), phone=forms.text(form, "phone"), language=language
        )
    except ValidationFailed as error:
        db.rollback()
        return _page(request, db, who, error=error)
    response = RedirectResponse("/account?done=settings", status_code=303)
    if language:
        # The pages follow the account's language from now on, on this device at once.
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR_S, samesite="lax", path="/")
    return response


@router.get("/delete")
def delete_page(request: Request, who: AnyVisitor) -> Response:
    return render(request, "account_delete.html", {}, user=who.user)


@router.post("/delete")
async def delete_account(request: Request, db: Db, who: AnyVisitor) -> Response:
    form = await request.form()
    password = form.get("password")
    try:
        if form.get("confirm") != "yes":
            raise ValidationFailed("confirm", "tick the box to confirm")
        account_service.delete_account(
            db,
            who.actor,
            password if isinstance(password, str) else "",
            erase_contacts=form.get("erase_contacts") == "yes",
        )
    except ValidationFailed as error:
        db.rollback()
        return render(request, "account_delete.html", {"error": error}, user=who.user, status_code=422)
    response = RedirectResponse("/account/deleted", status_code=303)
    sessions.end_session(request, response, request.app.state.settings, db)
    return response


@router.get("/deleted")
def deleted_page(request: Request) -> Response:
    return render(request, "account_deleted.html", {})
