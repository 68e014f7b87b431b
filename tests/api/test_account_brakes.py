"""Brakes on accounts: weak passwords, mass sign-up, guessing by any identifier, spraying, forged
forwarding headers (issue 11, finding 10)."""

from __future__ import annotations

import dataclasses
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.factories import PASSWORD
from tests.web.conftest import build_app

from kintrace.domain.vocabulary import Role
from kintrace.http.throttle import SignUpThrottle

SAME_ORIGIN = {"origin": "http://127.0.0.1"}
STRONG = "quiet harbour lantern 7"


def _login(client: TestClient, login: str, password: str, **headers: str) -> int:
    response = client.post("/api/v1/auth/login", json={"email": login, "password": password}, headers=headers)
    return response.status_code


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[TestClient]:
    """The web pages with the brakes as shipped (the shared page fixtures loosen the sign-up one)."""
    app, _url = build_app(tmp_path)
    app.state.signup_throttle = SignUpThrottle()
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        yield client


def _sign_up(pages: TestClient, password: str, language: str = "en") -> Any:
    email = f"family-{secrets.token_hex(4)}@example.org"
    form = {"email": email, "display_name": "Olena", "password": password, "password_repeat": password}
    pages.cookies.set("kintrace_lang", language)
    return pages.post("/signup", data=form, headers=SAME_ORIGIN)


@pytest.mark.parametrize("weak", ["password", "12345678", "qwertyuiop", "iloveyou1", "olena2024"])
def test_sign_up_refuses_common_and_weak_passwords_in_the_readers_language(
    pages: TestClient, weak: str
) -> None:
    refused = _sign_up(pages, weak, language="uk")
    assert refused.status_code == 422
    assert "надто легко вгадати" in refused.text


def test_accounts_made_by_staff_refuse_weak_passwords_too(
    client: TestClient, make_user: Any, token_for: Any
) -> None:
    body = {
        "username": "new.worker",
        "display_name": "New Worker",
        "role": "caseworker",
        "password": "password1",
    }
    refused = client.post("/api/v1/users", json=body, headers=token_for(make_user(Role.ADMIN)))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    named = {**body, "password": "new.worker1"}  # the account's own name and a digit
    assert (
        client.post("/api/v1/users", json=named, headers=token_for(make_user(Role.ADMIN))).status_code == 422
    )


def test_sign_up_is_throttled_per_client(pages: TestClient) -> None:
    for _ in range(5):
        assert _sign_up(pages, STRONG).status_code == 303
    held = _sign_up(pages, STRONG)
    assert held.status_code == 429 and "Too many accounts" in held.text


def test_e_mail_and_user_name_share_one_count(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.FAMILY)
    for attempt in range(5):
        login = user.email if attempt % 2 else user.username
        assert _login(client, login, "wrong guess") == 401
    assert _login(client, user.email, PASSWORD) == 429
    assert _login(client, user.username, PASSWORD) == 429


def test_spraying_one_guess_over_many_accounts_is_throttled(client: TestClient, make_user: Any) -> None:
    victims = [make_user(Role.FAMILY) for _ in range(21)]
    for victim in victims[:20]:
        assert _login(client, victim.email, "Summer2024!") == 401
    assert _login(client, victims[20].email, "Summer2024!") == 429


def test_forwarded_addresses_count_only_when_configured(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    user = make_user(Role.FAMILY)
    for n in range(5):
        assert _login(client, user.email, "wrong guess", **{"X-Forwarded-For": f"203.0.113.{n}"}) == 401
    assert _login(client, user.email, PASSWORD, **{"X-Forwarded-For": "203.0.113.99"}) == 429
    # Behind a proxy that sets the header, each address it names has a count of its own.
    app.state.settings = dataclasses.replace(app.state.settings, trust_forwarded=True)
    other = make_user(Role.FAMILY)
    for _ in range(5):
        assert _login(client, other.email, "wrong guess", **{"X-Forwarded-For": "198.51.100.7"}) == 401
    assert _login(client, other.email, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"}) == 429
    assert _login(client, other.email, PASSWORD, **{"X-Forwarded-For": "forged, 198.51.100.8"}) == 200


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_kintrace_serve_ignores_a_rotating_forwarded_header_from_loopback(fresh_sqlite_url: str) -> None:
    """The server as `kintrace serve` runs it: uvicorn must not take X-Forwarded-For as the client."""
    kintrace = str(Path(sys.executable).with_name("kintrace"))
    env = {
        **os.environ,
        "KINTRACE_DATABASE_URL": fresh_sqlite_url,
        "KINTRACE_SECRET_KEY": secrets.token_urlsafe(48),
    }
    env.pop("KINTRACE_TRUST_FORWARDED", None)
    made = subprocess.run(
        [kintrace, "users", "add", "olena", "--role", "family", "--password", STRONG],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    port = _free_port()
    server = subprocess.Popen(
        [kintrace, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # a loaded CI machine starts it slowly
        while True:
            try:
                httpx.get(f"{base}/api/v1/openapi.json", timeout=10)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("kintrace serve did not start") from None
                time.sleep(0.2)
        answers = []
        for n in range(6):
            answer = httpx.post(
                f"{base}/api/v1/auth/login",
                json={"email": "olena", "password": "wrong guess"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
                timeout=60,
            )
            answers.append(answer.status_code)
        assert answers == [401] * 5 + [429]
    finally:
        server.terminate()
        server.wait(timeout=10)
