"""In Chromium: an analyst proposes an identification, cannot confirm it herself, a second analyst
confirms, the caseworker records telling the family, and only then the family (in Ukrainian) sees it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.services.dna_helpers import frequency_file, long_csv, markers, reference, remains, trio
from tests.services.helpers import person
from tests.web.conftest import ANALYST, CASEWORKER, _visits, build_app, serving

from kintrace.domain.dna_samples import DonorSex, Kinship
from kintrace.domain.vocabulary import Role
from kintrace.services import cases, dna_arrival
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine
from kintrace.store.models import Relative, User

pytestmark = pytest.mark.browser
FAMILY = ("olena-dna", "olena-dna-password-1")
SECOND = ("second-analyst", "second-analyst-password-1")


@pytest.fixture(scope="module")
def dna_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The app on a free loopback port over a registry holding one family's DNA and one match."""

    folder = tmp_path_factory.mktemp("dna-web")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(folder)))
        app, url = build_app(folder)
        engine = make_engine(url)
        with Session(engine) as session:
            for (username, password), role in ((FAMILY, Role.FAMILY), (SECOND, Role.ANALYST)):
                user_service.create_user(
                    session, SYSTEM, username=username, password=password, role=role, display_name=username
                )
            family = session.scalar(select(User).where(User.username == FAMILY[0]))
            assert family is not None
            case = cases.create_case(session, SYSTEM, person())
            cases.link_family_user(session, SYSTEM, case.id, family.id, "reporter")
            father = Relative(case_id=case.id, full_name="Петро Шевченко", relationship_="father")
            mother = Relative(
                case_id=case.id, full_name="Олена Шевченко", relationship_="mother", user_id=family.id
            )
            session.add_all([father, mother])
            session.flush()
            reference(session, SYSTEM, case, father, "BR-F", Kinship.FATHER, DonorSex.MALE)
            reference(session, SYSTEM, case, mother, "BR-M", Kinship.MOTHER, DonorSex.FEMALE)
            remains(session, SYSTEM, "BR-B1")
            dna = trio(5)
            export = long_csv(folder, {"BR-F": dna.father, "BR-M": dna.mother, "BR-B1": dna.son})
            dna_arrival.import_and_match(session, SYSTEM, app.state.genetic_key, markers(folder), export)
            session.commit()
            case_id = case.id
        engine.dispose()
        with serving(app) as base:
            yield base, case_id


def _sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(base + "/signin")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/signin'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/signin"))


def _page(browser: object, base: str, locale: str, login: tuple[str, str], opened: list) -> Page:  # type: ignore[type-arg]
    visit = _visits(browser, base, locale=locale)
    opened.append(visit)
    page: Page = next(visit).context.new_page()  # type: ignore[attr-defined]
    _sign_in(page, base, *login)
    return page


def test_four_eyes_then_the_talk_then_the_family_sees_it(
    browser: object, dna_server: tuple[str, int]
) -> None:
    base, case_id = dna_server
    opened: list = []  # type: ignore[type-arg]
    try:
        first = _page(browser, base, "en-GB", ANALYST, opened)
        first.goto(base + "/desk/dna")
        expect(first.get_by_text("BR-B1")).to_be_visible()
        first.get_by_label("Reason", exact=True).fill("Both parents typed; LR far above 10^4")
        first.get_by_role("button", name="Propose").click()
        expect(first).to_have_url(re.compile(r"/desk/dna#candidate-\d+$"))
        first.get_by_label("Reason", exact=True).fill("I proposed it, I confirm it")
        first.get_by_role("button", name="Confirm").click()
        expect(first.get_by_role("alert")).to_contain_text("a second analyst must")

        second = _page(browser, base, "en-GB", SECOND, opened)
        second.goto(base + "/desk/dna")
        second.get_by_label("Reason", exact=True).fill("Checked the per-marker table")
        second.get_by_role("button", name="Confirm").click()
        expect(second).to_have_url(re.compile(r"/desk/dna#candidate-\d+$"))

        # Confirmed, not yet told: the family sees who gave samples, and no identification.
        family = _page(browser, base, "uk-UA", FAMILY, opened)
        family.goto(f"{base}/my/cases/{case_id}/dna")
        expect(family.get_by_text("Хто здав зразок")).to_be_visible()
        expect(family.get_by_text("ідентифіковано за ДНК")).to_have_count(0)

        worker = _page(browser, base, "en-GB", CASEWORKER, opened)
        worker.goto(base + "/desk/dna")
        worker.get_by_role("button", name="Record that the family was told").click()
        expect(worker.get_by_text("Families to tell in person")).to_have_count(0)

        family.goto(f"{base}/my/cases/{case_id}/dna")
        expect(family.get_by_text("Останки вашого рідного ідентифіковано за ДНК")).to_be_visible()
    finally:
        for visit in opened:
            next(visit, None)


def test_the_strength_on_a_phone_the_caseworker_computes_it_and_the_family_reads_it(
    browser: object, dna_server: tuple[str, int]
) -> None:
    base, case_id = dna_server
    opened: list = []  # type: ignore[type-arg]
    try:
        visit = _visits(browser, base, locale="uk-UA", width=360)
        opened.append(visit)
        worker: Page = next(visit).context.new_page()  # type: ignore[attr-defined]
        _sign_in(worker, base, *CASEWORKER)
        worker.goto(f"{base}/desk/cases/{case_id}")
        expect(worker.get_by_text("Для теперішніх зразків родини ще не обчислено.")).to_be_visible()
        worker.get_by_role("button", name="Обчислити силу зараз").click()
        expect(worker).to_have_url(re.compile(r"#dna$"))
        expect(worker.locator("#dna")).to_contain_text("Достатньо сильно")
        assert worker.evaluate("document.documentElement.scrollWidth") <= 360

        family_visit = _visits(browser, base, locale="uk-UA", width=360)
        opened.append(family_visit)
        family: Page = next(family_visit).context.new_page()  # type: ignore[attr-defined]
        _sign_in(family, base, *FAMILY)
        family.goto(f"{base}/my/cases/{case_id}/dna")
        expect(family.get_by_role("heading", name="Чи достатньо ДНК вашої родини?")).to_be_visible()
        expect(family.get_by_text("Зразків, які здала ваша родина, достатньо")).to_be_visible()
        assert family.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        for visit in opened:
            next(visit, None)
