"""Signed session cookies and CSRF tokens.

The session cookie carries only the user id, a CSRF token, a fingerprint of the user's password
hash and the key of a server-side session (services/logins.py), signed and time-stamped with the
secret key (itsdangerous), so it cannot be forged or replayed past its age; it stops working when
the password changes and when the user signs out (the server-side session is revoked). It is HttpOnly and
SameSite=Lax, and Secure everywhere except the demo and plain-HTTP loopback development.

CSRF: a browser sends the cookie with any request to us, even one a hostile page triggers. So every
cookie-authenticated unsafe request must also present the session's CSRF token, in the X-CSRF-Token
header (scripts read it from the non-HttpOnly `kintrace_csrf` cookie or the login response) or in
the `csrf_token` field of an HTML form. The token also sits inside the signed session, so an attacker
who can plant cookies (a sibling subdomain) still cannot make a matching pair.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from kintrace.http.server_settings import ServerSettings
from kintrace.services import logins

SESSION_COOKIE = "kintrace_session"
CSRF_COOKIE = "kintrace_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass(frozen=True)
class SessionData:
    user_id: int
    csrf_token: str
    fingerprint: str
    key: str


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: changing the password invalidates old sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _serializer(settings: ServerSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="kintrace.session")


def read_session(request: Request, settings: ServerSettings) -> SessionData | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(settings).loads(raw, max_age=settings.session_max_age_s)
    except BadSignature:  # also covers SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    user_id, csrf, fingerprint, key = data.get("u"), data.get("c"), data.get("f"), data.get("s")
    if not isinstance(user_id, int) or not all(isinstance(v, str) for v in (csrf, fingerprint, key)):
        return None
    return SessionData(user_id, str(csrf), str(fingerprint), str(key))


def live_session(request: Request, settings: ServerSettings, db: Session) -> SessionData | None:
    """The request's session if its cookie is genuine and the server has not ended it (signed out)."""
    data = read_session(request, settings)
    if data is None or not logins.is_open(db, data.user_id, data.key):
        return None
    return data


def csrf_token_for(request: Request) -> str | None:
    """The CSRF token of the request's session, for server-rendered forms to embed as `csrf_token`."""
    data = read_session(request, request.app.state.settings)
    return None if data is None else data.csrf_token


def cookies_secure(request: Request, settings: ServerSettings) -> bool:
    if settings.demo:
        return False
    return not (request.url.scheme == "http" and request.url.hostname in _LOOPBACK)


def start_session(
    request: Request,
    response: Response,
    settings: ServerSettings,
    db: Session,
    user_id: int,
    password_hash: str,
) -> str:
    """Open a server-side session, set the session and CSRF cookies; return the CSRF token to echo back."""
    csrf = secrets.token_urlsafe(32)
    key = logins.open_session(db, user_id, settings.session_max_age_s)
    payload = {"u": user_id, "c": csrf, "f": password_fingerprint(password_hash), "s": key}
    secure = cookies_secure(request, settings)
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(settings).dumps(payload),
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    # Readable by the page's own scripts on purpose: that is how they learn the token to echo.
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=settings.session_max_age_s,
        httponly=False,
        samesite="lax",
        secure=secure,
        path="/",
    )
    return csrf


def end_session(request: Request, response: Response, settings: ServerSettings, db: Session) -> None:
    """Sign out: revoke the server-side session (a kept copy of its cookie stops working), drop cookies."""
    data = read_session(request, settings)
    if data is not None:
        logins.close_session(db, data.key)
    secure = cookies_secure(request, settings)
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=httponly, samesite="lax")


async def presented_csrf_token(request: Request) -> str | None:
    """The token from the header, else from an HTML form body (which Starlette caches for the handler)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FORM_FIELD)
        if isinstance(value, str):
            return value
    return None


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another origin (no Origin header: an API client)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host")
    return host is not None and urlsplit(origin).netloc == host


def csrf_matches(expected: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(expected.encode(), presented.encode())
