"""Inputs an attacker or a fuzzer sends answer 4xx naming the field, never 500 (issue 11, finding 7)."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kintrace.domain.vocabulary import Role

BEYOND_INT64 = 2**63
BEYOND_INT32 = 2**31


@pytest.fixture
def staff(make_user: Any, token_for: Any) -> dict[str, str]:
    headers: dict[str, str] = token_for(make_user(Role.CASEWORKER))
    return headers


@pytest.mark.parametrize("number", [BEYOND_INT64, BEYOND_INT32, 0, -1])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/{n}",
        "/api/v1/cases/{n}/person",
        "/api/v1/evidence/{n}",
        "/api/v1/cases/{n}/relatives",
        "/api/v1/requests/{n}",
        "/api/v1/sources/{n}",
        "/api/v1/attachments/{n}",
    ],
)
def test_ids_beyond_the_databases_integers_are_refused(
    client: TestClient, staff: dict[str, str], path: str, number: int
) -> None:
    answer = client.get(path.format(n=number), headers=staff)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"page={BEYOND_INT64}", "page"),
        ("page=2000000", "page"),
        (f"days_pending={BEYOND_INT64}", "days_pending"),
        ("days_pending=99999999", "days_pending"),
        (f"caseworker_id={BEYOND_INT64}", "caseworker_id"),
        ("name=" + "k" * 60_000, "name"),  # the longest query httpx sends is 65,536
    ],
)
def test_list_filters_out_of_range_are_refused(
    client: TestClient, staff: dict[str, str], query: str, field: str
) -> None:
    answer = client.get(f"/api/v1/cases?{query}", headers=staff)
    assert answer.status_code == 422
    assert field in [error["field"] for error in answer.json()["errors"]]


def test_overdue_page_and_days_beyond_range_are_refused(client: TestClient, staff: dict[str, str]) -> None:
    for query in (f"page={BEYOND_INT64}", f"days_pending={BEYOND_INT64}"):
        assert client.get(f"/api/v1/overdue?{query}", headers=staff).status_code == 422


def test_body_ids_beyond_range_are_refused(client: TestClient, staff: dict[str, str]) -> None:
    case = client.post(
        "/api/v1/cases", json={"person": {"last_name": "Коваленко", "first_name": "Іван"}}, headers=staff
    ).json()
    answer = client.post(
        f"/api/v1/cases/{case['id']}/evidence",
        json={"source_id": BEYOND_INT64, "claim": "alive"},
        headers=staff,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "source_id"


def test_null_for_a_required_field_names_it(client: TestClient, staff: dict[str, str]) -> None:
    answer = client.post(
        "/api/v1/cases", json={"person": {"last_name": None, "first_name": "Іван"}}, headers=staff
    )
    assert answer.status_code == 422
    assert "person.last_name" in [error["field"] for error in answer.json()["errors"]]
    answer = client.post("/api/v1/cases", json={"person": None}, headers=staff)
    assert answer.status_code == 422


@pytest.mark.parametrize(("bad", "words"), [("\x00", ("NUL",)), ("\ud800", ("surrogate", "unicode"))])
def test_nul_and_lone_surrogates_are_refused_naming_the_field(
    client: TestClient, staff: dict[str, str], bad: str, words: tuple[str, ...]
) -> None:
    body = {"person": {"last_name": "Коваленко", "first_name": "Іван", "circumstances": f"біля{bad}мосту"}}
    # json.dumps writes the lone surrogate as the escape \ud800, as an attacker's client would.
    answer = client.post(
        "/api/v1/cases",
        content=json.dumps(body),
        headers={**staff, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors[0]["field"] == "person.circumstances"
    assert any(word in errors[0]["message"] for word in words)


def test_nul_in_a_name_search_is_refused(client: TestClient, staff: dict[str, str]) -> None:
    answer = client.get("/api/v1/cases", params={"name": "Ко\x00ва"}, headers=staff)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "name"


def test_timestamps_carry_a_utc_offset(client: TestClient, staff: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/cases", json={"person": {"last_name": "Коваленко", "first_name": "Іван"}}, headers=staff
    ).json()
    read = client.get(f"/api/v1/cases/{created['id']}", headers=staff).json()
    for moment in (created["created_at"], read["created_at"], read["updated_at"]):
        parsed = dt.datetime.fromisoformat(moment)
        assert parsed.utcoffset() == dt.timedelta(0), moment


def test_problem_answers_are_documented(client: TestClient) -> None:
    description = client.get("/api/v1/openapi.json").json()
    operation = description["paths"]["/api/v1/cases/{case_id}"]["get"]
    for status in ("401", "404", "422"):
        assert "application/problem+json" in operation["responses"][status]["content"]
    assert "Problem" in description["components"]["schemas"]


def test_decomposed_cyrillic_and_stress_marks_are_stored_composed(
    client: TestClient, staff: dict[str, str]
) -> None:
    last = unicodedata.normalize("NFD", "Йоси́пенко")  # NFD "Й" and a stress mark on "и"
    assert len(last) != len("Йосипенко")
    answer = client.post(
        "/api/v1/cases", json={"person": {"last_name": last, "first_name": "Фе\u0301дір"}}, headers=staff
    )
    assert answer.status_code == 201, answer.text
    person = answer.json()["person"]
    assert (person["last_name"], person["first_name"]) == ("Йосипенко", "Федір")
    found = client.get("/api/v1/cases", params={"name": "йоси\u0301пенко"}, headers=staff).json()
    assert found["total"] == 1
