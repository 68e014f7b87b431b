"""Every page in Ukrainian and Russian, crawled as its readers see it: no English sentence left over.

Two checks per page: no message of the catalogs appears in its English form (a string translated in
the catalog but shown untranslated), and no run of five or more English words in the visible text (a
string that never reached the catalogs). Names, codes and addresses are data, not sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import ClassVar

import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.services import list_helpers
from tests.web.conftest import ADMIN, CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up
from tests.web.test_portal_search_log import checked_against_three_lists

from kintrace.store.models import Case
from kintrace.web.i18n import CATALOG_DIR

ENGLISH_RUN = re.compile(r"\b(?:[A-Za-z][a-z']+[ ,]+){4,}[A-Za-z][a-z']+\b")


class _Text(HTMLParser):
    """The visible text of a page (no script, style, code or the language names in the switcher)."""

    SKIP: ClassVar[set[str]] = {"script", "style", "code", "option", "svg"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_messages(language: str) -> set[str]:
    """Catalog messages whose translation differs from the English (long enough to be unambiguous)."""
    with (CATALOG_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        m.id
        for m in catalog
        if isinstance(m.id, str) and m.string and m.string != m.id and len(m.id) >= 12 and "%(" not in m.id
    }


def _list_pairs(app: FastAPI, case_id: int) -> tuple[int, int]:
    """Two entries of a published list proposed for the case (as the matcher leaves them)."""
    with app.state.sessionmaker() as session:
        case = session.get(Case, case_id)
        listed = list_helpers.published_list(session, title=f"Обмін {case_id}", publisher=f"Штаб {case_id}")
        ids = [
            list_helpers.pair(session, listed, list_helpers.entry(session, listed, row), case).id
            for row in (2, 3)
        ]
        session.commit()
        return ids[0], ids[1]


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_no_page_shows_english_to_a_ukrainian_or_russian_reader(web_app: FastAPI, language: str) -> None:
    headers = {"accept-language": language}
    family = sign_up(web_app, f"pages-{language}")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)})
    worker.post(
        f"/desk/cases/{case_id}/requests",
        data={
            "requested_status": "confirmed_captured",
            "authority": "Міністерство оборони України",
            "submitted_on": (dt.date.today() - dt.timedelta(days=50)).isoformat(),
            "csrf_token": csrf(worker),
        },
    )
    made = worker.post(
        "/desk/appeals",
        data={
            "title": "Звернення",
            "authority": "Штаб",
            "demand": "active_search",
            "csrf_token": csrf(worker),
        },
    )
    appeal = made.headers["location"]
    other_case = file_case(family)
    pending, accepted = _list_pairs(web_app, case_id)
    decided = worker.post(
        f"/desk/review/{accepted}", data={"decision": "accepted", "csrf_token": csrf(worker)}
    )
    assert decided.status_code == 303  # the family's news now tells of the list
    list_ids = checked_against_three_lists(
        web_app, case_id
    )  # checked against published lists: the search log has lines
    admin = sign_in(web_app, *ADMIN)
    anonymous = TestClient(web_app, base_url="http://127.0.0.1")
    pages = {
        anonymous: ["/", "/signin", "/signup", "/safety", "/statistics"],
        family: [
            "/my",
            "/my/file",
            f"/my/cases/{case_id}",
            f"/my/cases/{case_id}/search-log",
            "/my/appeals",
            "/my/news",
            "/my/notifications",
            "/account",
        ],
        worker: [
            "/desk",
            "/desk/cases",
            f"/desk/cases/{case_id}",
            "/desk/overdue",
            "/desk/appeals",
            appeal,
            "/desk/sources",
            "/desk/review",
            f"/desk/review/{pending}",
            f"/desk/review/{accepted}",
            f"/desk/cases/{case_id}/merge/{other_case}",
            f"/desk/lists/{list_ids[0]}/unchecked",
            "/desk/lists",  # the preview and a list's page: tests/web/test_desk_lists.py
        ],
        admin: ["/admin/users"],
    }
    leftovers = english_messages(language)
    found: dict[str, list[str]] = {}
    for browser, paths in pages.items():
        for path in paths:
            response = browser.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            text = visible_text(response.text)
            problems = sorted(m for m in leftovers if m in text)
            problems += ENGLISH_RUN.findall(text)
            if problems:
                found[path] = problems
    assert not found, found
