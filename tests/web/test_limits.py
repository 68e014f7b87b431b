"""Form limits on the pages (issue 11, finding 6): uploads capped while they stream, fields by length."""

from __future__ import annotations

import re

from fastapi import FastAPI
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import csrf, file_case, sign_in, sign_up

from kintrace.services.attachments import MAX_ATTACHMENT_BYTES


def _item(web_app: FastAPI) -> tuple[object, str, str]:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    token = csrf(worker)
    form = {"claim": "captured", "event_year": "2024", "source_name": "List", "source_kind": "published_list"}
    worker.post(f"/desk/cases/{case_id}/evidence", data={**form, "csrf_token": token})
    found = re.search(r'href="/desk/evidence/(\d+)"', worker.get(f"/desk/cases/{case_id}").text)
    assert found
    return worker, token, found.group(1)


def test_an_upload_over_the_limit_is_refused_naming_the_field(web_app: FastAPI) -> None:
    worker, token, item_id = _item(web_app)
    too_big = b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES
    refused = worker.post(  # type: ignore[attr-defined]
        f"/desk/evidence/{item_id}/attachments",
        data={"csrf_token": token},
        files={"document": ("scan.pdf", too_big, "application/pdf")},
    )
    assert refused.status_code == 422
    assert "larger than the limit" in refused.text


def test_a_form_far_over_the_limit_is_refused_before_it_is_parsed(web_app: FastAPI) -> None:
    worker, token, item_id = _item(web_app)
    huge = b"%PDF-1.4\n" + b"0" * (MAX_ATTACHMENT_BYTES + 1024 * 1024)
    refused = worker.post(  # type: ignore[attr-defined]
        f"/desk/evidence/{item_id}/attachments",
        data={"csrf_token": token},
        files={"document": ("scan.pdf", huge, "application/pdf")},
    )
    assert refused.status_code == 413


def test_an_evidence_text_over_the_limit_is_refused_naming_the_field(web_app: FastAPI) -> None:
    family = sign_up(web_app)
    case_id = file_case(family)
    worker = sign_in(web_app, *CASEWORKER)
    form = {
        "claim": "captured",
        "event_year": "2024",
        "source_name": "List",
        "source_kind": "published_list",
        "text": "x" * 20_001,
        "csrf_token": csrf(worker),
    }
    refused = worker.post(f"/desk/cases/{case_id}/evidence", data=form)
    assert refused.status_code == 422
    assert "longer than 20000 characters" in refused.text


def test_a_long_desk_search_is_refused_not_failed(web_app: FastAPI) -> None:
    worker = sign_in(web_app, *CASEWORKER)
    answer = worker.get("/desk/cases", params={"name": "я" * 10_000})
    assert answer.status_code in (409, 422)
    assert "longer than" in answer.text
