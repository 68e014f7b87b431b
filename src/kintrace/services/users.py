"""Accounts: argon2 password hashes, roles, and API tokens kept only as their SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from kintrace import settings
from kintrace.domain.vocabulary import Role
from kintrace.services import auditing, logins
from kintrace.services.access import Actor, actor_for, require_role
from kintrace.services.errors import Conflict, NotFound, ValidationFailed
from kintrace.store.models import ApiToken, User, utcnow

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "kt_"
# API tokens expire: a leaked one is useful for a bounded time. KINTRACE_TOKEN_DAYS changes the default.
TOKEN_DAYS_ENV = "KINTRACE_TOKEN_DAYS"
MAX_TOKEN_DAYS = 3650
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_hasher = PasswordHasher()
# Hashed once so a login for an unknown name costs as much as one for a known name.
_DUMMY_HASH = _hasher.hash("kintrace-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# zxcvbn's score 0-4 estimates guesses needed; 3 resists an offline attack on a slow hash like argon2.
MIN_PASSWORD_SCORE = 3
# Fixed texts, so that the web pages can translate them (kintrace.web.labels lists them).
PASSWORD_TOO_SHORT = "must be at least 8 characters"
PASSWORD_TOO_WEAK = (
    "is too easy to guess (a common password, a word, a name, a date or a keyboard pattern); "
    "a phrase of several unrelated words is strong and easy to remember"
)


def _check_password(password: str, *personal: str | None) -> None:
    """Refuse short passwords and those a strength estimator (zxcvbn) finds guessable, the account's
    own name and e-mail counted as known to an attacker."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("password", PASSWORD_TOO_SHORT)
    known = [part for value in personal if value for part in [*re.split(r"[@.\s_-]+", value), value] if part]
    # zxcvbn's cost grows with the length; the first 100 characters decide whether it is guessable.
    if zxcvbn(password[:100], user_inputs=known)["score"] < MIN_PASSWORD_SCORE:
        raise ValidationFailed("password", PASSWORD_TOO_WEAK)


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    require_role(actor, Role.ADMIN, action="create accounts")
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValidationFailed(
            "username", f"{username!r} must be 2-64 characters of a-z, 0-9, '.', '_', '@', '-'"
        )
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed("role", f"{role!r} is not one of {', '.join(Role)}") from None
    _check_password(password, username, email, display_name)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken")
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        email=email,
        role=role,
        password_hash=hash_password(password),
        active=True,
    )
    session.add(user)
    auditing.record(session, actor, "user.create", user)
    return user


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    if actor.user_id != user_id:
        require_role(actor, Role.ADMIN, action="read other accounts")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def username_for_login(session: Session, login: str) -> str:
    """Accounts log in by e-mail; a username is accepted too. Unknown logins pass through unchanged."""
    if get_user_by_username(session, login) is not None or "@" not in login:
        return login
    found = session.scalars(select(User.username).where(func.lower(User.email) == login.lower())).all()
    # Two accounts sharing an address cannot be told apart by it; they must use their usernames.
    return found[0] if len(found) == 1 else login


def list_users(session: Session, actor: Actor, role: Role | None = None) -> list[User]:
    require_role(actor, Role.ADMIN, action="list accounts")
    query = select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == role)
    return list(session.scalars(query))


def update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    role: Role | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    require_role(actor, Role.ADMIN, action="change accounts")
    user = get_user(session, actor, user_id)
    before = auditing.snapshot(user)
    if role is not None:
        user.role = Role(role)
    if active is not None:
        if not active and actor.user_id == user.id:
            raise Conflict("an admin cannot deactivate their own account")
        user.active = active
    if display_name is not None:
        user.display_name = display_name.strip()
    if email is not None:
        user.email = email or None
    auditing.record(session, actor, "user.update", user, before=before)
    return user


def change_password(session: Session, actor: Actor, user_id: int, new_password: str) -> None:
    if actor.user_id != user_id:
        require_role(actor, Role.ADMIN, action="set other people's passwords")
    user = get_user(session, actor, user_id)
    _check_password(new_password, user.username, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    logins.close_all(session, user.id)  # every signed-in device must sign in again
    # The audit row says that the password changed, never what to.
    auditing.record(session, actor, "user.password", user, before={}, after={"password": "changed"})


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost either way)."""
    user = get_user_by_username(session, username)
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        # Stronger parameters since the hash was made: upgrade it while the password is at hand.
        user.password_hash = hash_password(password)
        auditing.record(
            session, actor_for(user), "user.rehash", user, before={}, after={"password": "rehashed"}
        )
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def default_token_days() -> int:
    """The lifetime of a new API token in days: KINTRACE_TOKEN_DAYS, else 90."""
    return _checked_days(settings.current().token_days, TOKEN_DAYS_ENV)


def _checked_days(days: int, field: str) -> int:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationFailed(field, f"must be between 1 and {MAX_TOKEN_DAYS} days, not {days}")
    return days


def create_api_token(
    session: Session, actor: Actor, user_id: int, name: str, *, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new bearer token valid for `days` (default: default_token_days()): returns the row and the
    token text, which is never stored or shown again."""
    if actor.user_id != user_id:
        require_role(actor, Role.ADMIN, action="create tokens for others")
    user = get_user(session, actor, user_id)
    if not name.strip():
        raise ValidationFailed("name", "must not be empty")
    lifetime = default_token_days() if days is None else _checked_days(days, "expires_in_days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_sha256=token_digest(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=lifetime),
    )
    session.add(row)
    auditing.record(session, actor, "token.create", row)
    return row, token


def list_api_tokens(session: Session, actor: Actor, user_id: int) -> list[ApiToken]:
    get_user(session, actor, user_id)
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token", token_id)
    if actor.user_id != row.user_id and actor.role is not Role.ADMIN:
        raise NotFound("token", token_id)
    if row.revoked_at is None:
        before = auditing.snapshot(row)
        row.revoked_at = utcnow()
        auditing.record(session, actor, "token.revoke", row, before=before)
    return row


def authenticate_token(session: Session, token: str) -> User | None:
    """The active owner of an unrevoked, unexpired token, else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active or token_expired(row):
        return None
    return row.user


def token_expired(row: ApiToken, now: dt.datetime | None = None) -> bool:
    if row.expires_at is None:
        return False
    expires = row.expires_at
    # SQLite hands timestamps back without their offset; they were written in UTC.
    expires = expires if expires.tzinfo is not None else expires.replace(tzinfo=dt.UTC)
    return expires <= (now or utcnow())
