"""The family's case page says what to do next and who handles the case, in the family's language."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

UK = {"accept-language": "uk"}


def test_next_steps_follow_the_case(web_app: FastAPI) -> None:
    family = sign_up(web_app, "kroky")
    case_id = file_case(family)
    page = family.get(f"/my/cases/{case_id}", headers=UK).text
    assert "Що ви можете зробити далі" in page and "Працівник справи перевірить ваше повідомлення" in page
    assert "Вашу справу ще ніхто не взяв." in page
    assert "Ніколи нікому не платіть" in page

    worker = sign_in(web_app, *CASEWORKER)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)})
    worker.post(f"/desk/cases/{case_id}/assign", data={"take": "1", "csrf_token": csrf(worker)})
    long_ago = (dt.date.today() - dt.timedelta(days=75)).isoformat()
    worker.post(
        f"/desk/cases/{case_id}/requests",
        data={
            "requested_status": "confirmed_captured",
            "authority": "Міністерство оборони України",
            "submitted_on": long_ago,
            "csrf_token": csrf(worker),
        },
    )
    worker.post(
        "/desk/appeals",
        data={
            "title": "Спільне звернення",
            "authority": "Штаб",
            "demand": "active_search",
            "csrf_token": csrf(worker),
        },
    )
    page = family.get(f"/my/cases/{case_id}", headers=UK).text
    assert "Вашу справу веде Worker." in page
    assert "Звернення до: Міністерство оборони України — 45 днів після строку." in page
    assert "Найстаріший запит до органів влади чекає на відповідь 75 днів." in page
    assert 'href="/my/appeals"' in page and "Переглянути звернення" in page
    assert "Працівник справи перевірить ваше повідомлення" not in page  # verified now


def test_the_filing_form_asks_how_to_recognise_them(web_app: FastAPI) -> None:
    family = sign_up(web_app, "prykmety")
    form = family.get("/my/file", headers=UK).text
    assert "Як їх упізнати" in form and 'name="dental_notes"' in form
    bad = family.post(
        "/my/file",
        data={
            "last_name": "Ткач",
            "first_name": "Іван",
            "relationship": "мати",
            "height_cm": "17",
            "csrf_token": csrf(family),
        },
    )
    assert bad.status_code == 422 and 'id="height_cm-error"' in bad.text
    case_id = file_case(
        family,
        height_cm="182",
        distinguishing_marks="Татуювання якоря на лівому передпліччі",
        dental_notes="Коронка на верхньому лівому іклі",
    )
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get(f"/desk/cases/{case_id}").text
    assert (
        "182" in page and "Татуювання якоря на лівому передпліччі" in page and "Коронка на верхньому" in page
    )


def test_a_familys_account_page_has_no_api_tokens(web_app: FastAPI) -> None:
    family = sign_up(web_app, "bez-tokeniv")
    assert "Create a token" not in family.get("/account").text
    worker = sign_in(web_app, *CASEWORKER)
    assert "Create a token" in worker.get("/account").text


def test_a_form_error_names_the_field_as_the_reader_saw_it(web_app: FastAPI) -> None:
    family = sign_up(web_app, "pomylka")
    bad = family.post(
        "/my/file",
        data={
            "last_name": "Ткач",
            "first_name": "Іван",
            "relationship": "мати",
            "height_cm": "17",
            "csrf_token": csrf(family),
        },
        headers=UK,
    )
    summary = bad.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Зріст, см:" in summary and "height_cm" not in summary


def test_a_call_sign_is_filed_shown_and_corrected_on_both_doors(web_app: FastAPI) -> None:
    family = sign_up(web_app, "pozyvnyi")
    form = family.get("/my/file", headers=UK).text
    assert 'name="call_sign"' in form and "Позивний (як його називали в підрозділі), якщо є" in form
    too_long = family.post(
        "/my/file",
        data={
            "last_name": "Ткач",
            "first_name": "Іван",
            "relationship": "мати",
            "phone": "+380501112233",
            "call_sign": "С" * 101,
            "csrf_token": csrf(family),
        },
    )
    assert too_long.status_code == 422 and 'id="call_sign-error"' in too_long.text
    case_id = file_case(family, call_sign="Сокіл")
    assert "Позивний: «Сокіл»" in family.get(f"/my/cases/{case_id}", headers=UK).text
    worker = sign_in(web_app, *CASEWORKER)
    desk_page = worker.get(f"/desk/cases/{case_id}", headers=UK).text
    assert "<dt>Позивний</dt><dd>«Сокіл»</dd>" in desk_page
    edit = worker.get(f"/desk/cases/{case_id}/person").text
    assert 'name="call_sign" value="Сокіл"' in edit
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]* value="([^"]*)"', edit))
    saved = worker.post(
        f"/desk/cases/{case_id}/person",
        data={**fields, "call_sign": "Грім", "csrf_token": csrf(worker)},
    )
    assert saved.status_code == 303, saved.text
    assert "Позивний: «Грім»" in family.get(f"/my/cases/{case_id}", headers=UK).text
    # The family may correct its report until it is verified: its form carries the call sign too.
    assert 'name="call_sign" value="Грім"' in family.get(f"/my/cases/{case_id}/person").text
    assert 'name="call_sign"' in worker.get("/desk/file").text
