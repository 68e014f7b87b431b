"""In Chromium on a 360 px phone, in Ukrainian: an analyst opens the incidents from the DNA desk, adds
the family to the body's incident, runs the joint identification, and proposes the pairing, which
lands among the candidate identifications; no incident page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.web.conftest import ANALYST, _visits
from tests.web.test_dna_browser import _sign_in, dna_server  # noqa: F401  (the module's own server)

pytestmark = pytest.mark.browser
PHONE = 360


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, (page.url, width)


def test_joint_identification_on_a_phone(browser: object, dna_server: tuple[str, int]) -> None:  # noqa: F811
    base, case_id = dna_server
    visit = _visits(browser, base, locale="uk-UA", width=PHONE)
    try:
        page: Page = next(visit).context.new_page()  # type: ignore[attr-defined]
        _sign_in(page, base, *ANALYST)
        page.goto(base + "/desk/dna")
        page.get_by_role("link", name="Події: кілька тіл і родин ідентифікуються разом").click()
        expect(page.get_by_role("heading", name="ДНК: події")).to_be_visible()
        _fits(page)
        page.get_by_role("link", name="Site 12").click()
        expect(page.get_by_text("BR-B1")).to_be_visible()
        reference = page.evaluate(
            "id => fetch(`/api/v1/cases/${id}`).then(r => r.json()).then(c => c.reference)", case_id
        )
        page.get_by_label("Номер справи").fill(reference)
        page.get_by_role("button", name="Додати родину").click()
        expect(page).to_have_url(re.compile(r"/desk/dna/incidents/\d+#families$"))
        page.get_by_role("button", name="Запустити спільну ідентифікацію").click()
        expect(page.get_by_text("Найімовірніші варіанти")).to_be_visible()
        expect(page.get_by_text(f"BR-B1 → {reference}").first).to_be_visible()
        _fits(page)
        page.get_by_label("Причина").fill("Обидва батьки; спільна ідентифікація")
        page.get_by_role("button", name="Запропонувати цю ідентифікацію").click()
        expect(page).to_have_url(re.compile(r"/desk/dna#candidate-\d+$"))
        expect(page.get_by_text("Обидва батьки; спільна ідентифікація", exact=False)).to_be_visible()
    finally:
        next(visit, None)
