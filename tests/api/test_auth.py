"""Logging in, session cookies, CSRF, API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.factories import PASSWORD

from kintrace.domain.vocabulary import Role
from kintrace.http.server_settings import InsecureSecretKey
from kintrace.server.app import create_app

NEW_CASE = {"person": {"last_name": "Шевченко", "first_name": "Тарас", "patronymic": "Григорьевич"}}


def login(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_login_sets_a_hardened_session_cookie(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    response = login(client, user.email)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == user.username
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("kintrace_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie and "Secure" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("kintrace_csrf="))
    assert "HttpOnly" not in csrf_cookie
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["id"] == user.id


def test_login_by_username_works_too(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.FAMILY)
    assert login(client, user.username).status_code == 200


@pytest.mark.parametrize("which", ["wrong password", "unknown account"])
def test_failed_login_says_the_same_either_way(client: TestClient, make_user: Any, which: str) -> None:
    user = make_user(Role.CASEWORKER)
    email, password = (
        (user.email, "not the password") if which == "wrong password" else ("nobody@x.org", PASSWORD)
    )
    response = login(client, email, password)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The e-mail or password is wrong, or the account is disabled."
    assert "kintrace_session" not in response.headers.get("set-cookie", "")


def test_disabled_account_cannot_log_in(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER, active=False)
    assert login(client, user.email).status_code == 401


def test_repeated_failures_are_throttled(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    for _ in range(5):
        assert login(client, user.email, "guess").status_code == 401
    response = login(client, user.email)  # even the right password waits now
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_unsafe_cookie_request_without_csrf_token_is_refused(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    csrf = login(client, user.email).json()["csrf_token"]
    refused = client.post("/api/v1/cases", json=NEW_CASE)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:kintrace:problem:csrf-token-missing-or-wrong"
    wrong = client.post("/api/v1/cases", json=NEW_CASE, headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status_code == 403
    accepted = client.post("/api/v1/cases", json=NEW_CASE, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201, accepted.text


def test_csrf_token_is_accepted_from_an_html_form_field(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    csrf = login(client, user.email).json()["csrf_token"]
    assert client.post("/api/v1/auth/logout", data={"csrf_token": "nope"}).status_code == 403
    assert client.post("/api/v1/auth/logout", data={"csrf_token": csrf}).status_code == 204


def test_safe_requests_need_no_csrf_token(client: TestClient, make_user: Any) -> None:
    login(client, make_user(Role.CASEWORKER).email)
    assert client.get("/api/v1/cases").status_code == 200


def test_logout_ends_the_session(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    csrf = login(client, user.email).json()["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_forged_session_cookie_is_ignored(client: TestClient, make_user: Any) -> None:
    make_user(Role.ADMIN)
    client.cookies.set("kintrace_session", "eyJ1IjoxLCJjIjoiYSIsImYiOiJiIn0.forged.signature")
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_token_is_shown_once_and_authenticates_without_csrf(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.CASEWORKER)
    csrf = login(client, user.email).json()["csrf_token"]
    created = client.post("/api/v1/auth/tokens", json={"name": "scanner"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    listed = client.get("/api/v1/auth/tokens").json()
    assert [t["name"] for t in listed] == ["scanner"] and "token" not in listed[0]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["id"] == user.id
    assert client.post("/api/v1/cases", json=NEW_CASE, headers=bearer).status_code == 201


def test_revoked_or_malformed_token_is_refused(client: TestClient, make_user: Any, token_for: Any) -> None:
    user = make_user(Role.CASEWORKER)
    headers = token_for(user)
    token_id = client.get("/api/v1/auth/tokens", headers=headers).json()[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers).status_code == 204
    refused = client.get("/api/v1/auth/me", headers=headers)
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_password_change_ends_existing_sessions(client: TestClient, make_user: Any, token_for: Any) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user(Role.CASEWORKER)
    login(client, user.email)
    assert client.get("/api/v1/auth/me").status_code == 200
    changed = client.patch(
        f"/api/v1/users/{user.id}", json={"password": "a new long passphrase"}, headers=token_for(admin)
    )
    assert changed.status_code == 200, changed.text
    assert client.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("key", [None, "", "too-short", "changeme-changeme-changeme-changeme", "x" * 40])
def test_app_refuses_to_start_with_an_unfit_secret_key(key: str | None) -> None:
    with pytest.raises(InsecureSecretKey):
        create_app("sqlite://", key)


def test_demo_starts_without_a_key_and_its_cookies_work_over_http(database_url: str) -> None:
    app = create_app(database_url, None, demo=True)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        page = client.get("/")
        assert page.status_code == 200 and "synthetic" in page.text
    app.state.engine.dispose()
