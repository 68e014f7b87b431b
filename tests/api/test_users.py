"""Accounts through the API: administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kintrace.domain.vocabulary import Role


def test_admin_creates_updates_and_lists_users(client: TestClient, make_user: Any, token_for: Any) -> None:
    headers = token_for(make_user(Role.ADMIN))
    created = client.post(
        "/api/v1/users",
        json={
            "username": "o.petrenko",
            "display_name": "Олена Петренко",
            "role": "family",
            "password": "довгий пароль",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["role"] == "family" and "password" not in user and "password_hash" not in user
    duplicate = client.post(
        "/api/v1/users",
        json={"username": "o.petrenko", "display_name": "X", "role": "family", "password": "довгий пароль"},
        headers=headers,
    )
    assert duplicate.status_code == 409
    short = client.post(
        "/api/v1/users",
        json={"username": "x.y", "display_name": "X", "role": "family", "password": "abc"},
        headers=headers,
    )
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "password"
    changed = client.patch(f"/api/v1/users/{user['id']}", json={"active": False}, headers=headers)
    assert changed.status_code == 200 and changed.json()["active"] is False
    listed = client.get("/api/v1/users?role=family", headers=headers).json()
    assert [u["username"] for u in listed] == ["o.petrenko"]
    login = client.post("/api/v1/auth/login", json={"email": "o.petrenko", "password": "довгий пароль"})
    assert login.status_code == 401  # deactivated


@pytest.mark.parametrize("role", [Role.FAMILY, Role.CASEWORKER, Role.ANALYST])
def test_only_admins_manage_users(client: TestClient, make_user: Any, token_for: Any, role: Role) -> None:
    headers = token_for(make_user(role))
    assert client.get("/api/v1/users", headers=headers).status_code == 403
    body = {"username": "sneaky", "display_name": "S", "role": "admin", "password": "long enough pass"}
    assert client.post("/api/v1/users", json=body, headers=headers).status_code == 403


def test_cross_site_login_is_refused(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    body = {"email": user.email, "password": "correct horse battery staple"}
    assert (
        client.post("/api/v1/auth/login", json=body, headers={"Origin": "https://evil.example"}).status_code
        == 403
    )
    assert (
        client.post("/api/v1/auth/login", json=body, headers={"Origin": "https://testserver"}).status_code
        == 200
    )
