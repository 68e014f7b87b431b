"""The pages through FastAPI's TestClient: access rules, CSRF, search across scripts, forms' errors, admin."""

from __future__ import annotations

import re
import secrets
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import ADMIN, ANALYST, CASEWORKER

from kintrace.web.charts import bar_chart, histogram
from kintrace.web.i18n import CATALOG_DIR, LANGUAGES, choose_language
from kintrace.web.translit import to_latin

SAME_ORIGIN = {"origin": "http://127.0.0.1"}
BASE = "http://127.0.0.1"  # plain-HTTP loopback: the session cookie is not Secure here
PASSWORD = "family-password-1"


def client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url=BASE, follow_redirects=False)


def sign_up(app: FastAPI, name: str = "olena") -> TestClient:
    browser = client(app)
    email = f"{name}-{secrets.token_hex(3)}@example.org"
    form = {"email": email, "display_name": name, "password": PASSWORD, "password_repeat": PASSWORD}
    response = browser.post("/signup", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 303, response.text
    return browser


def sign_in(app: FastAPI, login: str, password: str) -> TestClient:
    browser = client(app)
    response = browser.post("/signin", data={"login": login, "password": password}, headers=SAME_ORIGIN)
    assert response.status_code == 303, response.text
    return browser


def csrf(browser: TestClient) -> str:
    token = browser.cookies.get("kintrace_csrf")
    assert token
    return token


CASE_FORM = {
    "last_name": "Коваленко",
    "first_name": "Ігор",
    "patronymic": "Миколайович",
    "birth_year": "1991",
    "seen_year": "2023",
    "seen_month": "11",
    "seen_place": "Авдіївка",
    "relationship": "wife",
    "phone": "+380671112233",
}


def file_case(browser: TestClient, **changes: str) -> int:
    response = browser.post("/my/file", data={**CASE_FORM, **changes, "csrf_token": csrf(browser)})
    assert response.status_code == 303, response.text
    match = re.match(r"/my/cases/(\d+)\?filed=1(&maybe=1)?$", response.headers["location"])
    assert match
    return int(match.group(1))


def test_pages_need_sign_in_and_the_right_door(web_app: FastAPI) -> None:
    anonymous = client(web_app)
    assert anonymous.get("/my").headers["location"] == "/signin?next=/my"
    assert anonymous.get("/desk/cases").headers["location"] == "/signin?next=/desk/cases"
    family = sign_up(web_app)
    assert family.get("/desk").headers["location"] == "/my"
    assert family.get("/admin/users").headers["location"] == "/desk"
    worker = sign_in(web_app, *CASEWORKER)
    assert worker.get("/my").headers["location"] == "/desk"
    assert worker.get("/admin/users").headers["location"] == "/desk"


def test_a_family_case_is_unverified_and_hidden_from_other_families(web_app: FastAPI) -> None:
    family = sign_up(web_app, "anna")
    case_id = file_case(family)
    page = family.get(f"/my/cases/{case_id}")
    assert page.status_code == 200
    assert "Waiting for a caseworker to check it" in page.text
    assert "Kovalenko Ihor Mykolaiovych" in page.text  # the Latin spelling beside the Cyrillic name
    assert '<option value="unknown" selected>' in family.get("/my/file").text  # sex is not guessed

    other = sign_up(web_app, "iryna")
    for path in (f"/my/cases/{case_id}", f"/my/cases/{case_id + 1000}"):
        answer = other.get(path)
        assert answer.status_code == 404
        assert "Коваленко" not in answer.text
    refused = other.post(
        f"/my/cases/{case_id}/information", data={"claim": "alive", "csrf_token": csrf(other)}
    )
    assert refused.status_code == 404


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    refused = family.post(f"/my/cases/{case_id}/information", data={"claim": "alive", "text": "forged"})
    assert refused.status_code == 403
    wrong = family.post(
        f"/my/cases/{case_id}/information", data={"claim": "alive", "text": "forged", "csrf_token": "x" * 40}
    )
    assert wrong.status_code == 403
    assert "forged" not in family.get(f"/my/cases/{case_id}").text


def test_the_filing_form_names_the_bad_field_and_keeps_what_was_typed(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    token = csrf(family)
    day_without_month = family.post(
        "/my/file", data={**CASE_FORM, "birth_month": "", "birth_day": "4", "csrf_token": token}
    )
    assert day_without_month.status_code == 422
    assert 'id="birth_month-error"' in day_without_month.text
    assert 'value="Коваленко"' in day_without_month.text
    mixed = family.post("/my/file", data={**CASE_FORM, "last_name": "Koвaленко", "csrf_token": token})
    assert mixed.status_code == 422
    no_contact = family.post("/my/file", data={**CASE_FORM, "phone": "", "csrf_token": token})
    assert 'id="phone-error"' in no_contact.text
    assert "/my/cases/" not in family.get("/my").text  # nothing was filed


def test_caseworker_verifies_records_evidence_and_sees_the_contradiction(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    assert worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token}).status_code == 303
    dead = {
        "claim": "dead",
        "event_year": "2024",
        "event_month": "2",
        "source_name": "Military commissariat",
        "source_kind": "official_body",
        "reliability": "A",
        "credibility": "1",
        "visibility": "internal",
        "csrf_token": token,
    }
    alive = {**dead, "claim": "alive", "event_month": "5", "source_name": "ICRC", "visibility": "family"}
    alive["source_kind"] = "humanitarian_organisation"
    for form in (dead, alive):
        assert worker.post(f"/desk/cases/{case_id}/evidence", data=form).status_code == 303
    page = worker.get(f"/desk/cases/{case_id}").text
    assert page.count('class="item conflict') == 2
    assert 'aria-label="Contradictions"' in page
    in_ukrainian = worker.get(f"/desk/cases/{case_id}", headers={"accept-language": "uk"}).text
    assert "Ознака життя, датована пізніше за повідомлення про загибель." in in_ukrainian
    seen_by_family = family.get(f"/my/cases/{case_id}").text
    assert "ICRC" in seen_by_family and "Military commissariat" not in seen_by_family

    bad = worker.post(f"/desk/cases/{case_id}/evidence", data={**alive, "event_year": "20x4"})
    assert bad.status_code == 422 and 'id="event_year-error"' in bad.text


def test_status_request_answer_and_official_status(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    family = sign_up(web_app)
    case_id = file_case(family)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    request_form = {
        "requested_status": "confirmed_captured",
        "authority": "Coordination HQ",
        "submitted_on": "2024-01-10",
        "csrf_token": token,
    }
    assert worker.post(f"/desk/cases/{case_id}/requests", data=request_form).status_code == 303
    portal = family.get(f"/my/cases/{case_id}").text
    assert "Coordination HQ" in portal and "past the deadline" in portal
    request_id = int(
        re.search(r"/desk/requests/(\d+)/answer", worker.get(f"/desk/cases/{case_id}").text).group(1)
    )
    answer = {"outcome": "refused", "received_on": "2024-03-01", "text": "no grounds", "csrf_token": token}
    assert worker.post(f"/desk/requests/{request_id}/answer", data=answer).status_code == 303
    assert "no grounds" in worker.get(f"/desk/cases/{case_id}").text
    illegal = worker.post(
        f"/desk/cases/{case_id}/official", data={"status": "remains_returned", "csrf_token": token}
    )
    assert illegal.status_code == 422
    legal = worker.post(
        f"/desk/cases/{case_id}/official",
        data={
            "status": "reported_captured",
            "since_year": "2024",
            "reason": "notice 17",
            "csrf_token": token,
        },
    )
    assert legal.status_code == 303
    assert "notice 17" in worker.get(f"/desk/cases/{case_id}").text


def test_name_search_finds_cyrillic_names_from_latin_spellings_and_back(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    file_case(family, last_name="Шевчук", first_name="Олена", patronymic="Іванівна")
    file_case(family, last_name="Иванов", first_name="Сергей", patronymic="Петрович")
    worker = sign_in(web_app, *CASEWORKER)
    for query, expected in (
        ("Shevchuk", "Шевчук"),
        ("shevch", "Шевчук"),
        ("Ivanov", "Иванов"),
        ("Иванов", "Иванов"),
    ):
        page = worker.get("/desk/cases", params={"name": query, "state": "unverified"}).text
        assert expected in page, query
    assert "Шевчук" not in worker.get("/desk/cases", params={"name": "Ivanov"}).text


def test_merge_side_by_side_and_undo(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    first, second = file_case(family), file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    reference = re.search(r"KT-\d+", worker.get(f"/desk/cases/{second}").text).group(0)
    linked = worker.post(
        f"/desk/cases/{first}/duplicates", data={"other_case": reference, "csrf_token": token}
    )
    assert linked.status_code == 303
    compare = worker.get(f"/desk/cases/{first}/compare/{second}")
    assert compare.status_code == 200 and compare.text.count("Коваленко") >= 2
    # One click only leads to the confirmation: what will be merged, and a box to tick.
    assert f'href="/desk/cases/{first}/merge/{second}"' in compare.text
    confirm = worker.get(f"/desk/cases/{first}/merge/{second}")
    assert confirm.status_code == 200
    assert f"Merge {reference} into" in confirm.text and 'name="confirm"' in confirm.text
    assert "evidence item" in confirm.text and "can be undone" in confirm.text
    unconfirmed = worker.post(
        f"/desk/cases/{first}/merge", data={"merged_case_id": str(second), "csrf_token": token}
    )
    assert unconfirmed.status_code == 422 and "tick the box" in unconfirmed.text
    assert "Merged into another case" not in worker.get(f"/desk/cases/{second}").text
    merged = worker.post(
        f"/desk/cases/{first}/merge",
        data={"merged_case_id": str(second), "confirm": "yes", "note": "same person", "csrf_token": token},
    )
    assert merged.status_code == 303
    page = worker.get(f"/desk/cases/{first}").text
    merge_id = int(re.search(r"/desk/merges/(\d+)/undo", page).group(1))
    assert "Merged into another case" in worker.get(f"/desk/cases/{second}").text
    assert worker.post(f"/desk/merges/{merge_id}/undo", data={"csrf_token": token}).status_code == 303
    assert "Merged into another case" not in worker.get(f"/desk/cases/{second}").text


def test_dashboard_counts_and_charts(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get("/desk")
    assert page.status_code == 200
    # Two bar charts, and one small panel per status over time, each on its own scale.
    panels = page.text.count('<figure class="multiple">')
    assert page.text.count('class="chart"') == 2 and panels >= 1
    assert page.text.count("<svg") == 2 + panels
    assert "New cases waiting to be verified" in page.text and "KT-" in page.text


def test_admin_creates_and_changes_accounts(web_app: FastAPI) -> None:
    admin = sign_in(web_app, *ADMIN)
    token = csrf(admin)
    form = {
        "username": "new.worker",
        "password": "long-password-please",
        "role": "caseworker",
        "csrf_token": token,
    }
    assert admin.post("/admin/users", data=form).status_code == 303
    page = admin.get("/admin/users").text
    assert "new.worker" in page
    short = admin.post("/admin/users", data={**form, "username": "other", "password": "short"})
    assert short.status_code == 422 and 'id="password-error"' in short.text
    row = re.search(r"<tr><td>new\.worker</td>.*?/admin/users/(\d+)", page, re.S)
    assert row
    changed = admin.post(
        f"/admin/users/{row.group(1)}", data={"role": "analyst", "active": "0", "csrf_token": token}
    )
    assert changed.status_code == 303
    assert (
        client(web_app)
        .post(
            "/signin", data={"login": "new.worker", "password": "long-password-please"}, headers=SAME_ORIGIN
        )
        .status_code
        == 401
    )


def test_sign_in_refuses_cross_site_posts_and_foreign_redirects(web_app: FastAPI) -> None:
    login = {"login": CASEWORKER[0], "password": CASEWORKER[1]}
    assert (
        client(web_app).post("/signin", data=login, headers={"origin": "https://evil.example"}).status_code
        == 403
    )
    for target in ("https://evil.example/x", "//evil.example/x"):
        answer = client(web_app).post("/signin", data={**login, "next": target}, headers=SAME_ORIGIN)
        assert answer.headers["location"] == "/desk"
    wrong = client(web_app).post("/signin", data={**login, "password": "nope-nope"}, headers=SAME_ORIGIN)
    assert wrong.status_code == 401


def test_language_cookie_and_accept_language(web_app: FastAPI) -> None:
    browser = client(web_app)
    assert "<h1>Увійти</h1>" in browser.get("/signin", headers={"accept-language": "uk-UA,uk;q=0.9"}).text
    assert "<h1>Войти</h1>" in browser.get("/signin", headers={"accept-language": "de, ru;q=0.5"}).text
    switched = browser.post("/language", data={"language": "ru", "next": "/signup"}, headers=SAME_ORIGIN)
    assert switched.headers["location"] == "/signup"
    assert "<h1>Войти</h1>" in browser.get("/signin", headers={"accept-language": "uk"}).text
    assert choose_language(None, "fr-FR, en;q=0.1") == "en"
    assert choose_language("xx", None) == "en"


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_catalogs_translate_every_message(language: str) -> None:
    from babel.messages.pofile import read_po

    pot_ids = {m.id for m in read_po((CATALOG_DIR / "messages.pot").open("rb")) if m.id}
    catalog = read_po((CATALOG_DIR / language / "LC_MESSAGES" / "messages.po").open("rb"), locale=language)
    ids = {m.id for m in catalog if m.id}
    assert pot_ids == ids, "run pybabel extract and update the catalogs"
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    assert not untranslated


def test_templates_mark_their_text_for_translation() -> None:
    """The catalog template is current: every _() in the templates and every N_() label is in it."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    source = Path(CATALOG_DIR).parent
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(source),
            method_map=[("templates/**.html", "jinja2"), ("**.py", "python")],
            keywords={"_": None, "N_": None, "ngettext": (1, 2), "gettext": None},
        )
    }
    pot = {
        m.id if isinstance(m.id, str) else m.id[0] for m in read_po((CATALOG_DIR / "messages.pot").open("rb"))
    }
    assert found <= pot, sorted(found - pot)


def test_transliteration_for_readers_of_latin_script() -> None:
    # Searching the other way is name search on stored keys: tests/services/test_name_search.py.
    assert to_latin("Шевченко Олександр") == "Shevchenko Oleksandr"
    assert to_latin("Иванов Сергей") == "Ivanov Sergey"
    assert to_latin("Smith") == "Smith"


def test_charts_are_valid_svg_with_their_numbers_as_text() -> None:
    svg = bar_chart("Cases", [("Missing", 12), ("Found alive", 0)])
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Missing", "12", "Found alive", "0"]
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Cases"
    hist = ET.fromstring(histogram("Days", [("0-29", 3), ("30+", 1)]))
    heights = [int(r.get("height")) for r in hist.iter("{http://www.w3.org/2000/svg}rect")]
    assert heights[0] == 3 * heights[1]


def test_take_close_reopen_give_family_access_and_remove_evidence(web_app: FastAPI) -> None:
    reporter = sign_up(web_app, "oksana")
    case_id = file_case(reporter)
    brother = client(web_app)
    email = f"brother-{secrets.token_hex(3)}@example.org"
    brother.post(
        "/signup",
        data={"email": email, "display_name": "Brother", "password": PASSWORD, "password_repeat": PASSWORD},
        headers=SAME_ORIGIN,
    )
    assert brother.get(f"/my/cases/{case_id}").status_code == 404
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    assert (
        worker.post(f"/desk/cases/{case_id}/assign", data={"take": "1", "csrf_token": token}).status_code
        == 303
    )
    assert "You handle this case." in worker.get(f"/desk/cases/{case_id}").text
    assert (
        worker.post(f"/desk/cases/{case_id}/members", data={"member": email, "csrf_token": token}).status_code
        == 303
    )
    assert brother.get(f"/my/cases/{case_id}").status_code == 200
    unknown = worker.post(
        f"/desk/cases/{case_id}/members", data={"member": "nobody@x.org", "csrf_token": token}
    )
    assert unknown.status_code == 422 and 'id="member-error"' in unknown.text
    assert (
        worker.post(f"/desk/cases/{case_id}/state", data={"state": "closed", "csrf_token": token}).status_code
        == 303
    )
    assert ">Closed<" in worker.get(f"/desk/cases/{case_id}").text
    worker.post(f"/desk/cases/{case_id}/state", data={"state": "open", "csrf_token": token})
    item_form = {
        "claim": "seen_at_place",
        "event_year": "2024",
        "place": "Mistake street",
        "source_name": "Typo source",
        "source_kind": "other",
        "csrf_token": token,
    }
    worker.post(f"/desk/cases/{case_id}/evidence", data=item_form)
    page = worker.get(f"/desk/cases/{case_id}").text
    item_id = re.search(r"/desk/evidence/(\d+)/delete", page).group(1)
    assert worker.post(f"/desk/evidence/{item_id}/delete", data={"csrf_token": token}).status_code == 303
    assert "Mistake street" not in worker.get(f"/desk/cases/{case_id}").text


def test_sources_are_regraded_and_the_evidence_status_follows(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    name = f"Camp list {secrets.token_hex(3)}"
    form = {
        "claim": "captured",
        "event_year": "2024",
        "source_name": name,
        "source_kind": "published_list",
        "reliability": "F",
        "credibility": "6",
        "visibility": "internal",
        "csrf_token": token,
    }
    worker.post(f"/desk/cases/{case_id}/evidence", data=form)
    assert "Reported captured (not yet confirmed)" in worker.get(f"/desk/cases/{case_id}").text
    listing = worker.get("/desk/sources", params={"name": name.upper()}).text
    source_id = re.search(rf'href="/desk/sources/(\d+)">{name}</a>', listing).group(1)
    assert "Regrade" in worker.get(f"/desk/sources/{source_id}").text
    regrade = {
        "name": name,
        "kind": "published_list",
        "reliability": "A",
        "credibility": "1",
        "csrf_token": token,
    }
    assert worker.post(f"/desk/sources/{source_id}", data=regrade).status_code == 303
    page = worker.get(f"/desk/cases/{case_id}").text
    assert re.search(r'class="status">Confirmed captured', page)


def test_account_password_and_api_tokens(web_app: FastAPI) -> None:
    family = sign_up(web_app, "tokens")
    token = csrf(family)
    created = family.post("/account/tokens", data={"name": "my script", "csrf_token": token})
    assert created.status_code == 200
    secret = re.search(r'<code class="token">(kt_[^<]+)</code>', created.text).group(1)
    api = TestClient(web_app, base_url=BASE)
    assert api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token_id = re.search(r"/account/tokens/(\d+)/revoke", family.get("/account").text).group(1)
    family.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    wrong = family.post(
        "/account/password",
        data={
            "current_password": "not-it-at-all",
            "new_password": "new-password-2",
            "new_password_repeat": "new-password-2",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422 and 'id="current_password-error"' in wrong.text
    changed = family.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "new-password-2",
            "new_password_repeat": "new-password-2",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 303
    assert family.get("/account").status_code == 200  # still signed in with the fresh session


def test_family_corrects_its_report_until_verified_and_attaches_a_document(web_app: FastAPI) -> None:
    family = sign_up(web_app, "corrector")
    case_id = file_case(family)
    token = csrf(family)
    form_page = family.get(f"/my/cases/{case_id}/person").text
    assert (
        'value="Коваленко"' in form_page and 'name="birth_year"' in form_page and 'value="1991"' in form_page
    )
    corrected = {**CASE_FORM, "birth_year": "1992", "birth_month": "7", "csrf_token": token}
    assert family.post(f"/my/cases/{case_id}/person", data=corrected).status_code == 303
    assert family.get(f"/my/cases/{case_id}/person").text.count('value="7"') == 1
    bad = family.post(f"/my/cases/{case_id}/person", data={**corrected, "unit": "somewhere"})
    assert bad.status_code == 422 and 'id="unit-error"' in bad.text

    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    added = family.post(
        f"/my/cases/{case_id}/information",
        data={
            "claim": "seen_at_place",
            "place": "Донецьк",
            "text": "a photo from a friend",
            "csrf_token": token,
        },
        files={"document": ("photo.png", photo, "image/png")},
    )
    assert added.status_code == 303, added.text
    page = family.get(f"/my/cases/{case_id}").text
    link = re.search(r'href="(/api/v1/attachments/\d+)">photo\.png', page)
    assert link and family.get(link.group(1)).content == photo

    worker = sign_in(web_app, *CASEWORKER)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)})
    assert family.post(f"/my/cases/{case_id}/person", data=corrected).status_code == 403


def test_caseworker_edits_the_person_and_the_relatives(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    values = {**CASE_FORM, "service_number": "АБ 123456", "unit": "в/ч А1234", "csrf_token": token}
    assert worker.post(f"/desk/cases/{case_id}/person", data=values).status_code == 303
    page = worker.get(f"/desk/cases/{case_id}").text
    assert "АБ 123456" in page and "А1234" in page
    relative = {"full_name": "Петро Коваленко", "relationship": "brother", "phone": "+380500000001"}
    assert (
        worker.post(f"/desk/cases/{case_id}/relatives", data={**relative, "csrf_token": token}).status_code
        == 303
    )
    page = worker.get(f"/desk/cases/{case_id}").text
    assert "+380500000001" in page
    assert "+380500000001" not in family.get(f"/my/cases/{case_id}").text  # contacts stay private
    relative_id = re.search(r"/desk/relatives/(\d+)/delete", page.split("Петро Коваленко", 1)[1]).group(1)
    worker.post(f"/desk/relatives/{relative_id}/delete", data={"case_id": str(case_id), "csrf_token": token})
    assert "+380500000001" not in worker.get(f"/desk/cases/{case_id}").text


def test_relationships_are_chosen_from_a_list_and_shown_in_the_readers_language(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    family.cookies.set("kintrace_lang", "uk")
    form = family.get("/my/file").text
    assert '<option value="mother">Мати</option>' in form and 'name="relationship_note"' in form
    unexplained = family.post(
        "/my/file", data={**CASE_FORM, "relationship": "other", "csrf_token": csrf(family)}
    )
    assert unexplained.status_code == 422 and 'id="relationship_note-error"' in unexplained.text
    assert "скажіть, ким родич доводиться зниклій людині" in unexplained.text
    assert '<option value="other" selected>' in unexplained.text  # the family's choice is kept
    case_id = file_case(family, relationship="other", relationship_note="хрещена мати")
    worker = sign_in(web_app, *CASEWORKER)
    worker.cookies.set("kintrace_lang", "uk")
    token = csrf(worker)
    relative = {"full_name": "Петро Коваленко", "relationship": "brother", "csrf_token": token}
    assert worker.post(f"/desk/cases/{case_id}/relatives", data=relative).status_code == 303
    unknown = worker.post(f"/desk/cases/{case_id}/relatives", data={**relative, "relationship": "кум"})
    assert unknown.status_code == 422 and 'id="relationship-error"' in unknown.text
    page = worker.get(f"/desk/cases/{case_id}").text
    assert "Петро Коваленко · Брат" in page and " · хрещена мати" in page
    worker.cookies.set("kintrace_lang", "ru")
    assert "Петро Коваленко · Брат" in worker.get(f"/desk/cases/{case_id}").text
    worker.cookies.set("kintrace_lang", "en")
    assert "Петро Коваленко · Brother" in worker.get(f"/desk/cases/{case_id}").text


def test_an_analyst_reads_the_desk_but_changes_no_case(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    first, second = file_case(family), file_case(family)
    analyst = sign_in(web_app, *ANALYST)
    page = analyst.get(f"/desk/cases/{first}")
    assert page.status_code == 200
    assert "Verify this case" not in page.text and "Add evidence" not in page.text
    assert "Keep this one" not in analyst.get(f"/desk/cases/{first}/compare/{second}").text
    assert analyst.get(f"/desk/cases/{first}/merge/{second}").status_code == 403
    token = csrf(analyst)
    assert analyst.post(f"/desk/cases/{first}/verify", data={"csrf_token": token}).status_code == 403
    reference = re.search(r"KT-\d+", analyst.get(f"/desk/cases/{second}").text).group(0)
    linked = analyst.post(
        f"/desk/cases/{first}/duplicates", data={"other_case": reference, "csrf_token": token}
    )
    assert linked.status_code == 303  # analysts may link possible duplicates


def test_status_trend_counts_each_case_in_the_status_it_held_at_each_month_end(tmp_path: Path) -> None:
    import datetime as dt

    from sqlalchemy.orm import Session
    from tests.web.conftest import build_app

    from kintrace.domain.vocabulary import PersonStatus
    from kintrace.services.access import SYSTEM
    from kintrace.web.dashboard import status_trend

    app, _ = build_app(tmp_path)  # an empty registry of its own, so the counts are exact
    family = sign_up(app)
    case_id = file_case(family, seen_year="2024", seen_month="1")
    file_case(family, seen_year="2024", seen_month="4")
    worker = sign_in(app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    changed = worker.post(
        f"/desk/cases/{case_id}/official",
        data={"status": "reported_captured", "since_year": "2024", "since_month": "3", "csrf_token": token},
    )
    assert changed.status_code == 303
    with Session(app.state.engine) as session:
        trend = status_trend(session, SYSTEM, dt.date(2024, 4, 15), months=4)
    assert trend.months == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert trend.counts[PersonStatus.MISSING] == [1, 1, 0, 1]
    assert trend.counts[PersonStatus.REPORTED_CAPTURED] == [0, 0, 1, 1]


def test_caseworker_corrects_an_evidence_item(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    form = {
        "claim": "seen_at_place",
        "event_year": "2024",
        "event_month": "03",
        "place": "Маріуполь",
        "text": "seen by a neighbour",
        "source_name": f"Neighbour {secrets.token_hex(2)}",
        "source_kind": "other",
        "visibility": "internal",
        "csrf_token": token,
    }
    worker.post(f"/desk/cases/{case_id}/evidence", data=form)
    assert "seen by a neighbour" not in family.get(f"/my/cases/{case_id}").text
    item_id = re.search(r'href="/desk/evidence/(\d+)"', worker.get(f"/desk/cases/{case_id}").text).group(1)
    edit = worker.get(f"/desk/evidence/{item_id}").text
    assert (
        'name="event_month" inputmode="numeric" pattern="[0-9]{1,2}" size="2" maxlength="2" value="03"'
        in edit
    )
    source_id = re.search(
        r'id="source_id" name="source_id" inputmode="numeric" size="6" value="(\d+)"', edit
    ).group(1)
    corrected = {**form, "visibility": "family", "source_id": source_id, "text": "seen by a neighbour, twice"}
    assert worker.post(f"/desk/evidence/{item_id}", data=corrected).status_code == 303
    assert "seen by a neighbour, twice" in family.get(f"/my/cases/{case_id}").text
    bad = worker.post(f"/desk/evidence/{item_id}", data={**corrected, "event_month": "13"})
    assert bad.status_code == 422 and 'id="event_year-error"' in bad.text


class _FormAudit(HTMLParser):
    """Collects element ids, label targets, and the form controls (and whether a <label> wraps them)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str | None, bool]] = []  # (name, id, inside a label)
        self._open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "label":
            self._open_labels += 1
            if values.get("for"):
                self.label_for.add(str(values["for"]))
        if tag in ("input", "select", "textarea") and values.get("type") not in ("hidden", "submit"):
            self.controls.append((str(values.get("name")), values.get("id"), self._open_labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._open_labels -= 1


def test_every_form_control_has_a_label_and_ids_are_unique(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)})
    admin = sign_in(web_app, *ADMIN)
    pages = [
        (client(web_app), "/signin"),
        (client(web_app), "/signup"),
        (family, "/my"),
        (family, "/my/file"),
        (family, f"/my/cases/{case_id}"),
        (family, "/account"),
        (worker, "/desk"),
        (worker, "/desk/cases"),
        (worker, f"/desk/cases/{case_id}"),
        (worker, f"/desk/cases/{case_id}/person"),
        (worker, "/desk/sources"),
        (worker, "/desk/overdue"),
        (admin, "/admin/users"),
    ]
    for browser, path in pages:
        response = browser.get(path)
        assert response.status_code == 200, path
        audit = _FormAudit()
        audit.feed(response.text)
        repeated = sorted({i for i in audit.ids if audit.ids.count(i) > 1})
        assert not repeated, f"{path}: ids used twice: {repeated}"
        unlabelled = [
            name
            for name, id_, wrapped in audit.controls
            if not wrapped and (id_ is None or id_ not in audit.label_for)
        ]
        assert not unlabelled, f"{path}: controls without a label: {unlabelled}"


def test_a_relative_updates_only_their_own_contact_details(web_app: FastAPI) -> None:
    reporter = sign_up(web_app, "mother")
    case_id = file_case(reporter)
    page = reporter.get(f"/my/cases/{case_id}").text
    assert 'value="+380671112233"' in page
    relative_id = re.search(rf"/my/cases/{case_id}/contact/(\d+)", page).group(1)
    token = csrf(reporter)
    updated = reporter.post(
        f"/my/cases/{case_id}/contact/{relative_id}",
        data={"phone": "+380990000000", "email": "mother@example.org", "csrf_token": token},
    )
    assert updated.status_code == 303
    assert 'value="+380990000000"' in reporter.get(f"/my/cases/{case_id}").text
    bad = reporter.post(
        f"/my/cases/{case_id}/contact/{relative_id}", data={"email": "not-an-address", "csrf_token": token}
    )
    assert bad.status_code == 422

    # A second family account linked to the case sees neither the form nor the mother's number.
    worker = sign_in(web_app, *CASEWORKER)
    email = f"son-{secrets.token_hex(3)}@example.org"
    son = client(web_app)
    son.post(
        "/signup",
        data={"email": email, "display_name": "Son", "password": PASSWORD, "password_repeat": PASSWORD},
        headers=SAME_ORIGIN,
    )
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)})
    worker.post(f"/desk/cases/{case_id}/members", data={"member": email, "csrf_token": csrf(worker)})
    seen_by_son = son.get(f"/my/cases/{case_id}").text
    assert "+380990000000" not in seen_by_son and "mother@example.org" not in seen_by_son
    stolen = son.post(
        f"/my/cases/{case_id}/contact/{relative_id}", data={"phone": "+1", "csrf_token": csrf(son)}
    )
    assert stolen.status_code == 404


def test_a_caseworker_files_a_case_open_at_once_and_filters_their_own(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    assert worker.get("/desk/file").status_code == 200
    form = {
        "last_name": "Бондаренко",
        "first_name": "Тарас",
        "seen_year": "2024",
        "reporter_name": "Марія Бондаренко",
        "relationship": "mother",
        "phone": "+380501112299",
        "csrf_token": token,
    }
    filed = worker.post("/desk/file", data=form)
    assert filed.status_code == 303
    case_id = int(re.match(r"/desk/cases/(\d+)\?done=filed", filed.headers["location"]).group(1))
    page = worker.get(f"/desk/cases/{case_id}").text
    assert ">Open<" in page and "+380501112299" in page
    no_relation = worker.post("/desk/file", data={**form, "relationship": ""})
    assert no_relation.status_code == 422 and 'id="relationship-error"' in no_relation.text
    worker.post(f"/desk/cases/{case_id}/assign", data={"take": "1", "csrf_token": token})
    worker.post("/desk/file", data={**form, "last_name": "Гнатюк"})  # filed, not taken
    mine = worker.get("/desk/cases", params={"mine": "1"}).text
    assert "Бондаренко" in mine and "Гнатюк" not in mine
    assert "Гнатюк" in worker.get("/desk/cases").text
    analyst = sign_in(web_app, *ANALYST)
    assert analyst.get("/desk/file").status_code == 403


def test_caseworker_attaches_a_file_to_an_item_and_bad_files_are_refused(
    web_app: FastAPI, attachments_dir: Path
) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    form = {"claim": "captured", "event_year": "2024", "source_name": "List", "source_kind": "published_list"}
    worker.post(f"/desk/cases/{case_id}/evidence", data={**form, "csrf_token": token})
    item_id = re.search(r'href="/desk/evidence/(\d+)"', worker.get(f"/desk/cases/{case_id}").text).group(1)
    scan = b"%PDF-1.4\n" + secrets.token_bytes(256)
    done = worker.post(
        f"/desk/evidence/{item_id}/attachments",
        data={"csrf_token": token},
        files={"document": ("notice.pdf", scan, "application/pdf")},
    )
    assert done.status_code == 303
    assert "notice.pdf" in worker.get(f"/desk/evidence/{item_id}").text
    assert any(path.read_bytes() == scan for path in attachments_dir.rglob("*") if path.is_file())
    refused = worker.post(
        f"/desk/evidence/{item_id}/attachments",
        data={"csrf_token": token},
        files={"document": ("run.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream")},
    )
    assert refused.status_code == 422 and "type not accepted" in refused.text
