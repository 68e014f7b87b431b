"""A family's own account: e-mail, phone and language kept current, and the account deleted (issue 13)."""

from __future__ import annotations

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import PASSWORD, SAME_ORIGIN, client, csrf, file_case, sign_in, sign_up


def _settings(browser, **form: str):  # type: ignore[no-untyped-def]
    return browser.post("/account/settings", data={**form, "csrf_token": csrf(browser)}, headers=SAME_ORIGIN)


def test_a_family_changes_its_e_mail_phone_and_language_and_signs_in_with_the_new_address(
    web_app: FastAPI,
) -> None:
    family = sign_up(web_app, "halyna")
    page = family.get("/account")
    assert "How we reach you" in page.text and "API tokens" not in page.text
    saved = _settings(family, email="Halyna.New@Example.org", phone="+380 67 123 45 67", language="uk")
    assert saved.status_code == 303 and saved.headers["location"] == "/account?done=settings"
    assert family.cookies.get("kintrace_lang") == "uk"
    page = family.get("/account")
    assert "Мова сторінок і листів" in page.text  # the pages follow the account's language at once
    assert 'value="halyna.new@example.org"' in page.text and 'value="+380 67 123 45 67"' in page.text
    me = family.get("/api/v1/auth/me").json()
    assert (me["email"], me["phone"], me["language"]) == ("halyna.new@example.org", "+380 67 123 45 67", "uk")
    assert sign_in(web_app, "halyna.new@example.org", PASSWORD).get("/my").status_code == 200


def test_bad_settings_name_the_field_in_the_readers_language_and_change_nothing(web_app: FastAPI) -> None:
    family = sign_up(web_app, "oksana")
    family.cookies.set("kintrace_lang", "uk")
    bad_phone = _settings(family, email=family.get("/api/v1/auth/me").json()["email"], phone="call me")
    assert bad_phone.status_code == 422
    assert "Телефон" in bad_phone.text and "це не номер телефону" in bad_phone.text
    bad_email = _settings(family, email="not-an-address", phone="")
    assert bad_email.status_code == 422 and "це не адреса електронної пошти" in bad_email.text
    other = sign_up(web_app, "taken")
    taken = other.get("/api/v1/auth/me").json()["email"]
    assert _settings(family, email=taken).status_code == 422
    assert family.get("/api/v1/auth/me").json()["phone"] is None


def test_deleting_the_account_needs_the_password_ends_access_and_keeps_the_case(web_app: FastAPI) -> None:
    family = sign_up(web_app, "maria")
    login = family.get("/api/v1/auth/me").json()["email"]
    case_id = file_case(family, phone="+380501234567")
    assert "Delete my account" in family.get("/account/delete").text

    wrong = family.post(
        "/account/delete",
        data={"password": "not it", "confirm": "yes", "csrf_token": csrf(family)},
        headers=SAME_ORIGIN,
    )
    assert wrong.status_code == 422 and "this is not your current password" in wrong.text
    unconfirmed = family.post(
        "/account/delete", data={"password": PASSWORD, "csrf_token": csrf(family)}, headers=SAME_ORIGIN
    )
    assert unconfirmed.status_code == 422 and family.get("/my").status_code == 200

    deleted = family.post(
        "/account/delete",
        data={"password": PASSWORD, "confirm": "yes", "erase_contacts": "yes", "csrf_token": csrf(family)},
        headers=SAME_ORIGIN,
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/account/deleted"
    assert "Your account is deleted" in client(web_app).get("/account/deleted").text
    after = family.get("/my")
    assert after.status_code == 303 and after.headers["location"].startswith("/signin")
    refused = client(web_app).post(
        "/signin", data={"login": login, "password": PASSWORD}, headers=SAME_ORIGIN
    )
    assert refused.status_code != 303

    desk = sign_in(web_app, *CASEWORKER)
    case_page = desk.get(f"/desk/cases/{case_id}")
    assert case_page.status_code == 200 and "Коваленко" in case_page.text  # the search goes on
    assert "+380501234567" not in case_page.text  # the contact the family entered is erased
    users = desk.get(f"/api/v1/cases/{case_id}/members").json()
    assert users == [] or all(member.get("username") != login for member in users)


def test_the_api_changes_settings_and_deletes_only_with_the_password(web_app: FastAPI) -> None:
    family = sign_up(web_app, "ivanna")
    headers = {**SAME_ORIGIN, "x-csrf-token": csrf(family)}
    changed = family.patch("/api/v1/auth/me", json={"phone": "(067) 555-12-34"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["phone"] == "(067) 555-12-34"
    assert changed.json()["email"].startswith("ivanna-")  # a field left out keeps its value
    bad = family.patch("/api/v1/auth/me", json={"phone": "xyz"}, headers=headers)
    assert bad.status_code == 422 and "phone" in bad.text
    assert family.post("/api/v1/auth/me/delete", json={"password": "no"}, headers=headers).status_code == 422
    gone = family.post("/api/v1/auth/me/delete", json={"password": PASSWORD}, headers=headers)
    assert gone.status_code == 204
    assert family.get("/api/v1/auth/me").status_code == 401
