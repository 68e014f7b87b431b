"""Phone first: on a 360 px screen in Ukrainian, a family's case page shows the person's name, both
statuses and how long the oldest request has waited on its first screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.web.conftest import CASEWORKER, Visits
from tests.web.test_browser_flows import file_case, sign_in, sign_up

pytestmark = pytest.mark.browser
SCREEN = {"width": 360, "height": 640}


def test_the_first_screen_of_a_case_holds_the_name_the_statuses_and_the_wait(
    visits: Visits, open_context: Any
) -> None:
    base = visits.base
    desk = open_context().context.new_page()
    # The family signs up and files in English first (the helpers' labels), then reads in Ukrainian.
    english = open_context().context.new_page()
    sign_up(english, base, "Olena")
    case_url = file_case(english, base)
    case_id = case_url.rsplit("/", 1)[1]
    sign_in(desk, base, *CASEWORKER)
    desk.goto(f"{base}/desk/cases/{case_id}")
    desk.get_by_role("button", name="Verify this case").click()
    desk.locator("summary", has_text="New request").click()
    form = desk.locator("form[action$='/requests']")
    form.locator("[name=requested_status]").select_option("confirmed_captured")
    form.locator("[name=authority]").fill("Міністерство оборони України")
    form.locator("[name=submitted_on]").fill((dt.date.today() - dt.timedelta(days=64)).isoformat())
    form.locator("button[type=submit]").click()
    english.set_viewport_size(SCREEN)
    english.locator("#language").select_option("uk")
    english.locator("form.lang button").click()
    english.goto(case_url)
    for element in (
        english.locator("h1"),
        english.locator(".glance .official"),
        english.locator(".glance .evidence"),
        english.locator(".glance .waited"),
    ):
        expect(element).to_be_visible()
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= SCREEN["height"], (element, box)
    expect(english.locator(".glance .waited")).to_contain_text("64 дні")
    expect(english.locator(".warning")).to_contain_text("Остерігайтеся вимагання")
    width = english.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREEN["width"]
