"""Signing out ends the session on the server; API tokens expire and can be revoked (issue 11, finding 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.factories import PASSWORD

from kintrace.domain.vocabulary import Role
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.models import ApiToken


def _login(client: TestClient, email: str) -> str:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def test_a_kept_copy_of_the_cookie_is_dead_after_logout(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.FAMILY)
    csrf = _login(client, user.email)
    kept = dict(client.cookies)
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    # Someone who copied the cookie before the sign-out (a shared phone) replays it.
    client.cookies.clear()
    for name, value in kept.items():
        client.cookies.set(name, value)
    assert client.get("/api/v1/auth/me").status_code == 401
    write = client.post("/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert write.status_code == 401
    # Another sign-in of the same account (another device) is a session of its own and keeps working.
    client.cookies.clear()
    _login(client, user.email)
    assert client.get("/api/v1/auth/me").status_code == 200


def test_a_new_token_expires_by_default_and_the_expiry_is_shown(
    client: TestClient, make_user: Any, token_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = token_for(make_user(Role.CASEWORKER))
    made = client.post("/api/v1/auth/tokens", json={"name": "scanner"}, headers=headers)
    assert made.status_code == 201, made.text
    expires = dt.datetime.fromisoformat(made.json()["expires_at"].replace("Z", "+00:00"))
    days = (expires - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    assert 89.9 < days <= 90
    short = client.post(
        "/api/v1/auth/tokens", json={"name": "one day", "expires_in_days": 1}, headers=headers
    )
    assert short.status_code == 201
    too_long = client.post(
        "/api/v1/auth/tokens", json={"name": "x", "expires_in_days": 100000}, headers=headers
    )
    assert too_long.status_code == 422
    monkeypatch.setenv("KINTRACE_TOKEN_DAYS", "7")
    week = client.post("/api/v1/auth/tokens", json={"name": "week"}, headers=headers).json()
    week_days = (
        dt.datetime.fromisoformat(week["expires_at"].replace("Z", "+00:00")) - dt.datetime.now(dt.UTC)
    ).days
    assert week_days == 6


def test_an_expired_token_is_refused(
    client: TestClient, make_user: Any, session: Session, connection: Any
) -> None:
    user = make_user(Role.CASEWORKER)
    session.flush()
    _row, token = user_service.create_api_token(session, SYSTEM, user.id, "old", days=1)
    session.flush()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    row = session.get_one(ApiToken, _row.id)
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.flush()
    refused = client.get("/api/v1/auth/me", headers=bearer)
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
