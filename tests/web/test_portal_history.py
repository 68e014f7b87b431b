"""The family reads how the status changed, in its language, with the rules' words (not their ids)."""

from __future__ import annotations

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up


def test_the_history_of_both_tracks_in_ukrainian(web_app: FastAPI) -> None:
    family = sign_up(web_app, "history")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    moved = worker.post(
        f"/desk/cases/{case_id}/official",
        data={"status": "reported_captured", "since_year": "2024", "reason": "Лист", "csrf_token": token},
    )
    assert moved.status_code == 303, moved.text
    page = family.get(f"/my/cases/{case_id}", headers={"accept-language": "uk"}).text
    history = page.split('class="history"')[1].split("</details>")[0]
    assert "Як змінювався статус" in history
    assert "Зниклий безвісти → <strong>Повідомлено про полон (ще не підтверджено)</strong>" in history
    assert "E1-" not in history and "E2-" not in history
