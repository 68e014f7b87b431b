"""Signing out on the web ends the session on the server (issue 11, finding 3)."""

from __future__ import annotations

from fastapi import FastAPI
from tests.web.test_pages import SAME_ORIGIN, client, sign_up


def test_after_sign_out_a_kept_copy_of_the_cookie_leads_to_sign_in(web_app: FastAPI) -> None:
    family = sign_up(web_app, "shared-phone")
    assert family.get("/my").status_code == 200
    kept = dict(family.cookies)
    token = kept["kintrace_csrf"]
    assert family.post("/signout", data={"csrf_token": token}, headers=SAME_ORIGIN).status_code == 303
    replay = client(web_app)
    for name, value in kept.items():
        replay.cookies.set(name, value)
    page = replay.get("/my")
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    write = replay.post("/my/file", data={"csrf_token": token})
    assert write.status_code == 303 and write.headers["location"].startswith("/signin")
