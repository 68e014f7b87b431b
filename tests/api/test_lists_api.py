"""POST/GET /api/v1/lists: a caseworker uploads a list, staff read it and its entries, families never."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kintrace.domain.vocabulary import Role

LIST_CSV = (
    "Прізвище;Ім'я;По батькові;Дата народження;В/ч\n"
    "Мельник;Іван;Петрович;05.03.1985;А1234\n"
    "Бондар;Олег;;1990 р.н.;\n"
    "Кравчук;Ольга;Миколаївна;1979;\n"
).encode()
FIELDS = {"title": "Полонені, листопад", "publisher": "Координаційний штаб", "kind": "prisoners",
          "published_on": "20.11.2026", "reliability": "B"}  # fmt: skip


@pytest.fixture(autouse=True)
def _attachments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))


def _upload(client: TestClient, headers: dict[str, str], data: bytes = LIST_CSV, **fields: str) -> Any:
    form = {**FIELDS, **fields}
    return client.post("/api/v1/lists", headers=headers, files={"file": ("prisoners.csv", data, "text/csv")},
                       data=form)  # fmt: skip


def test_a_caseworker_imports_and_staff_read(client: TestClient, make_user: Any, token_for: Any) -> None:
    caseworker = token_for(make_user(Role.CASEWORKER))
    created = _upload(client, caseworker)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["created"] is True and body["entries"] == 3
    assert body["column_map"]["Дата народження"] == "birth_date"
    again = _upload(client, caseworker, title="Інша назва")
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["list_id"] == body["list_id"]

    analyst = token_for(make_user(Role.ANALYST))
    lists = client.get("/api/v1/lists", headers=analyst).json()
    assert [(found["title"], found["publisher_name"], found["publisher_reliability"]) for found in lists] == [
        ("Полонені, листопад", "Координаційний штаб", "B")
    ]
    one = client.get(f"/api/v1/lists/{body['list_id']}", headers=analyst).json()
    assert (one["claim"], one["published_on"], one["entry_count"], one["with_birth_date"]) == (
        "captured", "2026-11-20", 3, 3
    )  # fmt: skip
    page = client.get(f"/api/v1/lists/{body['list_id']}/entries?page=2&per_page=2", headers=analyst).json()
    assert (page["total"], page["page"]) == (3, 2)
    (entry,) = page["items"]
    assert (entry["row_number"], entry["last_name"], entry["birth_date"]) == (4, "Кравчук", "1979")
    assert entry["raw"]["По батькові"] == "Миколаївна"


def test_a_bad_row_is_a_problem_naming_row_and_column(
    client: TestClient, make_user: Any, token_for: Any
) -> None:
    caseworker = token_for(make_user(Role.CASEWORKER))
    bad = _upload(client, caseworker, LIST_CSV + "Шевчук;Тарас;;весною 1980;\n".encode())
    assert bad.status_code == 422
    problem = bad.json()
    assert problem["errors"][0]["field"] == "row 5: Дата народження"
    assert client.get("/api/v1/lists", headers=caseworker).json() == []


def test_an_explicit_mapping_as_json(client: TestClient, make_user: Any, token_for: Any) -> None:
    caseworker = token_for(make_user(Role.CASEWORKER))
    data = "Хто,Коли\nМельник,1985\n".encode()
    mapping = json.dumps({"Хто": "last_name", "Коли": "birth_date"}, ensure_ascii=False)
    made = _upload(client, caseworker, data, column_map=mapping)
    assert made.status_code == 201, made.text
    assert made.json()["column_map"] == {"Хто": "last_name", "Коли": "birth_date"}
    broken = _upload(client, caseworker, data + b"x,1\n", column_map="[1]")
    assert broken.status_code == 422 and "column_map" in broken.text


def test_families_and_analysts_may_not_import_and_families_not_read(
    client: TestClient, make_user: Any, token_for: Any
) -> None:
    family = token_for(make_user(Role.FAMILY))
    analyst = token_for(make_user(Role.ANALYST))
    assert _upload(client, family).status_code == 403
    assert _upload(client, analyst).status_code == 403
    assert client.get("/api/v1/lists", headers=family).status_code == 403
    assert client.get("/api/v1/lists/1/entries", headers=family).status_code == 403
    assert client.get("/api/v1/lists/987654", headers=analyst).status_code == 404
