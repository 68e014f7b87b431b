"""The desk's name search and `GET /api/v1/cases?name=` give the same answers, in the same order."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session
from tests.services.helpers import person
from tests.web.conftest import CASEWORKER, build_app
from tests.web.test_pages import sign_in

from kintrace.domain.person import PersonName
from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine

NAMES = [
    ("Мельник", "Ольга", "Петрівна"),
    ("Мельник", "Олег", "Іванович"),
    ("Мельников", "Ігор", None),
    ("Кравчук", "Ольга", "Іванівна"),
    ("Кравчук", "Петро", None),
    ("Бондар", "Андрій", None),
    ("Бондарь", "Андрей", "Сергеевич"),
    ("Шевченко", "Олександр", None),
    ("Иванов", "Сергей", "Петрович"),
]
QUERIES = [
    "Melnik",
    "Мельник",
    "Мельник О.",
    "Kravchuk Olga",
    "Ольга Кравчук",
    "Кравчук О.",
    "Бондарь",
    "Bondar Andrii",
    "shevch",
    "Oleksandr Shevchenko",
    "Ivanov S. P.",
    "Петрович",
    "Nobody",
]


@pytest.fixture(scope="module")
def searched_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    app, url = build_app(tmp_path_factory.mktemp("names"))
    engine = make_engine(url)
    with Session(engine) as session:
        for last, first, patronymic in NAMES:
            cases.create_case(session, SYSTEM, person(last, first, patronymic))
        alias = PersonName("Shevchenko", "Oleksandr", None, "Latn")
        cases.create_case(session, SYSTEM, person("Шевченко", "Олесь", None, alternative_names=(alias,)))
        session.commit()
    engine.dispose()
    return app


def _desk_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<a href="/desk/cases/(\d+)">', page)]


def test_the_desk_and_the_api_give_the_same_answers(searched_app: FastAPI) -> None:
    worker = sign_in(searched_app, *CASEWORKER)
    for query in QUERIES:
        answer = worker.get("/api/v1/cases", params={"name": query, "per_page": 100})
        assert answer.status_code == 200, answer.text
        api_ids = [item["id"] for item in answer.json()["items"]]
        page = worker.get("/desk/cases", params={"name": query})
        assert page.status_code == 200
        assert _desk_ids(page.text) == api_ids, query
        assert (api_ids == []) is (query == "Nobody"), query


def test_the_desk_shows_why_each_case_was_found(searched_app: FastAPI) -> None:
    worker = sign_in(searched_app, *CASEWORKER)
    page = worker.get("/desk/cases", params={"name": "Melnik"}).text
    assert "surname spelled differently: Melnik ~ Мельник" in page
    worker.cookies.set("kintrace_lang", "uk")
    page = worker.get("/desk/cases", params={"name": "Кравчук О."}, headers={"Accept-Language": "uk"}).text
    assert "прізвище: Кравчук; ініціал О." in page
