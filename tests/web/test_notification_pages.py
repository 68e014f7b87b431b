"""The portal's notification settings and "what's new", through FastAPI's TestClient."""

from __future__ import annotations

import re

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up


def _evidence(token: str, **changes: str) -> dict[str, str]:
    form = {
        "claim": "seen_at_place",
        "event_year": "2024",
        "place": "Бахмут",
        "source_name": "ICRC",
        "source_kind": "humanitarian_organisation",
        "reliability": "B",
        "credibility": "2",
        "visibility": "family",
        "csrf_token": token,
    }
    form.update(changes)
    return form


def test_whats_new_tells_the_family_of_shown_items_only_and_marks_them_read(web_app: FastAPI) -> None:
    family = sign_up(web_app, "maria")
    case_id = file_case(family)
    other = sign_up(web_app, "sofia")
    file_case(other, last_name="Петренко")
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    internal = _evidence(token, visibility="internal", source_name="Secret informant", place="Горлівка")
    assert worker.post(f"/desk/cases/{case_id}/evidence", data=internal).status_code == 303
    assert worker.post(f"/desk/cases/{case_id}/evidence", data=_evidence(token)).status_code == 303

    news = family.get("/my/news").text
    assert "new information was added: Seen at a place" in news
    assert "Secret informant" not in news and "Горлівка" not in news
    assert news.count('class="unread"') >= 1
    assert "new message" in family.get("/my").text
    assert "Nothing new on your cases yet" in other.get("/my/news").text

    in_ukrainian = family.get("/my/news", headers={"accept-language": "uk"}).text
    assert "додано нові відомості" in in_ukrainian and "new information was added" not in in_ukrainian

    note_id = re.search(r'name="notification_id" value="(\d+)"', news).group(1)
    assert (
        other.post("/my/news/read", data={"notification_id": note_id, "csrf_token": csrf(other)}).status_code
        == 404
    )
    assert family.post("/my/news/read", data={"csrf_token": csrf(family)}).status_code == 303
    assert 'class="unread"' not in family.get("/my/news").text


def test_settings_per_case_and_for_all_cases(web_app: FastAPI) -> None:
    family = sign_up(web_app, "halyna")
    case_id = file_case(family)
    token = csrf(family)
    page = family.get("/my/notifications").text
    assert 'name="new_item" value="portal" checked' in page
    everywhere = {"scope": "all", "csrf_token": token, "new_item": "email", "status_changed": "email"}
    saved = family.post("/my/notifications", data=everywhere)
    assert saved.status_code == 303 and saved.headers["location"] == "/my/notifications?saved=1"
    assert 'name="new_item" value="email" checked' in family.get("/my/notifications").text

    assert f'href="/my/notifications?case={case_id}"' in family.get(f"/my/cases/{case_id}").text
    case_page = family.get(f"/my/notifications?case={case_id}").text
    assert 'name="new_item" value="inherit" checked' in case_page
    quiet = {"scope": str(case_id), "csrf_token": token, "new_item": "off"}
    assert family.post("/my/notifications", data=quiet).status_code == 303
    case_page = family.get(f"/my/notifications?case={case_id}").text
    assert 'name="new_item" value="off" checked' in case_page
    assert 'name="status_changed" value="inherit" checked' in case_page

    worker = sign_in(web_app, *CASEWORKER)
    wtoken = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": wtoken})
    worker.post(f"/desk/cases/{case_id}/evidence", data=_evidence(wtoken))
    assert "new information was added" not in family.get("/my/news").text  # "off" on this case

    bad = family.post("/my/notifications", data={"scope": "all", "csrf_token": token, "new_item": "pigeon"})
    assert bad.status_code == 422 and 'id="new_item-error"' in bad.text
    stranger = sign_up(web_app, "taras")
    assert stranger.get(f"/my/notifications?case={case_id}").status_code == 404
    forged = {"scope": str(case_id), "csrf_token": csrf(stranger), "new_item": "email"}
    assert stranger.post("/my/notifications", data=forged).status_code == 404
    assert worker.get("/my/notifications").headers["location"] == "/desk"
