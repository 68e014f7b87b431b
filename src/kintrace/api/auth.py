"""Who is calling: a bearer API token, or a session cookie plus a CSRF token for unsafe requests.

`CurrentActor` is the dependency every protected route takes; it yields the services' `Actor`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kintrace.api.problems import Problem
from kintrace.domain.vocabulary import Role
from kintrace.http import sessions
from kintrace.http.deps import Db, get_settings
from kintrace.http.server_settings import ServerSettings
from kintrace.services import users as user_service
from kintrace.services.access import Actor, actor_for
from kintrace.store.models import User

_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kintrace"'}


def _unauthenticated(detail: str, error: str | None = None) -> Problem:
    challenge = (
        f'Bearer realm="kintrace", error="{error}"' if error else _BEARER_CHALLENGE["WWW-Authenticate"]
    )
    return Problem(401, "not-authenticated", detail, headers={"WWW-Authenticate": challenge})


def _bearer_user(session: Session, authorization: str) -> User:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("The Authorization header must be 'Bearer <token>'.", "invalid_request")
    user = user_service.authenticate_token(session, token.strip())
    if user is None:
        raise _unauthenticated(
            "The API token is unknown, revoked or belongs to a disabled account.", "invalid_token"
        )
    return user


async def _cookie_user(request: Request, session: Session, settings: ServerSettings) -> User | None:
    data = sessions.live_session(request, settings, session)
    if data is None:
        return None
    user = session.get(User, data.user_id)
    if (
        user is None
        or not user.active
        or sessions.password_fingerprint(user.password_hash) != data.fingerprint
    ):
        return None
    if request.method not in sessions.SAFE_METHODS:
        presented = await sessions.presented_csrf_token(request)
        if not sessions.csrf_matches(data.csrf_token, presented):
            raise Problem(
                403,
                "csrf-token-missing-or-wrong",
                f"This request came with a session cookie but without the matching {sessions.CSRF_HEADER} "
                f"header (or '{sessions.CSRF_FORM_FIELD}' form field); another site may have sent it.",
            )
    return user


# Declared so that the OpenAPI description (and the docs' "Authorize" button) knows both ways in;
# the header and cookie are read and checked below, with problem details on failure.
_bearer_scheme = HTTPBearer(auto_error=False, description="An API token from POST /api/v1/auth/tokens")
_cookie_scheme = APIKeyCookie(
    name=sessions.SESSION_COOKIE, auto_error=False, description="Session from POST /api/v1/auth/login"
)


async def current_user(
    request: Request,
    session: Db,
    settings: Annotated[ServerSettings, Depends(get_settings)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)] = None,
    _cookie: Annotated[str | None, Security(_cookie_scheme)] = None,
) -> User:
    authorization = request.headers.get("Authorization")
    if authorization:
        # An API client: the token cannot be sent by a hostile page, so no CSRF check is needed.
        return _bearer_user(session, authorization)
    user = await _cookie_user(request, session, settings)
    if user is None:
        raise _unauthenticated("Log in (POST /api/v1/auth/login) or send 'Authorization: Bearer <token>'.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_actor(user: CurrentUser) -> Actor:
    return actor_for(user)


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def admin_actor(actor: CurrentActor) -> Actor:
    if actor.role is not Role.ADMIN:
        raise Problem(403, "forbidden", "Only administrators may manage users.")
    return actor


AdminActor = Annotated[Actor, Depends(admin_actor)]
