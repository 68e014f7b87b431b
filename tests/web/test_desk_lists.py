"""Published lists on the desk: upload, a preview with the guessed columns, the import, the list's page;
a bad row named with its row and column in the reader's language, and nothing saved."""

from __future__ import annotations

import io
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_every_page_translated import ENGLISH_RUN, english_messages, visible_text
from tests.web.test_pages import csrf, sign_in, sign_up

UK = {"accept-language": "uk"}
FORM = {"title": "Список обміну", "publisher": "Штаб", "reliability": "B", "published_on": "2026-11-20",
        "kind": "exchanged", "language": "ru"}  # fmt: skip


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _form_token(browser: TestClient) -> str:
    """The CSRF token the upload form itself carries (what a browser sends)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/desk/lists").text)
    return found.group(1) if found else csrf(browser)  # an analyst's page has no form


def _preview(browser: TestClient, data: bytes, name: str, **form: str):  # type: ignore[no-untyped-def]
    return browser.post(
        "/desk/lists/preview",
        data={**FORM, **form, "csrf_token": _form_token(browser)},
        files={"file": (name, data, "application/octet-stream")},
        headers=UK,
    )


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _selected(html: str) -> dict[str, str]:
    """map_N -> the field selected in the preview's select boxes."""
    found: dict[str, str] = {}
    for name, body in re.findall(r'<select id="map-\d+" name="(map_\d+)">(.*?)</select>', html):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def test_a_caseworker_imports_an_xlsx_list_with_the_guessed_columns(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get("/desk/lists", headers=UK)
    assert (
        page.status_code == 200 and "Опубліковані списки" in page.text and 'href="/desk/lists"' in page.text
    )
    data = _xlsx(
        [
            ["№", "ФИО", "Дата рождения", "Воинская часть", "Примечание"],
            [1, "Мельник Иван Петрович", "05.03.1985", "А1234", ""],
            [2, "Oleh Serhiiovych Bondar", "1990 г.р.", "", "обменян"],
        ]
    )
    preview = _preview(worker, data, "obmin.xlsx")
    assert preview.status_code == 200, preview.text
    assert "Мельник Иван Петрович" in preview.text and "Перевірте стовпці" in preview.text
    assert _selected(preview.text) == {
        "map_0": "", "map_1": "full_name", "map_2": "birth_date", "map_3": "unit", "map_4": "notes",
    }  # fmt: skip
    form = {**_hidden(preview.text), **_selected(preview.text), "map_4": ""}
    done = worker.post("/desk/lists/import", data=form, headers=UK)
    assert done.status_code == 303, done.text
    list_url = done.headers["location"]
    shown = worker.get(list_url, headers=UK)
    assert shown.status_code == 200
    assert "Список обміну" in shown.text and "Обміняні або звільнені" in shown.text
    assert "Мельник" in shown.text and "1985-03-05" in shown.text
    assert 'id="entry-3"' in shown.text and "Bondar" in shown.text  # first name first, recognised
    again = worker.post("/desk/lists/import", data=form, headers=UK)
    assert again.headers["location"] == f"{list_url}?again=1"
    assert "уже імпортовано раніше" in worker.get(again.headers["location"], headers=UK).text
    # Only a file this session uploaded can be imported: another session's token does not fit.
    other = sign_in(web_app, *CASEWORKER)
    stolen = {**form, "title": "Чужий файл", "csrf_token": _form_token(other)}
    assert other.post("/desk/lists/import", data=stolen, headers=UK).status_code == 409
    listing = worker.get("/desk/lists", headers=UK).text
    assert listing.count('id="list-') >= 1 and "Штаб (B)" in listing


def test_a_bad_row_is_named_in_the_readers_language_and_nothing_is_saved(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    data = "Прізвище;Ім'я;Дата народження\nШевчук;Тарас;весною 1980\n".encode()
    preview = _preview(worker, data, "bad.csv", title="Поганий список")
    assert preview.status_code == 200
    form = {**_hidden(preview.text), **_selected(preview.text)}  # the preview's own CSRF token
    failed = worker.post("/desk/lists/import", data=form, headers=UK)
    assert failed.status_code == 422
    assert "Рядок 2, стовпець «Дата народження»: дату «весною 1980» неможливо прочитати." in failed.text
    assert "Нічого не імпортовано." in failed.text
    assert "Поганий список" not in worker.get("/desk/lists", headers=UK).text.split("<form")[0]
    in_russian = worker.post("/desk/lists/import", data=form, headers={"accept-language": "ru"})
    assert "Строка 2, столбец «Дата народження»" in in_russian.text


def test_an_unreadable_upload_and_a_missing_surname_column(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    no_surname = _preview(worker, "Хто,Коли\nМельник,1985\n".encode(), "odd.csv")
    form = {**_hidden(no_surname.text), **_selected(no_surname.text)}
    failed = worker.post("/desk/lists/import", data=form, headers=UK)
    assert failed.status_code == 422 and "жоден стовпець не містить прізвища" in failed.text
    broken = _preview(worker, b"<pfif><person>", "broken.xml")
    assert broken.status_code == 422 and "Файл" in broken.text


def test_analysts_read_lists_but_do_not_import_and_families_never_see_them(web_app: FastAPI) -> None:
    analyst = sign_in(web_app, *ANALYST)
    page = analyst.get("/desk/lists", headers=UK)
    assert page.status_code == 200 and 'action="/desk/lists/preview"' not in page.text
    refused = _preview(analyst, "Прізвище\nМельник\n".encode(), "a.csv")
    assert refused.status_code == 403
    family = sign_up(web_app, "halyna")
    assert family.get("/desk/lists").status_code in (303, 403)


def test_the_preview_and_the_list_page_speak_ukrainian_and_russian(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    data = "Прізвище;Ім'я;По батькові;Дата народження\nКоваль;Петро;Іванович;1979\n".encode()
    preview = _preview(worker, data, "translated.csv", title="Перекладений список")
    form = {**_hidden(preview.text), **_selected(preview.text)}  # the preview's own CSRF token
    list_url = worker.post("/desk/lists/import", data=form).headers["location"]
    for language in ("uk", "ru"):
        headers = {"accept-language": language}
        pages = {
            "preview": worker.post(
                "/desk/lists/preview",
                data={**FORM, "csrf_token": _form_token(worker)},
                files={"file": ("translated.csv", data, "text/csv")},
                headers=headers,
            ),
            "list": worker.get(list_url, headers=headers),
            "lists": worker.get("/desk/lists", headers=headers),
        }
        leftovers = english_messages(language)
        for name, page in pages.items():
            text = visible_text(page.text)
            assert not [m for m in leftovers if m in text] and not ENGLISH_RUN.findall(text), (language, name)
