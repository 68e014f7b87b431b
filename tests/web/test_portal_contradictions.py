"""A contradiction explained as a family can follow it (issue 13): which two items, from whom, what it
means and what the caseworker does; an item the family may not see is named as such, never shown."""

from __future__ import annotations

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up


def _evidence(claim: str, month: str, source: str, visibility: str, token: str) -> dict[str, str]:
    return {
        "claim": claim,
        "event_year": "2024",
        "event_month": month,
        "source_name": source,
        "source_kind": "official_body",
        "reliability": "A",
        "credibility": "1",
        "visibility": visibility,
        "csrf_token": token,
    }


def test_the_family_reads_both_items_what_it_means_and_what_happens(web_app: FastAPI) -> None:
    family = sign_up(web_app, "contra")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    for form in (
        _evidence("dead", "2", "Військкомат", "family", token),
        _evidence("alive", "5", "МКЧХ", "family", token),
    ):
        assert worker.post(f"/desk/cases/{case_id}/evidence", data=form).status_code == 303

    page = family.get(f"/my/cases/{case_id}", headers={"accept-language": "uk"}).text
    notes = page.split('class="conflict-note"')[1:]
    assert len(notes) == 2  # on each of the two items, pointing at the other
    dead_note = next(note for note in notes if "МКЧХ" in note)
    assert "Ознака життя, датована пізніше за повідомлення про загибель." in dead_note
    assert "Інший запис:" in dead_note and "#item-" in dead_note
    assert "Одне з двох хибне" in dead_note
    assert "ваш куратор перевіряє обидва джерела" in dead_note


def test_an_internal_item_in_a_contradiction_is_named_but_never_shown(web_app: FastAPI) -> None:
    family = sign_up(web_app, "contra-internal")
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    worker.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": token})
    for form in (
        _evidence("dead", "2", "Таємне джерело", "internal", token),
        _evidence("alive", "5", "МКЧХ", "family", token),
    ):
        assert worker.post(f"/desk/cases/{case_id}/evidence", data=form).status_code == 303
    page = family.get(f"/my/cases/{case_id}").text
    # The family's contradictions are found among what it may read: the hidden notice is not hinted at.
    assert "Таємне джерело" not in page
    assert 'class="conflict-note"' not in page
