"""Sign-in sessions kept on the server, so that signing out ends a session for real.

The signed cookie (kintrace.http.sessions) carries a random key; here only its SHA-256 is kept, with the
account, an expiry and, once signed out, the moment it was revoked. A cookie whose key is unknown,
revoked or expired is not a session, whatever its signature says: a shared phone's old cookie stops
working the moment the family signs out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kintrace.store.models import LoginSession, utcnow


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without their offset; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def open_session(session: Session, user_id: int, max_age_s: int) -> str:
    """Start a session for the account; returns the key for the cookie (never stored as such)."""
    now = utcnow()
    # Forget this account's sessions that ended long enough ago to be of no use to anyone.
    session.execute(
        delete(LoginSession).where(LoginSession.user_id == user_id, LoginSession.expires_at < now)
    )
    key = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            key_sha256=_digest(key),
            user_id=user_id,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=max_age_s),
        )
    )
    session.flush()
    return key


def is_open(session: Session, user_id: int, key: str) -> bool:
    """Whether the key names an unrevoked, unexpired session of this account."""
    row = session.scalar(select(LoginSession).where(LoginSession.key_sha256 == _digest(key)))
    return (
        row is not None
        and row.user_id == user_id
        and row.revoked_at is None
        and _aware(row.expires_at) > utcnow()
    )


def close_session(session: Session, key: str) -> None:
    """Sign out: the session's cookie no longer works, even if someone kept a copy."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.key_sha256 == _digest(key), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def close_all(session: Session, user_id: int) -> None:
    """End every session of the account (its password changed, or it was disabled)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
