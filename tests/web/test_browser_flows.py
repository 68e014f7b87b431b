"""End-to-end flows in a real Chromium: filing, verifying, contradictions, who sees what, languages."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.web.conftest import CASEWORKER, Visits

pytestmark = pytest.mark.browser
PASSWORD = "family-password-1"


def sign_up(page: Page, base: str, name: str) -> str:
    email = f"{name.lower()}-{secrets.token_hex(4)}@example.org"
    page.goto(base + "/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password (at least 8 characters)").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page).to_have_url(base + "/my")
    return email


def sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(base + "/signin")
    page.get_by_label("E-mail").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def file_case(page: Page, base: str) -> str:
    """Walk the four steps of the filing form; return the case's portal URL."""
    page.goto(base + "/my/file")
    page.get_by_label("Last name").fill("Шевченко")
    page.get_by_label("First name").fill("Андрій")
    page.get_by_label("Patronymic (if any)").fill("Петрович")
    page.locator("input[name=birth_year]").fill("1994")
    page.get_by_role("button", name="Next").first.click()
    # Step 2 is shown only now: the script shows one step at a time.
    seen_year = page.locator("input[name=seen_year]")
    expect(seen_year).to_be_visible()
    seen_year.fill("2024")
    page.locator("input[name=seen_month]").fill("3")
    page.get_by_label("Where?").fill("Бахмут")
    page.locator("fieldset[data-step='2']").get_by_role("button", name="Next").click()
    page.get_by_label("Who are you to them?").select_option("mother")
    page.locator("fieldset[data-step='3']").get_by_role("button", name="Next").click()
    page.get_by_label("Phone").fill("+380501234567")
    page.get_by_role("button", name="Send the report").click()
    expect(page).to_have_url(re.compile(r"/my/cases/\d+\?filed=1(&maybe=1)?$"))
    return page.url.split("?")[0]


def add_evidence(
    page: Page,
    claim: str,
    year: str,
    month: str,
    source: str,
    kind: str,
    grade: tuple[str, str],
    visibility: str,
) -> None:
    page.locator("summary", has_text="Add evidence").click()
    form = page.locator("form[action$='/evidence']")
    form.get_by_label("Claim").select_option(claim)
    form.locator("input[name=event_year]").fill(year)
    form.locator("input[name=event_month]").fill(month)
    form.get_by_label("Who may see it").select_option(visibility)
    form.locator("#source_name").fill(source)
    form.get_by_label("Kind").select_option(kind)
    form.get_by_label("Reliability of the source").select_option(grade[0])
    form.get_by_label("Credibility of the information").select_option(grade[1])
    form.get_by_role("button", name="Add evidence").click()
    expect(page).to_have_url(re.compile(r"done=evidence"))


def test_family_files_a_case_a_caseworker_verifies_it_and_the_contradiction_shows(
    visits: Visits, open_context: Any
) -> None:
    base = visits.base
    family = visits.context.new_page()  # type: ignore[attr-defined]
    sign_up(family, base, "Olena")
    case_url = file_case(family, base)
    expect(family.locator("h1")).to_contain_text("Шевченко Андрій Петрович")
    expect(family.locator("h1 .latin")).to_contain_text("Shevchenko Andrii Petrovych")
    expect(family.locator(".state")).to_have_text("Waiting for a caseworker to check it")
    expect(family.get_by_role("note")).to_contain_text("No official body or organisation ever charges money")

    desk_ctx: Visits = open_context()
    desk = desk_ctx.context.new_page()  # type: ignore[attr-defined]
    sign_in(desk, base, *CASEWORKER)
    expect(desk).to_have_url(base + "/desk")
    case_id = case_url.rsplit("/", 1)[1]
    desk.goto(f"{base}/desk/cases/{case_id}")
    desk.get_by_role("button", name="Verify this case").click()
    expect(desk.locator(".state")).to_have_text("Open")

    add_evidence(
        desk,
        "dead",
        "2024",
        "4",
        "Notice of the military commissariat",
        "official_body",
        ("A", "1"),
        "internal",
    )
    add_evidence(
        desk,
        "alive",
        "2024",
        "6",
        "ICRC visit to the camp",
        "humanitarian_organisation",
        ("B", "2"),
        "family",
    )
    contradictions = desk.get_by_role("region", name="Contradictions")
    expect(contradictions).to_contain_text("Notice of the military commissariat")
    expect(contradictions).to_contain_text("ICRC visit to the camp")
    expect(desk.locator(".timeline .item.conflict")).to_have_count(2)

    family.goto(case_url)
    expect(family.locator(".state")).to_have_text("Open")
    timeline = family.locator("#timeline")
    expect(timeline).to_contain_text("ICRC visit to the camp")
    expect(timeline).not_to_contain_text("Notice of the military commissariat")
    expect(family.locator("body")).not_to_contain_text("Notice of the military commissariat")

    # Another family cannot even learn that the case exists.
    other_ctx: Visits = open_context()
    other = other_ctx.context.new_page()  # type: ignore[attr-defined]
    sign_up(other, base, "Iryna")
    response = other.goto(case_url)
    assert response is not None and response.status == 404
    expect(other.locator("h1")).to_have_text("Not found")
    expect(other.locator("body")).not_to_contain_text("Шевченко")


def test_language_switch_and_accept_language(visits: Visits, open_context: Any) -> None:
    page = visits.context.new_page()  # type: ignore[attr-defined]
    page.goto(visits.base + "/signin")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("Language").select_option("uk")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("h1")).to_have_text("Увійти")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    page.goto(visits.base + "/signup")
    expect(page.locator("h1")).to_have_text("Створити сімейний обліковий запис")

    russian: Visits = open_context(locale="ru-RU")
    ru_page = russian.context.new_page()  # type: ignore[attr-defined]
    ru_page.goto(russian.base + "/signin")
    expect(ru_page.locator("h1")).to_have_text("Войти")
    expect(ru_page.get_by_role("note")).to_contain_text("вымогательства")


def test_phone_width_keyboard_and_no_horizontal_scroll(open_context: Any) -> None:
    phone: Visits = open_context(width=360)
    page = phone.context.new_page()  # type: ignore[attr-defined]
    sign_up(page, phone.base, "Maria")
    for path in ("/my", "/my/file", "/safety"):
        page.goto(phone.base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide on a 360 px screen"
    desk_phone: Visits = open_context(width=360)
    desk = desk_phone.context.new_page()  # type: ignore[attr-defined]
    sign_in(desk, phone.base, *CASEWORKER)
    for path in ("/desk", "/desk/cases", "/desk/sources", "/desk/overdue"):
        desk.goto(phone.base + path)
        width = desk.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide on a 360 px screen"
    # The first Tab lands on the skip link, which takes the reader straight to the content.
    page.goto(phone.base + "/my/file")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to the content")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_the_guard_catches_a_request_to_another_address(browser: object, live_server: str) -> None:
    from tests.web.conftest import _visits

    # The app's Content-Security-Policy already blocks such a request; switch it off to reach the guard.
    generator = _visits(browser, live_server, locale="en-GB", bypass_csp=True)
    record = next(generator)
    try:
        page = record.context.new_page()  # type: ignore[attr-defined]
        page.goto(live_server + "/signin")
        page.evaluate("fetch('http://198.51.100.7/tracker.js').catch(() => null)")
        page.wait_for_timeout(300)
        assert record.foreign == ["http://198.51.100.7/tracker.js"]
    finally:
        with pytest.raises(AssertionError, match="other than the kintrace server"):
            next(generator, None)


def test_interactive_docs_render_the_openapi_31_description(visits: Visits) -> None:
    """Swagger UI 4 showed "Unable to render this definition" for FastAPI's OpenAPI 3.1."""
    page = visits.context.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(visits.base + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 40  # every operation of /api/v1 is listed
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    expect(page.locator(".info .title")).to_contain_text("kintrace")
    assert not errors, errors
