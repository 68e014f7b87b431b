"""A collective appeal in a real Chromium: families join in Ukrainian and Russian, the caseworker makes
the letter and records it sent, and the answer reaches each family."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.web.conftest import CASEWORKER, Visits
from tests.web.test_browser_flows import file_case, sign_in, sign_up

pytestmark = pytest.mark.browser


def _switch(page: Page, language: str) -> None:
    page.locator("#language").select_option(language)
    page.locator("form.lang button").click()


def test_families_join_in_ukrainian_and_russian_and_the_answer_reaches_them(
    visits: Visits, open_context: Any
) -> None:
    base = visits.base
    families: list[tuple[Page, str]] = []
    for name, language in (("Olena", "uk"), ("Natalia", "ru")):
        page = open_context().context.new_page()
        sign_up(page, base, name)
        case_id = file_case(page, base).rsplit("/", 1)[1]
        families.append((page, case_id))
        _switch(page, language)

    desk = open_context().context.new_page()
    sign_in(desk, base, *CASEWORKER)
    for _, case_id in families:
        desk.goto(f"{base}/desk/cases/{case_id}")
        desk.get_by_role("button", name="Verify this case").click()
    desk.goto(f"{base}/desk/appeals")
    desk.get_by_label("Title").fill("Звернення родин про статус")
    desk.get_by_label("Authority (as it is officially named)").fill("Міністерство оборони України")
    desk.get_by_label("What it asks for").select_option("status_change")
    desk.get_by_role("button", name="Create the appeal").click()
    expect(desk).to_have_url(re.compile(r"/desk/appeals/\d+$"))
    appeal_url = desk.url

    (olena, _), (natalia, _) = families
    olena.goto(f"{base}/my/appeals")
    expect(olena.locator("h1")).to_have_text("Звернення разом з іншими родинами")
    olena.get_by_label("Ваше ім'я, як воно має бути в листі").fill("Олена Шевченко")
    olena.get_by_label("Я погоджуюся", exact=False).check()
    olena.get_by_role("button", name="Приєднатися до звернення").click()
    expect(olena.locator("body")).to_contain_text("підписав(ла) Олена Шевченко")

    natalia.goto(f"{base}/my/appeals")
    expect(natalia.locator("h1")).to_have_text("Обращения вместе с другими семьями")
    expect(natalia.locator("body")).to_contain_text("Присоединилась 1 семья")
    expect(natalia.locator("body")).not_to_contain_text("Олена Шевченко")  # another family's name
    natalia.get_by_label("Ваше имя, как оно должно быть в письме").fill("Наталья Шевченко")
    natalia.get_by_label("Я согласен(на)", exact=False).check()
    natalia.get_by_role("button", name="Присоединиться к обращению").click()
    expect(natalia.locator("body")).to_contain_text("подписал(а) Наталья Шевченко")

    desk.goto(appeal_url)
    expect(desk.locator("body")).to_contain_text("Олена Шевченко")
    expect(desk.locator("body")).to_contain_text("Наталья Шевченко")
    with desk.expect_download() as download:
        desk.get_by_role("link", name="The letter (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    today = dt.date.today().isoformat()
    desk.get_by_label("How (post, e-mail, in person)").fill("пошта")
    desk.get_by_role("button", name="Mark as sent").click()
    expect(desk.locator("body")).to_contain_text("SHA-256 of the letter sent")
    desk.get_by_label("What the authority answered").fill("Статус змінено для обох")
    desk.locator("#received_on").fill(today)
    desk.get_by_role("button", name="Record the answer").click()
    for form in desk.locator("form[action$='/outcome']").all():
        form.locator("select").select_option("granted")
        form.get_by_role("button", name="Save").click()
        desk.goto(appeal_url)

    olena.goto(f"{base}/my/appeals")
    expect(olena.locator("body")).to_contain_text("Статус змінено для обох")
    expect(olena.locator("body")).to_contain_text("Результат: Задоволено")
    expect(olena.get_by_role("button", name="Вийти зі звернення")).to_have_count(0)
    natalia.goto(f"{base}/my/appeals")
    expect(natalia.locator("body")).to_contain_text("Результат: Удовлетворён")
