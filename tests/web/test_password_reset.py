"""Forgot password: a one-time link by e-mail through a real local SMTP server, the same answer for
every address, and a new password checked like any other."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from tests.services.test_notifications import smtp_server  # noqa: F401  (the real SMTP server fixture)
from tests.web.test_pages import PASSWORD, SAME_ORIGIN, client, sign_in, sign_up

UK = {"accept-language": "uk", **SAME_ORIGIN}
NEW = "lantern harbour quietly 58"


def test_a_family_sets_a_new_password_through_the_link(
    web_app: FastAPI,
    smtp_server: Any,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, port, inbox = smtp_server
    monkeypatch.setenv("KINTRACE_SMTP_URL", f"smtp://{host}:{port}")
    family = sign_up(web_app, "zabula")
    email = re.search(r"[\w.-]+@example\.org", family.get("/account").text)
    assert email is not None
    anonymous = client(web_app)
    assert "Забули пароль?" in anonymous.get("/signin", headers=UK).text
    asked = anonymous.post("/forgot", data={"email": email.group(0).upper()}, headers=UK)
    stranger = anonymous.post("/forgot", data={"email": "nobody@example.org"}, headers=UK)
    # The same words for a registered address and an unknown one; one e-mail, to the account.
    assert asked.status_code == stranger.status_code == 200
    assert "Якщо обліковий запис має цю адресу" in asked.text and asked.text == stranger.text
    assert [m["To"] for m in inbox.messages] == [email.group(0)]
    link = re.search(r"/reset\?token=([\w-]+)", inbox.messages[0].get_payload(decode=True).decode())
    assert link is not None
    token = link.group(1)
    weak = anonymous.post(
        "/reset",
        data={"token": token, "new_password": "password", "new_password_repeat": "password"},
        headers=UK,
    )
    assert weak.status_code == 422 and 'id="new_password-error"' in weak.text
    done = anonymous.post(
        "/reset", data={"token": token, "new_password": NEW, "new_password_repeat": NEW}, headers=UK
    )
    assert done.status_code == 303 and done.headers["location"] == "/signin?reset=1"
    assert family.get("/my").status_code == 303  # every device was signed out
    sign_in(web_app, email.group(0), NEW)
    again = anonymous.post(
        "/reset",
        data={"token": token, "new_password": NEW + "x", "new_password_repeat": NEW + "x"},
        headers=UK,
    )
    assert again.status_code == 422 and "Попросити нове" in again.text  # a link works once
    old = client(web_app).post(
        "/signin", data={"login": email.group(0), "password": PASSWORD}, headers=SAME_ORIGIN
    )
    assert old.status_code == 401


def test_without_a_mail_server_the_page_says_whom_to_ask(
    web_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KINTRACE_SMTP_URL", raising=False)
    page = client(web_app).get("/forgot", headers=UK)
    assert "Відновлення пароля електронною поштою тут не налаштовано" in page.text
