"""Collective appeals on the pages: the desk drafts and sends, a family joins in Ukrainian and leaves."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import SAME_ORIGIN, csrf, file_case, sign_in, sign_up

UK = {"accept-language": "uk"}


def _draft(worker, title: str) -> int:
    form = {
        "title": title,
        "authority": "Міністерство оборони України",
        "demand": "status_change",
        "language": "uk",
        "answer_days": "30",
        "text": "Просимо...",
        "csrf_token": csrf(worker),
    }
    made = worker.post("/desk/appeals", data=form, headers=SAME_ORIGIN)
    assert made.status_code == 303, made.text
    match = re.fullmatch(r"/desk/appeals/(\d+)", made.headers["location"])
    assert match
    return int(match.group(1))


def test_a_family_joins_in_ukrainian_and_the_desk_sends(web_app: FastAPI) -> None:
    family = sign_up(web_app, "olena")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    assert worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)}).status_code == 303
    appeal_id = _draft(worker, "Звернення щодо статусу")
    page = family.get("/my/appeals", headers=UK)
    assert (
        page.status_code == 200
        and "Приєднатися до звернення" in page.text
        and "Звернення щодо статусу" in page.text
    )
    join = {"case_id": str(case_id), "signatory": "Олена Коваль", "csrf_token": csrf(family)}
    without = family.post(f"/my/appeals/{appeal_id}/join", data=join, headers=UK)
    assert without.status_code == 422 and "consent" in without.text
    joined = family.post(f"/my/appeals/{appeal_id}/join", data={**join, "consent": "yes"}, headers=UK)
    assert joined.status_code == 303
    mine = family.get("/my/appeals", headers=UK).text
    assert "Олена Коваль" in mine and "Вийти зі звернення" in mine
    desk = worker.get(f"/desk/appeals/{appeal_id}")
    assert "Олена Коваль" in desk.text and "in the portal" in desk.text
    letter = worker.get(f"/desk/appeals/{appeal_id}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    today = dt.date.today().isoformat()
    sent = worker.post(
        f"/desk/appeals/{appeal_id}/send",
        data={"sent_on": today, "channel": "пошта", "csrf_token": csrf(worker)},
    )
    assert sent.status_code == 303
    after = family.get("/my/appeals", headers=UK).text
    assert "Надіслано" in after and "Вийти зі звернення" not in after
    left = family.post(
        f"/my/appeals/{appeal_id}/leave", data={"case_id": str(case_id), "csrf_token": csrf(family)}
    )
    assert left.status_code == 422  # sent: the signatories are fixed
    # The answer, then what came of it for her case.
    worker.post(
        f"/desk/appeals/{appeal_id}/answer",
        data={"received_on": today, "answer_text": "Статус змінено", "csrf_token": csrf(worker)},
    )
    worker.post(
        f"/desk/appeals/{appeal_id}/outcome",
        data={"case_id": str(case_id), "outcome": "granted", "csrf_token": csrf(worker)},
    )
    final = family.get("/my/appeals", headers=UK).text
    assert "Статус змінено" in final and "Результат:" in final


def test_the_desk_form_names_the_field_and_families_stay_out(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    bad = worker.post(
        "/desk/appeals",
        data={"title": "X", "authority": "", "demand": "status_change", "csrf_token": csrf(worker)},
    )
    assert bad.status_code == 422 and 'id="authority-error"' in bad.text
    family = sign_up(web_app, "iryna")
    assert family.get("/desk/appeals").headers["location"] == "/my"
    appeal_id = _draft(worker, "Інше звернення")
    add = worker.post(
        f"/desk/appeals/{appeal_id}/add",
        data={
            "case_reference": "NO-SUCH",
            "signatory": "X",
            "consent_on": "2026-01-01",
            "csrf_token": csrf(worker),
        },
    )
    assert add.status_code == 422 and 'id="case_reference-error"' in add.text


def test_from_one_authoritys_overdue_list_to_an_appeal(web_app: FastAPI) -> None:
    family = sign_up(web_app, "overdue")
    case_id = file_case(family, last_name="Гнатюк")
    worker = sign_in(web_app, *CASEWORKER)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)})
    long_ago = (dt.date.today() - dt.timedelta(days=90)).isoformat()
    for authority in ("Служба безпеки України", "Національна поліція України"):
        sent = worker.post(
            f"/desk/cases/{case_id}/requests",
            data={
                "requested_status": "confirmed_captured",
                "authority": authority,
                "submitted_on": long_ago,
                "csrf_token": csrf(worker),
            },
        )
        assert sent.status_code == 303, sent.text
    page = worker.get("/desk/overdue", params={"authority": "Служба безпеки України"})
    assert page.status_code == 200 and "Гнатюк" in page.text and "Write an appeal from these" in page.text
    table = worker.get("/desk/overdue.csv", params={"authority": "Служба безпеки України"})
    rows = table.text.splitlines()
    assert rows[0].startswith("case,last_name") and len(rows) == 2 and "Гнатюк" in rows[1]
    assert "Національна поліція України" not in table.text
    drafted = worker.post(
        "/desk/appeals/from-overdue", data={"authority": "Служба безпеки України", "csrf_token": csrf(worker)}
    )
    assert drafted.status_code == 303
    appeal = worker.get(drafted.headers["location"].split("#")[0])
    assert "Cases with overdue requests to this authority" in appeal.text and "Гнатюк" in appeal.text
    assert "An answer to the requests already made" in appeal.text
