"""Who is using the pages: the API's signed session cookie, with its CSRF token checked on every form post.

Pages answer an anonymous visitor with a redirect to the sign-in page; a form posted without the
session's CSRF token is refused, whatever cookie it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from kintrace.domain.vocabulary import Role
from kintrace.http import sessions
from kintrace.http.deps import Db
from kintrace.services import users as user_service
from kintrace.services.access import Actor, actor_for
from kintrace.services.errors import NotFound
from kintrace.store.models import User


class SignInRequired(Exception):
    """The page needs a signed-in user; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRejected(Exception):
    """A form came without the session's CSRF token (another site may have sent it)."""


class WrongDoor(Exception):
    """A family account on the caseworkers' desk, or staff in the families' portal."""

    def __init__(self, home: str) -> None:
        super().__init__(home)
        self.home = home


@dataclass(frozen=True)
class Visitor:
    user: User
    actor: Actor


def signed_in_user(request: Request, db: Db) -> User | None:
    data = sessions.live_session(request, request.app.state.settings, db)
    if data is None:
        return None
    try:
        # Reading one's own account: the services allow it to any role.
        user = user_service.get_user(db, Actor(data.user_id, Role.FAMILY, "session"), data.user_id)
    except NotFound:
        return None
    if not user.active:
        return None
    if sessions.password_fingerprint(user.password_hash) != data.fingerprint:
        return None
    return user


async def visitor(request: Request, db: Db) -> Visitor:
    user = signed_in_user(request, db)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    if request.method not in sessions.SAFE_METHODS:
        data = sessions.read_session(request, request.app.state.settings)
        presented = await sessions.presented_csrf_token(request)
        if data is None or not sessions.csrf_matches(data.csrf_token, presented):
            raise CsrfRejected()
    return Visitor(user, actor_for(user))


async def family_visitor(who: Annotated[Visitor, Depends(visitor)]) -> Visitor:
    if who.user.role is not Role.FAMILY:
        raise WrongDoor("/desk")
    return who


async def staff_visitor(who: Annotated[Visitor, Depends(visitor)]) -> Visitor:
    if who.user.role is Role.FAMILY:
        raise WrongDoor("/my")
    return who


async def admin_visitor(who: Annotated[Visitor, Depends(visitor)]) -> Visitor:
    if who.user.role is not Role.ADMIN:
        raise WrongDoor("/desk")
    return who


def home_of(user: User) -> str:
    return "/my" if user.role is Role.FAMILY else "/desk"


def sign_in_url(next_path: str) -> str:
    return "/signin?next=" + quote(next_path, safe="/")


AnyVisitor = Annotated[Visitor, Depends(visitor)]
Family = Annotated[Visitor, Depends(family_visitor)]
Staff = Annotated[Visitor, Depends(staff_visitor)]
Admin = Annotated[Visitor, Depends(admin_visitor)]
