"""Phone first: on a 360 px screen in Ukrainian, the family reads its search log without sideways
scrolling, withdraws its consent to list matching and gives it again, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect
from tests.web.conftest import build_app, serving
from tests.web.test_browser_flows import file_case, sign_up
from tests.web.test_portal_search_log import checked_against_three_lists, consent_of

pytestmark = pytest.mark.browser
SCREEN = {"width": 360, "height": 640}


@pytest.fixture(scope="module")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    app, _ = build_app(tmp_path_factory.mktemp("search-log"))
    return app


@pytest.fixture(scope="module")
def live_server(served_app: FastAPI) -> Iterator[str]:
    """The app served on loopback (as conftest's), kept at hand to write the lists' rows."""

    with serving(served_app) as base:
        yield base


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]


def test_the_family_reads_its_log_on_a_phone_and_changes_its_mind(
    served_app: FastAPI, open_context: Any
) -> None:
    visits = open_context(width=SCREEN["width"])
    page = visits.context.new_page()
    page.set_viewport_size(SCREEN)
    sign_up(page, visits.base, "Halyna")
    case_url = file_case(page, visits.base)  # the box "check my relative against lists" left ticked
    case_id = int(case_url.rsplit("/", 1)[1])
    assert consent_of(served_app, case_id) == (True, "agreed when filing")
    checked_against_three_lists(served_app, case_id)

    page.locator("#language").select_option("uk")
    page.locator("form.lang button").click()
    page.goto(case_url)
    lists = page.locator("#lists")
    expect(lists).to_contain_text("Перевірено за 3 опублікованими списками, востаннє 2026-11-20.")
    expect(lists).to_contain_text("Знайдено в: Обмін 14 листопада (Коордштаб, 2026-11-14)")
    expect(lists).to_contain_text("працівник справи перевіряє можливий збіг")
    _no_sideways_scroll(page)

    lists.get_by_role("link", name="Усі списки по черзі").click()
    expect(page.locator("h1")).to_have_text("Перевірені опубліковані списки")
    expect(page.locator(".search-log li")).to_have_count(3)
    _no_sideways_scroll(page)

    page.goto(case_url)
    lists.locator("summary").click()
    lists.get_by_role("button", name="Припинити звіряння зі списками").click()
    expect(lists).to_contain_text("Вашого родича не звіряють із жодним списком, доки ви не погодитеся.")
    assert consent_of(served_app, case_id)[0] is False
    _no_sideways_scroll(page)
    lists.get_by_role("button", name="Я згоден: перевіряйте мого родича за опублікованими списками").click()
    expect(lists.locator("summary")).to_have_text("Ваша згода на звіряння зі списками")
    assert consent_of(served_app, case_id) == (True, "agreed in the portal")
