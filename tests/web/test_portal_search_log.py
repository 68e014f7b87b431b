"""The search log on the family's case page (in Ukrainian), consent to list matching, the desk's panel."""

from __future__ import annotations

import datetime as dt
import re

from fastapi import FastAPI
from sqlalchemy.orm import Session
from tests.services.search_log_rows import check, entry, pair, published_list
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.domain.lists import ListKind, PairDecision, SearchResult
from kintrace.store.models import Case

UK = {"accept-language": "uk"}
NOV_20 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def words(html: str) -> str:
    """The page's text as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" :", ":")


def consent_of(app: FastAPI, case_id: int) -> tuple[bool, str | None]:
    with app.state.sessionmaker() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.list_matching_consent, case.list_matching_basis


def checked_against_three_lists(app: FastAPI, case_id: int) -> list[int]:
    """The case checked against three lists: found on one, a candidate under review on another."""
    with app.state.sessionmaker() as session:
        session: Session
        case = session.get(Case, case_id)
        assert case is not None
        exchange = published_list(
            session, "Обмін 14 листопада", publisher="Коордштаб", published_on="2026-11-14"
        )
        prisoners = published_list(session, "Полонені, жовтень", kind=ListKind.PRISONERS)
        dead = published_list(session, "Загиблі", kind=ListKind.DEAD)
        check(session, case, exchange, SearchResult.FOUND, NOV_20 - dt.timedelta(days=2))
        check(session, case, prisoners, SearchResult.UNDER_REVIEW, NOV_20)
        check(session, case, dead, SearchResult.NO_CANDIDATE, NOV_20 - dt.timedelta(days=1))
        pair(session, case, entry(session, exchange, "Коваленко", "Ігор"), PairDecision.ACCEPTED)
        pair(session, case, entry(session, prisoners, "Коваленков", "Ігнат"))
        session.commit()
        return [exchange.id, prisoners.id, dead.id]


def test_filing_with_the_box_ticked_agrees_to_list_matching(web_app: FastAPI) -> None:
    family = sign_up(web_app, "spysky")
    form = family.get("/my/file", headers=UK).text
    assert 'name="list_matching" value="yes" checked' in form
    assert "Перевірити мого родича за опублікованими списками" in form

    case_id = file_case(family, list_matching="yes")

    assert consent_of(web_app, case_id) == (True, "agreed when filing")
    page = family.get(f"/my/cases/{case_id}", headers=UK).text
    assert "Ще не перевірено за жодним опублікованим списком." in page
    assert "Припинити звіряння зі списками" in page


def test_without_consent_the_page_explains_and_the_family_agrees(web_app: FastAPI) -> None:
    family = sign_up(web_app, "zghoda")
    case_id = file_case(family)  # the box unticked: the form sends no list_matching
    assert consent_of(web_app, case_id) == (False, None)
    page = family.get(f"/my/cases/{case_id}", headers=UK).text
    assert "Вашого родича не звіряють із жодним списком, доки ви не погодитеся." in page

    agreed = family.post(
        f"/my/cases/{case_id}/list-consent", data={"consent": "yes", "csrf_token": csrf(family)}
    )

    assert agreed.status_code == 303
    assert consent_of(web_app, case_id) == (True, "agreed in the portal")
    family.post(f"/my/cases/{case_id}/list-consent", data={"consent": "no", "csrf_token": csrf(family)})
    assert consent_of(web_app, case_id)[0] is False


def test_the_family_reads_its_search_log_in_ukrainian(web_app: FastAPI) -> None:
    family = sign_up(web_app, "zhurnal")
    case_id = file_case(family, list_matching="yes")
    checked_against_three_lists(web_app, case_id)

    page = words(family.get(f"/my/cases/{case_id}", headers=UK).text)

    assert "Перевірено за 3 опублікованими списками, востаннє 2026-11-20." in page
    assert "Знайдено в: Обмін 14 листопада (Коордштаб, 2026-11-14)" in page
    assert "В 1 списку працівник справи перевіряє можливий збіг." in page
    assert "Коваленков" not in page and "Ігнат" not in page  # never the name of the man on the list

    full = family.get(f"/my/cases/{case_id}/search-log", headers=UK)
    assert full.status_code == 200
    line = "Полонені, жовтень Координаційний штаб · опубліковано 2026-11-20 · полонені"
    assert line in words(full.text)
    assert "перевірено 2026-11-20: можливий збіг перевіряє працівник справи" in words(full.text)
    assert "Коваленков" not in full.text


def test_another_familys_case_reads_as_missing(web_app: FastAPI) -> None:
    owner, stranger = sign_up(web_app, "vlasnyk"), sign_up(web_app, "chuzhyi")
    case_id = file_case(owner, list_matching="yes")
    checked_against_three_lists(web_app, case_id)

    assert stranger.get(f"/my/cases/{case_id}/search-log", headers=UK).status_code == 404
    refused = stranger.post(
        f"/my/cases/{case_id}/list-consent", data={"consent": "no", "csrf_token": csrf(stranger)}
    )
    assert refused.status_code == 404
    assert consent_of(web_app, case_id)[0] is True


def test_the_desk_panel_records_consent_with_its_basis(web_app: FastAPI) -> None:
    family = sign_up(web_app, "desk")
    case_id = file_case(family)
    list_ids = checked_against_three_lists(web_app, case_id)
    worker = sign_in(web_app, *CASEWORKER)

    page = words(worker.get(f"/desk/cases/{case_id}").text)
    assert "Lists checked" in page and "Checked against 3 lists, the latest on 2026-11-20." in page
    assert "No consent to list matching" in page
    unchecked_link = f'href="/desk/lists/{list_ids[0]}/unchecked"'
    assert unchecked_link in worker.get(f"/desk/cases/{case_id}").text

    missing = worker.post(
        f"/desk/cases/{case_id}/list-consent", data={"consent": "yes", "csrf_token": csrf(worker)}
    )
    assert missing.status_code == 422
    assert "say how the family gave or withdrew consent" in missing.text
    saved = worker.post(
        f"/desk/cases/{case_id}/list-consent",
        data={"consent": "yes", "basis": "told by phone on 2026-12-01", "csrf_token": csrf(worker)},
    )
    assert saved.status_code == 303
    assert consent_of(web_app, case_id) == (True, "told by phone on 2026-12-01")
    page = words(worker.get(f"/desk/cases/{case_id}").text)
    assert "The family agreed to list matching." in page and "by Worker" in page

    reader = sign_in(web_app, *ANALYST)
    assert f'action="/desk/cases/{case_id}/list-consent"' not in reader.get(f"/desk/cases/{case_id}").text


def test_the_desk_sees_open_consented_cases_never_checked_against_a_list(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    family = sign_up(web_app, "nikoly")
    checked = file_case(family, list_matching="yes")
    never = file_case(family, list_matching="yes", last_name="Неперевіренко")
    for case_id in (checked, never):
        worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(worker)})
    # Lists stored without being matched (written directly here; in use, a match that failed): a case
    # verified later would be matched against them at once, so both cases are verified first.
    list_ids = checked_against_three_lists(web_app, checked)

    page = worker.get(f"/desk/lists/{list_ids[0]}/unchecked")

    assert page.status_code == 200
    assert f'href="/desk/cases/{never}#lists"' in page.text
    assert f'href="/desk/cases/{checked}#lists"' not in page.text
    assert worker.get("/desk/lists/987654/unchecked").status_code == 404
    assert family.get(f"/desk/lists/{list_ids[0]}/unchecked").headers["location"] == "/my"
