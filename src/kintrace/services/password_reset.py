"""Forgot password: a one-time link by e-mail, valid one hour, that sets a new password.

The answer to "send me a link" is the same whether or not an account has that e-mail, so the form
tells nobody who is registered (a family's membership is itself sensitive). At most three links an
hour per account; a link works once, and using it signs every device out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kintrace.services import auditing, users
from kintrace.services.access import actor_for
from kintrace.services.errors import ValidationFailed
from kintrace.store.models import PasswordReset, User, utcnow

VALID_FOR = dt.timedelta(hours=1)
PER_HOUR = 3


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(session: Session, email: str, *, now: dt.datetime | None = None) -> tuple[User, str] | None:
    """A new link's token for the active account with this e-mail; None when there is none (or when
    the account asked too often): the caller answers the same either way."""
    now = now or utcnow()
    address = email.strip().casefold()
    if not address:
        return None
    user = session.scalars(
        select(User).where(func.lower(User.email) == address, User.active.is_(True))
    ).first()
    if user is None:
        return None
    recent = session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at > now - dt.timedelta(hours=1)
        )
    )
    if (recent or 0) >= PER_HOUR:
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            token_sha256=_digest(token), user_id=user.id, created_at=now, expires_at=now + VALID_FOR
        )
    )
    session.flush()
    auditing.record(
        session, actor_for(user), "user.reset_requested", user, before={}, after={"reset": "sent"}
    )
    return user, token


def valid_reset(session: Session, token: str, *, now: dt.datetime | None = None) -> PasswordReset | None:
    now = now or utcnow()
    row = session.scalars(select(PasswordReset).where(PasswordReset.token_sha256 == _digest(token))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def reset_password(
    session: Session, token: str, new_password: str, *, now: dt.datetime | None = None
) -> User:
    """Set the new password through the link (checked for strength like any other); the link is spent."""
    row = valid_reset(session, token, now=now)
    if row is None:
        raise ValidationFailed("token", "this link has expired or was already used; ask for a new one")
    user = session.get_one(User, row.user_id)
    users.change_password(session, actor_for(user), user.id, new_password)
    row.used_at = now or utcnow()
    return user
