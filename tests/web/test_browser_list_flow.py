"""Issue 16 end to end in Chromium: a family files a report (agreeing to list matching); a caseworker
imports an XLSX list with Ukrainian headers, checks the guessed columns, imports it (the list is matched
at once), reviews the pair and accepts it; the family, reading in Ukrainian, sees "found on list" and the
search log."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from tests.web.conftest import CASEWORKER
from tests.web.test_browser_flows import file_case, sign_in, sign_up

pytestmark = pytest.mark.browser


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["№", "Прізвище", "Ім'я", "По батькові", "Дата народження", "Примітка"])
    sheet.append([1, "Шевченко", "Андрій", "Петрович", "1994 р.н.", "утримується"])
    sheet.append([2, "Бондар", "Олег", "Сергійович", "12.07.1961", ""])
    sheet.append([3, "Ковальчук", "Ігор", "Миколайович", "1990", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_list_reaches_the_family(open_context: Any) -> None:
    family_visit = open_context()
    family = family_visit.context.new_page()
    base = family_visit.base
    sign_up(family, base, "Olena")
    case_url = file_case(family, base)  # the filing form's list-matching box is ticked by default
    case_id = case_url.rsplit("/", 1)[1]

    desk = open_context().context.new_page()
    sign_in(desk, base, *CASEWORKER)
    desk.goto(f"{base}/desk/cases/{case_id}")
    desk.get_by_role("button", name="Verify this case").click()

    desk.goto(base + "/desk/lists")
    desk.get_by_label("File").set_input_files(
        files=[{"name": "poloneni.xlsx", "mimeType": "application/octet-stream", "buffer": _xlsx()}]
    )
    desk.get_by_label("Title").fill("Полонені, грудень")
    desk.get_by_label("Publisher").fill("Координаційний штаб")
    desk.get_by_label("Kind of list").select_option("prisoners")
    desk.get_by_role("button", name="Show the first rows").click()
    expect(desk.locator("#map-1")).to_have_value("last_name")
    expect(desk.locator("#map-4")).to_have_value("birth_date")
    desk.locator("#map-5").select_option("notes")
    desk.get_by_role("button", name="Import the list").click()
    expect(desk).to_have_url(re.compile(r"/desk/lists/\d+$"))

    desk.goto(base + "/desk/review")
    rows = desk.locator("table.review-queue tbody tr")
    expect(rows.first).to_contain_text("Шевченко")
    rows.first.get_by_role("link").first.click()
    expect(desk.get_by_role("heading", name="Is this the missing person?")).to_be_visible()
    expect(desk.locator("svg.waterfall")).to_be_visible()
    desk.get_by_label("Yes, it is him: add it to the case").check()
    desk.get_by_role("button", name="Save the decision").click()
    expect(desk.get_by_role("status")).to_contain_text("Your decision is saved.")

    family.context.add_cookies([{"name": "kintrace_lang", "value": "uk", "url": base}])
    family.goto(case_url)
    expect(family.locator("body")).to_contain_text("Знайдено в:")
    expect(family.locator("body")).to_contain_text("Полонені, грудень")
    family.goto(case_url + "/search-log")
    expect(family.locator("main")).to_contain_text("Полонені, грудень")
    expect(family.locator("main")).to_contain_text("Координаційний штаб")
