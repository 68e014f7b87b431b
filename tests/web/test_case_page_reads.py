"""The case pages read the case file once: the case's visibility is checked once per page and the
number of SQL statements does not grow with the case's evidence, relatives and requests."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import file_case, sign_in, sign_up

from kintrace.domain.vocabulary import Claim, PersonStatus, RequestOutcome, SourceKind, Visibility
from kintrace.services import access
from kintrace.services import cases as case_service
from kintrace.services import duplicates as duplicate_service
from kintrace.services import evidence as evidence_service
from kintrace.services import requests as request_service
from kintrace.services import sources as source_service
from kintrace.services.access import SYSTEM
from kintrace.services.cases import RelativeInput
from kintrace.services.evidence import EvidenceInput
from kintrace.services.persons import record_of
from kintrace.services.requests import RequestInput
from kintrace.services.sources import SourceInput

# SQL statements of one case page (the session, the account, the case file, the page's own panels):
# 24 on the desk, 23 on the portal when measured.
PAGE_STATEMENTS = 26


@dataclass
class Reads:
    statements: int = 0
    visibility_checks: int = 0
    checked: list[int] = field(default_factory=list)


@contextmanager
def counting(app: FastAPI) -> Iterator[Reads]:
    """SQL statements sent on the app's engine, and every check of one case's visibility
    (access.can_see_case, which every per-case check ends in), in any thread the request runs in."""
    reads = Reads()
    engine = app.state.engine
    check = access.can_see_case.__code__

    def on_execute(*_: Any) -> None:
        reads.statements += 1

    def on_call(frame: FrameType, what: str, _: Any) -> None:
        if what == "call" and frame.f_code is check:
            reads.visibility_checks += 1
            reads.checked.append(frame.f_locals["case_id"])

    event.listen(engine, "before_cursor_execute", on_execute)
    sys.setprofile(on_call)
    threading.setprofile(on_call)
    try:
        yield reads
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
        sys.setprofile(None)
        event.remove(engine, "before_cursor_execute", on_execute)


def _fill(app: FastAPI, case_id: int, items: int) -> None:
    """Evidence from graded sources, relatives, a request with its answer and a duplicate link."""
    with app.state.sessionmaker() as session, session.begin():
        db: Session = session
        other = case_service.create_case(
            db, SYSTEM, record_of(case_service.get_case(db, SYSTEM, case_id).person)
        )
        duplicate_service.link_duplicates(db, SYSTEM, case_id, other.id, "same name")
        ids = []
        for number in range(items):
            source = source_service.create_source(
                db, SYSTEM, SourceInput(SourceKind.OFFICIAL_BODY, f"Office {number}")
            )
            db.flush()
            item = evidence_service.add_evidence(
                db,
                SYSTEM,
                case_id,
                EvidenceInput(
                    claim=Claim.SEEN_AT_PLACE,
                    source_id=source.id,
                    text=f"seen {number}",
                    visibility=Visibility.FAMILY if number % 2 else Visibility.INTERNAL,
                ),
            )
            db.flush()
            ids.append(item.id)
            case_service.add_relative(
                db,
                SYSTEM,
                case_id,
                RelativeInput(full_name=f"Relative {number}", relationship="brother", phone="+380501112233"),
            )
        request = request_service.submit_request(
            db,
            SYSTEM,
            case_id,
            RequestInput(
                PersonStatus.CONFIRMED_CAPTURED, "Coordination HQ", dt.date(2024, 3, 1), evidence_ids=ids
            ),
        )
        db.flush()
        request_service.record_answer(
            db,
            SYSTEM,
            request.id,
            received_on=dt.date(2024, 3, 20),
            outcome=RequestOutcome.PENDING,
            text="interim",
        )


def _family_case(app: FastAPI) -> tuple[Any, Any, int]:
    family = sign_up(app, "marta")
    case_id = file_case(family)
    worker = sign_in(app, *CASEWORKER)
    return family, worker, case_id


def _page_reads(app: FastAPI, browser: Any, path: str) -> Reads:
    with counting(app) as reads:
        page = browser.get(path)
    assert page.status_code == 200, page.text
    return reads


def test_each_case_page_checks_the_case_once_and_its_reads_do_not_grow_with_the_case(
    web_app: FastAPI,
) -> None:
    family, worker, small = _family_case(web_app)
    _, _, large = _family_case(web_app)
    _fill(web_app, small, items=2)
    _fill(web_app, large, items=12)
    for browser, path in ((worker, "/desk/cases/{}"), (family, "/my/cases/{}")):
        if browser is family:
            with web_app.state.sessionmaker() as session, session.begin():
                member = case_service.case_members(session, SYSTEM, small)[0]
                case_service.link_family_user(session, SYSTEM, large, member.user_id, "linked")
        few = _page_reads(web_app, browser, path.format(small))
        many = _page_reads(web_app, browser, path.format(large))
        assert many.statements == few.statements, (path, few.statements, many.statements)
        # Before the one read: 27 statements and 15 checks (the desk), 36 and 10 (the portal).
        assert many.statements <= PAGE_STATEMENTS, (path, many.statements)
        assert many.checked == [large], (path, many.checked)
    api = worker.get(f"/api/v1/cases/{large}")
    assert api.status_code == 200 and api.json()["id"] == large
    with counting(web_app) as reads:
        assert family.get(f"/api/v1/cases/{large}").status_code == 200
    assert reads.checked == [large]
    other_family = sign_up(web_app, "oksana")
    with counting(web_app) as reads:
        assert other_family.get(f"/my/cases/{large}").status_code == 404
        assert other_family.get(f"/api/v1/cases/{large}").status_code == 404
    assert reads.checked == [large, large]
