"""Phone first, every page of the portal: at 360 px in Ukrainian no page of a family's portal scrolls
sideways, and each has its heading on the first screen (issue 13)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect
from tests.web.test_browser_flows import file_case, sign_up

pytestmark = pytest.mark.browser
SCREEN = {"width": 360, "height": 640}


def _photo(path: Any) -> Any:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (90, 120, 180)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_no_portal_page_scrolls_sideways_on_a_phone(open_context: Any, tmp_path: Any) -> None:
    phone = open_context(locale="uk-UA", width=SCREEN["width"])
    page = phone.context.new_page()
    page.set_viewport_size(SCREEN)
    base = phone.base
    # The helpers fill the forms by their English labels; the pages are then read in Ukrainian.
    page.goto(base + "/")
    page.context.add_cookies([{"name": "kintrace_lang", "value": "en", "url": base}])
    sign_up(page, base, "Mariia")
    case_url = file_case(page, base)
    case_path = case_url.removeprefix(base)
    page.goto(case_url)
    page.locator("#photo").set_input_files(str(_photo(tmp_path / "son.jpg")))
    page.get_by_role("button", name="Add the photo").click()
    expect(page.locator("#photos img")).to_have_count(1)
    page.context.add_cookies([{"name": "kintrace_lang", "value": "uk", "url": base}])

    pages = [
        "/my",
        "/my/file",
        case_path,
        case_path + "/person",
        case_path + "/dna",
        "/my/news",
        "/my/notifications",
        "/my/appeals",
        "/account",
        "/account/delete",
    ]
    too_wide = {}
    for path in pages:
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == "uk", path
        heading = page.locator("h1").first
        expect(heading).to_be_visible()
        box = heading.bounding_box()
        assert box is not None and box["y"] + box["height"] <= SCREEN["height"], (path, box)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SCREEN["width"]:
            too_wide[path] = width
    assert too_wide == {}
    # The photo fits the phone's width too.
    page.goto(case_url)
    image = page.locator("#photos img").bounding_box()
    assert image is not None and image["x"] + image["width"] <= SCREEN["width"]
