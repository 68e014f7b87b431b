"""In Chromium on a 360 px phone, in Ukrainian: a caseworker records the parents' reference samples (the
father's with his signed consent form), registers remains, imports the lab's export and sees the
candidate identification on /desk/dna, and nothing on the way is wider than the screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from tests.services.dna_helpers import frequency_file, long_csv, trio
from tests.services.helpers import person
from tests.web.conftest import CASEWORKER, _visits, build_app, serving

from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine
from kintrace.store.models import Relative

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n% synthetic signed consent\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def forms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    """The app on a free loopback port over a registry with one case and its two parents (no sample)."""

    folder = tmp_path_factory.mktemp("dna-forms-web")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(folder)))
        app, url = build_app(folder)
        engine = make_engine(url)
        with Session(engine) as session:
            case = cases.create_case(session, SYSTEM, person())
            session.add_all(
                [
                    Relative(case_id=case.id, full_name="Петро Шевченко", relationship_="father"),
                    Relative(case_id=case.id, full_name="Олена Шевченко", relationship_="mother"),
                ]
            )
            session.commit()
            case_id = case.id
        engine.dispose()
        with serving(app) as base:
            yield base, case_id, folder


def _fits(page: Page) -> None:
    page.wait_for_load_state("load")  # the style sheet applied: a bare table is wider than a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _reference(page: Page, relative: str, code: str, sex: str, form: bool) -> None:
    page.get_by_text("Записати зразок родича").click()
    page.locator("#ref-relative").select_option(label=relative)
    page.locator("#ref-sex").select_option(sex)
    page.locator("#ref-code").fill(code)
    page.locator("#ref-collected").fill("2026-03-02")
    page.locator("#ref-collector").fill("Медсестра (синтетична)")
    page.locator("#ref-lab").fill("Synthetic Lab")
    page.locator("#ref-consent").fill("2026-03-02")
    if form:
        page.locator("#ref-form").set_input_files(
            {"name": "згода.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    page.get_by_role("button", name="Записати зразок").click()
    expect(page).to_have_url(re.compile(r"#dna-samples$"))


def test_reference_with_a_form_remains_and_an_import_on_a_phone(
    browser: object, forms_server: tuple[str, int, Path]
) -> None:
    base, case_id, folder = forms_server
    visit = _visits(browser, base, locale="uk-UA", width=360)
    try:
        page: Page = next(visit).context.new_page()  # type: ignore[attr-defined]
        page.goto(base + "/signin")
        page.locator("input[name=login]").fill(CASEWORKER[0])
        page.locator("input[name=password]").fill(CASEWORKER[1])
        page.locator("form[action='/signin'] button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/signin"))

        page.goto(f"{base}/desk/cases/{case_id}")
        _fits(page)
        _reference(page, "Петро Шевченко", "PH-F", "male", form=True)
        _reference(page, "Олена Шевченко", "PH-M", "female", form=False)
        samples = page.locator("#dna-samples")
        expect(samples).to_contain_text("PH-F")
        expect(samples).to_contain_text("форма є в реєстрі")
        _fits(page)

        page.goto(base + "/desk/dna")
        page.get_by_text("Зареєструвати останки").first.click()
        page.locator("#rem-code").fill("PH-B1")
        page.locator("#rem-incident").fill("Синтетичне поховання 3")
        page.locator("#rem-on").fill("2026-02-01")
        page.locator("#rem-body").fill("Т-3")
        page.locator("#rem-lab").fill("Synthetic Lab")
        page.get_by_role("button", name="Зареєструвати останки").click()
        expect(page.get_by_role("heading", name="Зразок ДНК PH-B1")).to_be_visible()
        _fits(page)

        dna = trio(31)
        export = long_csv(folder, {"PH-F": dna.father, "PH-M": dna.mother, "PH-B1": dna.son})
        page.goto(base + "/desk/dna")
        page.get_by_text("Імпортувати файл із лабораторії").click()
        page.locator("#export-file").set_input_files(str(export))
        page.get_by_role("button", name="Імпортувати й порівняти").click()
        expect(page.locator("#import-result")).to_contain_text("Імпортовано профілів: 3")
        expect(page.locator("tr[id^=candidate-]").filter(has_text="PH-B1")).to_have_count(1)
        _fits(page)
    finally:
        next(visit, None)
