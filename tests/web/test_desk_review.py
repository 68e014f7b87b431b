"""The review queue on the desk: strongest first, filtered by list and band; a pair side by side with its
fields, Bayes factors and waterfall; accepting adds the item in the list's words; reasons are required."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy import select
from tests.services import list_helpers as lists
from tests.web.conftest import ANALYST, CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.domain.lists import PairBand
from kintrace.store.models import Case, EvidenceItem, ListPair

UK = {"accept-language": "uk"}


def _pairs(app: FastAPI, case_id: int, title: str) -> tuple[int, int, int]:
    """A list with two entries proposed for the case: a strong pair and a weak one (as the matcher would)."""
    with app.state.sessionmaker() as session:
        case = session.get(Case, case_id)
        listed = lists.published_list(session, title=title, publisher=f"{title} HQ")
        strong = lists.pair(
            session, listed, lists.entry(session, listed, 2, ("КОВАЛЕНКО", "Ігор", "Миколайович")), case
        )
        weak = lists.pair(
            session,
            listed,
            lists.entry(session, listed, 7, ("КОВАЛЕНКО", "Іван", "Петрович")),
            case,
            band=PairBand.REVIEW,
            weight=0.5,
        )
        session.commit()
        return listed.id, strong.id, weak.id


def test_the_queue_shows_pairs_strongest_first_and_filters(web_app: FastAPI) -> None:
    family = sign_up(web_app, "queue")
    case_id = file_case(family)
    list_id, strong, weak = _pairs(web_app, case_id, "Exchange of 2026-10-02 (queue)")
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get(f"/desk/review?list_id={list_id}")
    assert page.status_code == 200
    order = [int(n) for n in re.findall(r'id="pair-(\d+)"', page.text)]
    assert order == [strong, weak]
    assert 'href="/desk/review"' in page.text  # the desk navigation links the queue
    review_only = worker.get(f"/desk/review?list_id={list_id}&band=review").text
    assert re.findall(r'id="pair-(\d+)"', review_only) == [str(weak)]
    assert worker.get("/desk/review?band=nonsense&list_id=x&page=99999999").status_code == 200
    assert family.get("/desk/review").status_code in (303, 403)
    assert family.get(f"/desk/review/{strong}").status_code in (303, 403)


def test_a_pair_side_by_side_and_accepting_it(web_app: FastAPI) -> None:
    family = sign_up(web_app, "accept")
    case_id = file_case(family)
    _, strong, _ = _pairs(web_app, case_id, "Exchange of 2026-10-02 (accept)")
    worker = sign_in(web_app, *CASEWORKER)
    page = worker.get(f"/desk/review/{strong}")
    assert page.status_code == 200
    text = page.text
    assert "КОВАЛЕНКО Ігор Миколайович" in text  # the name as the list wrote it
    assert "Прізвище" in text and "Exchange of 2026-10-02 (accept) HQ" in text  # its columns, its publisher
    assert "Коваленко" in text and "412" in text and "exact" in text  # the case, a Bayes factor, a level
    assert "<svg" in text and 'class="wf-bar field' in text and "exchanged or released" in text

    refused = worker.post(
        f"/desk/review/{strong}", data={"decision": "rejected", "reason": "", "csrf_token": csrf(worker)}
    )
    assert refused.status_code == 422 and "reason" in refused.text
    done = worker.post(
        f"/desk/review/{strong}", data={"decision": "accepted", "reason": "", "csrf_token": csrf(worker)}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/desk/review/{strong}?decided=1"
    with web_app.state.sessionmaker() as session:
        pair = session.get(ListPair, strong)
        item = session.get(EvidenceItem, pair.evidence_id)
        assert item.text == (
            "Є у списку «Exchange of 2026-10-02 (accept)» "
            "(Exchange of 2026-10-02 (accept) HQ, 2026-10-02), запис 2: КОВАЛЕНКО Ігор Миколайович"
        )
    news = family.get("/my/news", headers=UK).text
    assert "Exchange of 2026-10-02 (accept)" in news
    case_page = worker.get(f"/desk/cases/{case_id}").text
    assert "Є у списку «Exchange of 2026-10-02 (accept)»" in case_page


def test_an_analyst_reads_but_does_not_decide(web_app: FastAPI) -> None:
    family = sign_up(web_app, "analyst")
    case_id = file_case(family)
    _, strong, _ = _pairs(web_app, case_id, "Exchange (analyst)")
    analyst = sign_in(web_app, *ANALYST)
    page = analyst.get(f"/desk/review/{strong}")
    assert page.status_code == 200 and 'name="decision"' not in page.text
    answer = analyst.post(
        f"/desk/review/{strong}", data={"decision": "accepted", "csrf_token": csrf(analyst)}
    )
    assert answer.status_code == 403
    with web_app.state.sessionmaker() as session:
        assert session.scalar(select(ListPair.decision).where(ListPair.id == strong)).value == "pending"
