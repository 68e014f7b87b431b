"""A caseworker imports an XLSX list with Ukrainian headers in Chromium, on a phone-sized screen, in
Ukrainian: the upload, the preview with the columns recognised, one column changed, the list's page."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from tests.web.conftest import CASEWORKER, Visits

pytestmark = pytest.mark.browser


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["№", "Прізвище", "Ім'я", "По батькові", "Дата народження", "В/ч", "Коментар"])
    sheet.append([1, "Мельник", "Іван", "Петрович", "05.03.1985", "А1234", "поранений"])
    sheet.append([2, "Бондар", "Олег", "Сергійович", "1990 р.н.", "А4321", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_caseworker_imports_an_xlsx_list_on_a_phone_in_ukrainian(open_context: Any) -> None:
    phone: Visits = open_context(locale="uk-UA", width=360)
    page = phone.context.new_page()  # type: ignore[attr-defined]
    page.goto(phone.base + "/signin")
    page.locator("input[name=login]").fill(CASEWORKER[0])
    page.locator("input[name=password]").fill(CASEWORKER[1])
    page.locator("main button[type=submit]").click()
    page.get_by_role("link", name="Списки").click()
    expect(page).to_have_url(phone.base + "/desk/lists")
    page.get_by_label("Файл").set_input_files(
        files=[{"name": "poloneni.xlsx", "mimeType": "application/octet-stream", "buffer": _xlsx()}]
    )
    page.get_by_label("Назва").fill("Полонені, листопад")
    page.get_by_label("Хто опублікував").fill("Координаційний штаб")
    page.get_by_label("Вид списку").select_option("prisoners")
    page.get_by_role("button", name="Показати перші рядки").click()

    expect(page.get_by_role("heading", name="Перевірте стовпці")).to_be_visible()
    expect(page.locator("#map-1")).to_have_value("last_name")
    expect(page.locator("#map-4")).to_have_value("birth_date")
    expect(page.locator("#map-5")).to_have_value("unit")
    page.locator("#map-6").select_option("notes")  # "Коментар": the caseworker maps it by hand
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the preview is {width} px wide on a 360 px screen"
    page.get_by_role("button", name="Імпортувати список").click()

    expect(page).to_have_url(re.compile(r"/desk/lists/\d+$"))
    expect(page.get_by_role("heading", name="Полонені, листопад")).to_be_visible()
    expect(page.locator("#entry-2")).to_contain_text("Мельник")
    expect(page.locator("#entry-3")).to_contain_text("1990")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the list's page is {width} px wide on a 360 px screen"
