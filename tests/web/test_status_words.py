"""Status words agree with the person's sex in Ukrainian and Russian (issue 13): a daughter "зникла"."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from tests.web.test_pages import file_case, sign_up

from kintrace.web import labels


@pytest.mark.parametrize(
    ("language", "feminine", "masculine"),
    [("uk", "Зникла безвісти", "Зниклий безвісти"), ("ru", "Пропала без вести", "Пропал без вести")],
)
def test_a_missing_woman_is_feminine_and_a_man_masculine(
    web_app: FastAPI, language: str, feminine: str, masculine: str
) -> None:
    family = sign_up(web_app, f"sister-{language}")
    family.cookies.set("kintrace_lang", language)
    daughter = file_case(family, first_name="Олена", patronymic="Іванівна", sex="female")
    son = file_case(family, first_name="Ігор", sex="male")
    daughter_page = family.get(f"/my/cases/{daughter}").text
    assert feminine in daughter_page and masculine not in daughter_page
    son_page = family.get(f"/my/cases/{son}").text
    assert masculine in son_page and feminine not in son_page
    home = family.get("/my").text
    assert feminine in home and masculine in home


def test_english_reads_the_same_for_both() -> None:
    assert set(labels.FEMININE_STATUS.values()) <= set(labels.STATUS.values())
