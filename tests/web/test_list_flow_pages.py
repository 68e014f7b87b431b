"""Issue 16 through the pages: a case whose family did not agree is never matched; a namesake a
caseworker rejected does not come back when a corrected edition of the list is imported."""

from __future__ import annotations

import re

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import SAME_ORIGIN, csrf, file_case, sign_in, sign_up

HEADER = "Прізвище;Ім'я;По батькові;Дата народження;В/ч\n"


def _import(desk, csv: str, title: str) -> int:  # type: ignore[no-untyped-def]
    data = (HEADER + csv).encode("utf-8")
    meta = {"title": title, "publisher": "Координаційний штаб", "kind": "prisoners", "reliability": "B"}
    preview = desk.post(
        "/desk/lists/preview",
        data={**meta, "csrf_token": csrf(desk)},
        files={"file": ("list.csv", data, "text/csv")},
        headers=SAME_ORIGIN,
    )
    assert preview.status_code == 200, preview.text
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_0-9]+)" value="([^"]*)"', preview.text))
    chosen = dict(
        re.findall(
            r'<select id="map-\d+" name="(map_\d+)">.*?<option value="([a-z_]+)" selected', preview.text
        )
    )
    done = desk.post(
        "/desk/lists/import", data={**hidden, **chosen, "csrf_token": csrf(desk)}, headers=SAME_ORIGIN
    )
    assert done.status_code == 303, done.text
    return int(done.headers["location"].split("/")[-1].split("?")[0])


def _queue(desk) -> str:  # type: ignore[no-untyped-def]
    return desk.get("/desk/review").text


def test_no_consent_no_match_and_a_rejected_namesake_stays_rejected(web_app: FastAPI) -> None:
    agreed = sign_up(web_app, "agreed")
    agreed_case = file_case(
        agreed,
        last_name="Гнатюк",
        first_name="Василь",
        patronymic="Іванович",
        birth_year="1988",
        list_matching="yes",
    )
    refused = sign_up(web_app, "refused")
    refused_case = file_case(
        refused, last_name="Дорошенко", first_name="Максим", patronymic="Олегович", birth_year="1979"
    )  # the box left unticked
    desk = sign_in(web_app, *CASEWORKER)
    for case_id in (agreed_case, refused_case):
        desk.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(desk)})

    # Both men are on the list; only the case whose family agreed is matched.
    _import(desk, "Гнатюк;Василь;Іванович;1988;\nДорошенко;Максим;Олегович;1979;\n", "Полонені, випуск 1")
    queue = _queue(desk)
    assert "Гнатюк" in queue.upper() or "ГНАТЮК" in queue.upper()
    assert "ДОРОШЕНКО" not in queue.upper()
    log = refused.get(f"/my/cases/{refused_case}/search-log").text
    assert "Полонені, випуск 1" not in log

    # The caseworker rules the listed Гнатюк out (a namesake) ...
    pair = re.search(r'href="/desk/review/(\d+)"', queue)
    assert pair
    rejected = desk.post(
        f"/desk/review/{pair.group(1)}",
        data={"decision": "rejected", "reason": "інший батько, інша частина", "csrf_token": csrf(desk)},
    )
    assert rejected.status_code == 303
    # ... and a corrected edition of the list (another file) names the same man again: he does not return.
    _import(
        desk, "Гнатюк;Василь;Іванович;1988;\nДорошенко;Максим;Олегович;1979;А0001\n", "Полонені, випуск 2"
    )
    assert "ГНАТЮК" not in _queue(desk).upper()
