"""In Chromium: a caseworker opens the review queue, opens the strongest pair, reads it beside the case
with its waterfall, and accepts it; the case then holds the item in the list's words."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from tests.services import list_helpers
from tests.services.helpers import person
from tests.web.conftest import CASEWORKER, _visits, build_app, serving

from kintrace.domain.lists import PairBand
from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The app on a loopback port over a registry with one case and two list entries proposed for it."""

    folder = tmp_path_factory.mktemp("review-web")
    app, url = build_app(folder)
    engine = make_engine(url)
    with Session(engine) as session:
        case = cases.create_case(session, SYSTEM, person())
        listed = list_helpers.published_list(session, title="Обмін 2 жовтня", publisher="Коордштаб")
        list_helpers.pair(
            session,
            listed,
            list_helpers.entry(session, listed, 9, ("ШЕВЧУК", "Андрій", "Іванович")),
            case,
            band=PairBand.REVIEW,
            weight=0.5,
        )
        list_helpers.pair(session, listed, list_helpers.entry(session, listed, 4), case)
        session.commit()
        case_id = case.id
    engine.dispose()
    with serving(app) as base:
        yield base, case_id


def test_a_caseworker_opens_the_queue_opens_a_pair_and_accepts_it(
    browser: object, review_server: tuple[str, int]
) -> None:
    base, case_id = review_server
    visit = _visits(browser, base, locale="en-GB")
    page: Page = next(visit).context.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(base + "/signin")
        page.locator("input[name=login]").fill(CASEWORKER[0])
        page.locator("input[name=password]").fill(CASEWORKER[1])
        page.locator("form[action='/signin'] button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/signin"))

        page.get_by_role("link", name="List matches").click()
        expect(page.get_by_role("heading", name="List matches to review")).to_be_visible()
        rows = page.locator("table.review-queue tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(1)).to_contain_text("Шевчук")  # the weaker pair second
        expect(rows.first).not_to_contain_text("Шевчук")
        rows.first.get_by_role("link").first.click()

        expect(page.get_by_role("heading", name="Is this the missing person?")).to_be_visible()
        expect(page.get_by_text("ШЕВЧЕНКО Андрій Петрович").first).to_be_visible()
        expect(page.locator("svg.waterfall")).to_be_visible()
        page.get_by_label("Yes, it is him: add it to the case").check()
        page.get_by_role("button", name="Save the decision").click()
        expect(page.get_by_role("status")).to_contain_text("Your decision is saved.")
        expect(page.locator(".decision-accepted")).to_be_visible()

        page.goto(f"{base}/desk/cases/{case_id}")
        expect(
            page.get_by_text("Є у списку «Обмін 2 жовтня» (Коордштаб, 2026-10-02), запис 4")
        ).to_be_visible()
        page.goto(base + "/desk/review")
        expect(page.locator("table.review-queue tbody tr")).to_have_count(1)
        pair_url = page.locator("table.review-queue a").first.get_attribute("href")
    finally:
        next(visit, None)
    # Phone first: at 360 px the queue and a pair page do not scroll sideways.
    phone = _visits(browser, base, locale="uk-UA", width=360)
    small: Page = next(phone).context.new_page()  # type: ignore[attr-defined]
    try:
        small.goto(base + "/signin")
        small.locator("input[name=login]").fill(CASEWORKER[0])
        small.locator("input[name=password]").fill(CASEWORKER[1])
        small.locator("form[action='/signin'] button[type=submit]").click()
        expect(small).not_to_have_url(re.compile(r"/signin"))
        for path in ("/desk/review", str(pair_url)):
            small.goto(base + path)
            assert small.evaluate("document.documentElement.scrollWidth") <= 360, path
    finally:
        next(phone, None)
