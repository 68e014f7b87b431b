"""Pages anyone may open: sign in, sign up, sign out, the language switch, the extortion warning."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kintrace.domain.vocabulary import Role
from kintrace.http import sessions
from kintrace.http.deps import Db
from kintrace.http.throttle import LoginThrottle, SignUpThrottle, client_address
from kintrace.services import users as user_service
from kintrace.services.access import Actor
from kintrace.services.errors import Conflict, ValidationFailed
from kintrace.web import forms
from kintrace.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import home_of, signed_in_user

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Self-service sign-up creates family accounts only; the audit log names this door as the actor.
SIGN_UP_DESK = Actor(user_id=None, role=Role.ADMIN, name="web sign-up")
ONE_YEAR_S = 365 * 24 * 3600


def _safe_next(target: str | None, fallback: str) -> str:
    """Only a path on this site: an open redirect would help phishing."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@router.get("/signin")
def signin_page(request: Request, db: Db, next: str | None = None) -> Response:
    user = signed_in_user(request, db)
    if user is not None:
        return RedirectResponse(_safe_next(next, home_of(user)), status_code=303)
    return render(request, "signin.html", {"next": next or ""})


@router.post("/signin")
async def signin(request: Request, db: Db) -> Response:
    form = await request.form()
    login = forms.text(form, "login") or ""
    password = form.get("password")
    target = forms.text(form, "next")
    context = {"next": target or "", "login": login}
    if not sessions.same_origin(request):
        return render(request, "signin.html", {**context, "error": "cross-site"}, status_code=403)
    throttle: LoginThrottle = request.app.state.login_throttle
    client = client_address(request)
    # The e-mail and the user name of one account share one count.
    account = user_service.username_for_login(db, login)
    if throttle.retry_after_s(client, account):
        return render(request, "signin.html", {**context, "error": "throttled"}, status_code=429)
    user = None
    if login and isinstance(password, str) and password:
        user = user_service.authenticate(db, account, password)
    if user is None:
        throttle.failed(client, account)
        return render(request, "signin.html", {**context, "error": "wrong"}, status_code=401)
    throttle.succeeded(client, account)
    response = RedirectResponse(_safe_next(target, home_of(user)), status_code=303)
    sessions.start_session(request, response, request.app.state.settings, db, user.id, user.password_hash)
    return response


@router.get("/signup")
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", {})


@router.post("/signup")
async def signup(request: Request, db: Db) -> Response:
    form = await request.form()
    email = (forms.text(form, "email") or "").lower()
    display_name = forms.text(form, "display_name")
    password = form.get("password")
    repeat = form.get("password_repeat")
    context = {"email": email, "display_name": display_name or ""}
    if not sessions.same_origin(request):
        return render(request, "signup.html", {**context, "error": "cross-site"}, status_code=403)
    brake: SignUpThrottle = request.app.state.signup_throttle
    client = client_address(request)
    if brake.retry_after_s(client):
        return render(request, "signup.html", {**context, "error": "throttled"}, status_code=429)
    try:
        if "@" not in email:
            raise ValidationFailed("email", "please give an e-mail address")
        if not isinstance(password, str) or password != repeat:
            raise ValidationFailed("password_repeat", "the two passwords differ")
        user = user_service.create_user(
            db,
            SIGN_UP_DESK,
            username=email,
            password=password,
            role=Role.FAMILY,
            display_name=display_name or email,
            email=email,
        )
        db.flush()
    except Conflict:
        db.rollback()
        return render(
            request, "signup.html", {**context, "error_field": "email", "error": "taken"}, status_code=409
        )
    except ValidationFailed as error:
        db.rollback()
        return render(
            request,
            "signup.html",
            {**context, "error_field": error.field, "error": "invalid", "message": error.message},
            status_code=422,
        )
    brake.created(client)
    response = RedirectResponse("/my", status_code=303)
    sessions.start_session(request, response, request.app.state.settings, db, user.id, user.password_hash)
    return response


@router.post("/signout")
async def signout(request: Request, db: Db) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    if sessions.same_origin(request):
        sessions.end_session(request, response, request.app.state.settings, db)
    return response


@router.post("/language")
async def switch_language(request: Request) -> Response:
    """Remember the reader's language in a cookie (a preference, not a secret)."""
    form = await request.form()
    language = forms.text(form, "language")
    response = RedirectResponse(_safe_next(forms.text(form, "next"), "/signin"), status_code=303)
    if language in LANGUAGES and sessions.same_origin(request):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR_S, samesite="lax", path="/")
    return response


@router.get("/safety")
def safety(request: Request, db: Db) -> Response:
    return render(request, "safety.html", {}, user=signed_in_user(request, db))
