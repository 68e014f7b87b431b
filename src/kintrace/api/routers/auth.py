"""Log in and out, who am I, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from kintrace.api.auth import CurrentActor, CurrentUser
from kintrace.api.problems import Problem
from kintrace.api.schemas import (
    AccountDeleteIn,
    AccountSettingsIn,
    LoginIn,
    LoginOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserOut,
)
from kintrace.http import sessions
from kintrace.http.deps import AppSettings, Db, PathId
from kintrace.http.throttle import LoginThrottle, client_address
from kintrace.services import account as account_service
from kintrace.services import users as user_service
from kintrace.services.access import actor_for

router = APIRouter(prefix="/auth", tags=["auth"])


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


@router.post("/login", response_model=LoginOut)
def login(
    body: LoginIn, request: Request, response: Response, session: Db, settings: AppSettings
) -> LoginOut:
    """Check the e-mail and password and start a session (cookie). Echo `csrf_token` on unsafe requests."""
    if not sessions.same_origin(request):
        # A login posted from another site would sign the victim into the attacker's account.
        raise Problem(403, "cross-site-login", "A login must come from this site's own pages.")
    client = client_address(request)
    throttle = _throttle(request)
    # The e-mail and the user name of one account share one count.
    username = user_service.username_for_login(session, body.email)
    wait = throttle.retry_after_s(client, username)
    if wait:
        raise Problem(
            429,
            "too-many-login-attempts",
            f"Too many failed logins; try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    user = user_service.authenticate(session, username, body.password)
    if user is None:
        throttle.failed(client, username)
        # One message for unknown account and wrong password: the answer must not reveal which accounts exist.
        raise Problem(
            401, "invalid-credentials", "The e-mail or password is wrong, or the account is disabled."
        )
    throttle.succeeded(client, username)
    csrf = sessions.start_session(request, response, settings, session, user.id, user.password_hash)
    return LoginOut(user=UserOut.model_validate(user), csrf_token=csrf)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(_user: CurrentUser, request: Request, settings: AppSettings, session: Db) -> Response:
    """End the session: its cookie, even a copy kept elsewhere, answers 401 from now on."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    sessions.end_session(request, response, settings, session)
    return response


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.patch("/me", response_model=UserOut)
def update_me(body: AccountSettingsIn, user: CurrentUser, session: Db) -> UserOut:
    """Change one's own e-mail, phone and language (kintrace's e-mails are then written in it)."""
    given = body.model_fields_set
    updated = account_service.update_settings(
        session,
        actor_for(user),
        email=body.email if "email" in given else user.email,
        phone=body.phone if "phone" in given else user.phone,
        language=body.language if "language" in given else None,
    )
    return UserOut.model_validate(updated)


@router.post("/me/delete", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(body: AccountDeleteIn, user: CurrentUser, session: Db) -> Response:
    """Delete one's own account (the password confirms it). The cases stay with the caseworkers."""
    account_service.delete_account(
        session, actor_for(user), body.password, erase_contacts=body.erase_contacts
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenCreate, user: CurrentUser, session: Db) -> TokenCreated:
    """Create an API token for the calling user. The token is in this answer only; keep it safe."""
    row, token = user_service.create_api_token(
        session, actor_for(user), user.id, body.name, days=body.expires_in_days
    )
    return TokenCreated(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=None,
        token=token,
    )


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(actor: CurrentActor, session: Db) -> list[TokenOut]:
    assert actor.user_id is not None  # an authenticated user, never the system actor
    return [TokenOut.model_validate(t) for t in user_service.list_api_tokens(session, actor, actor.user_id)]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: PathId, actor: CurrentActor, session: Db) -> Response:
    user_service.revoke_api_token(session, actor, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
