"""In Chromium on a 360 px phone: two fragments of one victim are associated by two analysts on the DNA
desk (the first may not confirm her own proposal), and the fragment group appears; the desk never
scrolls sideways (its tables scroll in themselves)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from tests.services.dna_helpers import (
    MARKERS,
    frequency_file,
    long_csv,
    markers,
    personal_effect,
    remains,
    trio,
)
from tests.services.helpers import person
from tests.web.conftest import ANALYST, _visits, build_app, serving

from kintrace.domain.vocabulary import Role
from kintrace.services import cases, dna_arrival
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine

pytestmark = pytest.mark.browser
SECOND = ("fragments-second", "fragments-second-password-1")
PHONE = 360


@pytest.fixture(scope="module")
def direct_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:

    folder = tmp_path_factory.mktemp("dna-direct-web")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(folder)))
        app, url = build_app(folder)
        engine = make_engine(url)
        with Session(engine) as session:
            user_service.create_user(
                session,
                SYSTEM,
                username=SECOND[0],
                password=SECOND[1],
                role=Role.ANALYST,
                display_name="Second",
            )
            case = cases.create_case(session, SYSTEM, person())
            personal_effect(session, SYSTEM, case, "PH-BRUSH", item="razor")
            remains(session, SYSTEM, "PH-P1")
            remains(session, SYSTEM, "PH-P2")
            son = trio(3).son
            export = long_csv(
                folder, {"PH-BRUSH": son, "PH-P1": son, "PH-P2": {m: son[m] for m in MARKERS[:8]}}
            )
            dna_arrival.import_and_match(session, SYSTEM, app.state.genetic_key, markers(folder), export)
            session.commit()
        engine.dispose()
        with serving(app) as base:
            yield base


def _phone(browser: object, base: str, login: tuple[str, str], opened: list) -> Page:  # type: ignore[type-arg]
    visit = _visits(browser, base, locale="en-GB", width=PHONE)
    opened.append(visit)
    page: Page = next(visit).context.new_page()  # type: ignore[attr-defined]
    page.set_viewport_size({"width": PHONE, "height": 640})
    page.goto(base + "/signin")
    page.locator("input[name=login]").fill(login[0])
    page.locator("input[name=password]").fill(login[1])
    page.locator("form[action='/signin'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/signin"))
    return page


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_two_analysts_associate_fragments_on_a_phone(browser: object, direct_server: str) -> None:
    base = direct_server
    opened: list = []  # type: ignore[type-arg]
    try:
        first = _phone(browser, base, ANALYST, opened)
        first.goto(base + "/desk/dna")
        expect(first.locator(".basis-effect").first).to_contain_text("Personal effect: razor")
        _fits(first)
        row = first.locator("tr[id^=association-]")
        expect(row).to_have_count(1)
        row.get_by_label("Reason", exact=True).fill("8 markers agree")
        row.get_by_role("button", name="Propose").click()
        expect(first).to_have_url(re.compile(r"/desk/dna#association-\d+$"))
        first.locator("tr[id^=association-]").get_by_label("Reason", exact=True).fill("mine")
        first.locator("tr[id^=association-]").get_by_role("button", name="Confirm").click()
        expect(first.get_by_role("alert")).to_contain_text("a second analyst must")
        _fits(first)

        second = _phone(browser, base, SECOND, opened)
        second.goto(base + "/desk/dna")
        second.locator("tr[id^=association-]").get_by_label("Reason", exact=True).fill("checked")
        second.locator("tr[id^=association-]").get_by_role("button", name="Confirm").click()
        expect(second).to_have_url(re.compile(r"/desk/dna#groups-title$"))
        expect(second.locator(".fragment-group")).to_contain_text("PH-P1")
        expect(second.locator(".fragment-group")).to_contain_text("not identified yet")
        _fits(second)
    finally:
        for visit in opened:
            next(visit, None)
