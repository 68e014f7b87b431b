"""Possible duplicates on the pages: a family told only "may already be registered" (in its language),
the caseworker's case page with the engine's reasons, the desk's list of pairs, compare, and dismissal."""

from __future__ import annotations

import re

from fastapi import FastAPI
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_pages import CASE_FORM, SAME_ORIGIN, client, csrf, sign_in, sign_up

# A man no other test of this module files, so the pairs below are this test's own.
REPORT = {
    **CASE_FORM,
    "last_name": "Гуменюк",
    "first_name": "Остап",
    "patronymic": "Богданович",
    "birth_year": "1984",
    "birth_month": "7",
    "birth_day": "19",
    "unit": "А4471",
}
MAYBE_UK = "Можливо, цю людину вже зареєстровано"
# Another man, unlike the first: no pair.
OTHERS = [
    {"last_name": "Литвиненко", "first_name": "Петро", "patronymic": "Іванович", "birth_year": "1970"},
    {"last_name": "Поліщук", "first_name": "Максим", "patronymic": "Андрійович", "birth_year": "1999"},
    {"last_name": "Марченко", "first_name": "Віктор", "patronymic": "Олегович", "birth_year": "1979"},
]


def _file(browser, form: dict[str, str]) -> tuple[int, bool]:
    response = browser.post("/my/file", data={**form, "csrf_token": csrf(browser)})
    assert response.status_code == 303, response.text
    match = re.match(r"/my/cases/(\d+)\?filed=1(&maybe=1)?$", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1)), bool(match.group(2))


def _in_ukrainian(browser) -> None:
    browser.cookies.set("kintrace_lang", "uk")


def test_a_family_filing_a_known_person_is_told_only_that_he_may_be_registered(web_app: FastAPI) -> None:
    for other in OTHERS:
        _file(sign_up(web_app, "neighbour"), {**CASE_FORM, **other})
    first_family = sign_up(web_app, "halyna")
    first_id, first_maybe = _file(first_family, {**REPORT, "phone": "+380 50 111 2233"})
    assert not first_maybe
    second_family = sign_up(web_app, "oksana")
    _in_ukrainian(second_family)
    second_id, second_maybe = _file(second_family, {**REPORT, "phone": "+380 67 999 0000"})
    assert second_maybe
    page = second_family.get(f"/my/cases/{second_id}?filed=1&maybe=1")
    assert page.status_code == 200
    assert MAYBE_UK in page.text
    # Nothing of the first family's report: not its reference, its phone, its account or its case id.
    first_reference = sign_in(web_app, *CASEWORKER).get(f"/desk/cases/{first_id}")
    reference = re.search(r"KT-\d+", first_reference.text)
    assert reference is not None
    for secret in (reference.group(0), "+380 50 111 2233", "halyna", f"/cases/{first_id}"):
        assert secret not in page.text
    assert second_family.get(f"/my/cases/{first_id}").status_code == 404
    assert second_family.get("/desk/duplicates").headers["location"] == "/my"

    # The caseworker sees the proposed link on both case pages, with the engine's reasons.
    worker = sign_in(web_app, *CASEWORKER)
    case_page = worker.get(f"/desk/cases/{second_id}")
    assert "Found by the record linkage engine when the case was filed" in case_page.text
    assert "surname=exact" in case_page.text
    assert f"/desk/cases/{second_id}/compare/{first_id}?candidate=1" in case_page.text
    compare = worker.get(f"/desk/cases/{second_id}/compare/{first_id}?candidate=1")
    assert compare.status_code == 200
    assert "Why the engine proposes this pair" in compare.text
    assert "Bayes factor" in compare.text and "likely the same person" in compare.text


def test_the_desk_lists_pairs_with_reasons_and_a_dismissed_pair_does_not_return(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    # Filed by staff on the desk's own form, both open at once; the second is proposed as a link.
    form = {**REPORT, "last_name": "Дзюба", "first_name": "Назар", "reporter_name": "Ірина"}
    made = []
    for _ in range(2):
        response = worker.post("/desk/file", data={**form, "csrf_token": csrf(worker)})
        assert response.status_code == 303, response.text
        made.append(int(re.search(r"/desk/cases/(\d+)", response.headers["location"]).group(1)))
    assert f"/desk/cases/{made[1]}/compare/{made[0]}?candidate=1" in worker.get(f"/desk/cases/{made[1]}").text
    # Unlinked again, the pair waits in the desk's list of possible duplicates.
    link_id = re.search(r"/desk/duplicates/(\d+)/unlink", worker.get(f"/desk/cases/{made[0]}").text)
    assert link_id is not None
    worker.post(
        f"/desk/duplicates/{link_id.group(1)}/unlink",
        data={"case_id": str(made[0]), "csrf_token": csrf(worker)},
        headers=SAME_ORIGIN,
    )
    listing = worker.get("/desk/duplicates")
    assert listing.status_code == 200
    anchor = f'id="pair-{made[0]}-{made[1]}"'
    assert anchor in listing.text
    assert f"/desk/cases/{made[0]}/compare/{made[1]}?candidate=1" in listing.text
    assert "Bayes factor" in listing.text and "Birth date" in listing.text
    # Strongest first.
    shown = [float(p) for p in re.findall(r"Probability (\d\.\d+)", listing.text)]
    assert shown == sorted(shown, reverse=True) and shown

    no_reason = worker.post(
        "/desk/duplicates/dismiss",
        data={
            "case_id": str(made[0]),
            "other_case_id": str(made[1]),
            "reason": "",
            "csrf_token": csrf(worker),
        },
    )
    assert no_reason.status_code == 422
    dismissed = worker.post(
        "/desk/duplicates/dismiss",
        data={
            "case_id": str(made[0]),
            "other_case_id": str(made[1]),
            "reason": "Різні батьки: перевірено з обома родинами",
            "csrf_token": csrf(worker),
        },
    )
    assert dismissed.status_code == 303
    after = worker.get(dismissed.headers["location"])
    assert "will not be proposed again" in after.text and anchor not in after.text

    # An analyst reads the list but may not dismiss; a family is sent to its own pages.
    analyst = sign_in(web_app, *ANALYST)
    assert analyst.get("/desk/duplicates").status_code == 200
    refused = analyst.post(
        "/desk/duplicates/dismiss",
        data={
            "case_id": str(made[0]),
            "other_case_id": str(made[1]),
            "reason": "x",
            "csrf_token": csrf(analyst),
        },
    )
    assert refused.status_code == 403
    assert client(web_app).get("/desk/duplicates").headers["location"] == "/signin?next=/desk/duplicates"


def test_the_desk_reads_stored_pairs_and_recomputes_them_on_demand(web_app: FastAPI) -> None:
    from sqlalchemy import delete

    from kintrace.store.db import transaction
    from kintrace.store.models import DuplicateCandidate, DuplicateLink

    worker = sign_in(web_app, *CASEWORKER)
    form = {**REPORT, "last_name": "Вакуленко", "first_name": "Ілля", "reporter_name": "Марта"}
    made = []
    for _ in range(2):
        response = worker.post("/desk/file", data={**form, "csrf_token": csrf(worker)})
        assert response.status_code == 303, response.text
        made.append(int(re.search(r"/desk/cases/(\d+)", response.headers["location"]).group(1)))
    with transaction(web_app.state.sessionmaker) as session:  # unlinked behind the desk's back
        session.execute(delete(DuplicateLink).where(DuplicateLink.other_case_id == made[1]))
    anchor = f'id="pair-{made[0]}-{made[1]}"'
    assert anchor in worker.get("/desk/duplicates").text
    # The page shows the stored rows: one deleted is gone from it, though the engine would find it.
    with transaction(web_app.state.sessionmaker) as session:
        session.execute(delete(DuplicateCandidate).where(DuplicateCandidate.other_case_id == made[1]))
    page = worker.get("/desk/duplicates")
    assert anchor not in page.text
    assert "has not been computed over the whole registry yet" in page.text
    # "Recompute" runs the engine over the registry in the background; then the pair is back.
    started = worker.post("/desk/duplicates/refresh", data={"csrf_token": csrf(worker)})
    assert started.status_code == 303 and started.headers["location"] == "/desk/duplicates?done=refreshing"
    web_app.state.duplicate_refresh.join(timeout=120)
    assert not web_app.state.duplicate_refresh.is_alive()
    after = worker.get("/desk/duplicates")
    assert anchor in after.text
    assert (
        "last computed over the whole registry on" in after.text and "Recompute every pair now" in after.text
    )
    # Pages of pairs: a page beyond the last shows the last; a page that is no number is named.
    assert anchor in worker.get("/desk/duplicates?page=999").text
    for bad in ("0", "x"):
        assert worker.get(f"/desk/duplicates?page={bad}").status_code == 422
    # Without a session, or as a family, no recomputation.
    assert client(web_app).post("/desk/duplicates/refresh").status_code in (303, 403)
    family = sign_up(web_app, "stranger")
    refused = family.post("/desk/duplicates/refresh", data={"csrf_token": csrf(family)})
    assert refused.status_code == 303 and refused.headers["location"] == "/my"
