"""Given-name forms, diminutives and patronymics: the table and every derivation rule."""

from __future__ import annotations

from collections import Counter

import pytest

from kintrace.linkage.names.forms import (
    canonical_given_name,
    canonical_patronymic,
    given_name_candidates,
    given_name_sex,
    given_names,
    patronymic_parts,
    russian_patronymics,
    ukrainian_patronymics,
)
from kintrace.linkage.names.keys import name_key


def test_table_coverage_and_integrity() -> None:
    rows = given_names()
    sexes = Counter(r.sex for r in rows)
    assert sexes["m"] >= 150
    assert sexes["f"] >= 100
    canon = [r.canonical for r in rows]
    assert len(canon) == len(set(canon))
    for row in rows:
        assert row.russian and row.ukrainian, row.canonical


def test_full_forms_of_different_names_never_share_a_key() -> None:
    owner: dict[str, str] = {}
    for row in given_names():
        for form in row.russian + row.ukrainian:
            key = name_key(form)
            assert owner.setdefault(key, row.canonical) == row.canonical, (form, owner[key])


@pytest.mark.parametrize(
    ("forms", "canonical"),
    [
        (["Сергей", "Сергій", "Serhii", "Sergey", "Sergei", "SERHII"], "sergei"),
        (["Александр", "Олександр", "Саша", "Шура", "Санёк", "Alexander", "Oleksandr", "Sasha"], "aleksandr"),
        (["Юрий", "Юра", "Yuri", "Iurii", "Юрій", "Yurii"], "yuri"),
        (["Алексей", "Лёша", "Алёша", "Олексій", "Alexei", "Oleksii", "Lyosha"], "aleksei"),
        (["Дмитрий", "Дима", "Дмитро", "Dmytro", "Dmitry"], "dmitri"),
        (["Николай", "Коля", "Микола", "Mykola", "Nikolay"], "nikolai"),
        (["Владимир", "Вова", "Володя", "Володимир", "Volodymyr"], "vladimir"),
        (["Евгений", "Женя", "Євген", "Yevhen", "Yevgeny"], "evgeni"),
        (["Анна", "Ганна", "Hanna", "Аня"], "anna"),
        (["Пётр", "Петро", "Pyotr", "Petro", "Петя"], "petr"),
    ],
)
def test_forms_and_diminutives_map_to_one_key(forms: list[str], canonical: str) -> None:
    assert {canonical_given_name(f) for f in forms} == {canonical}


def test_ambiguous_diminutive_prefers_male_unless_sex_given() -> None:
    assert canonical_given_name("Женя") == "evgeni"
    assert canonical_given_name("Женя", sex="f") == "evgenia"
    assert canonical_given_name("Саша", sex="f") == "aleksandra"
    assert [c for c, _ in given_name_candidates("Саша")] == ["aleksandr", "aleksandra"]
    assert given_name_sex("Женя") is None
    assert given_name_sex("Ольга") == "f"


def test_full_form_outranks_a_diminutive_of_another_name() -> None:
    # Нина is a name of its own and also short for Антонина.
    assert canonical_given_name("Нина") == "nina"


def test_unknown_name_falls_back_to_name_key() -> None:
    assert canonical_given_name("Зигфрид") == name_key("Зигфрид")
    assert canonical_given_name("") == ""
    assert canonical_given_name(None) == ""


# ------------------------------------------------------------------------------------ patronymic rules


@pytest.mark.parametrize(
    ("name", "male", "female"),
    [
        ("Иван", ["иванович"], ["ивановна"]),  # hard consonant
        ("Игорь", ["игоревич"], ["игоревна"]),  # -ь
        ("Алексей", ["алексеевич"], ["алексеевна"]),  # vowel + й
        ("Николай", ["николаевич"], ["николаевна"]),
        ("Юрий", ["юрьевич", "юриевич"], ["юрьевна", "юриевна"]),  # -ий
        ("Никита", ["никитич"], ["никитична", "никитинична"]),  # -а
        ("Илья", ["ильич"], ["ильична", "ильинична"]),  # -я
        ("Пётр", ["петрович"], ["петровна"]),  # ё written е
    ],
)
def test_russian_patronymic_rules(name: str, male: list[str], female: list[str]) -> None:
    assert russian_patronymics(name) == (male, female)


@pytest.mark.parametrize(
    ("name", "male", "female"),
    [
        ("Іван", ["іванович"], ["іванівна"]),  # consonant
        ("Петро", ["петрович"], ["петрівна"]),  # -о
        ("Василь", ["васильович"], ["василівна"]),  # -ь
        ("Сергій", ["сергійович"], ["сергіївна"]),  # vowel + й
        ("Микита", ["микитович", "микитич"], ["микитівна"]),  # -а
    ],
)
def test_ukrainian_patronymic_rules(name: str, male: list[str], female: list[str]) -> None:
    assert ukrainian_patronymics(name) == (male, female)


@pytest.mark.parametrize(
    ("forms", "canonical"),
    [
        (["Алексеевич", "Олексійович", "Alekseevich", "Oleksiiovych", "Alekseyevich"], "aleksei_m"),
        (["Алексеевна", "Олексіївна", "Alekseevna", "Oleksiivna"], "aleksei_f"),
        (["Юрьевич", "Юриевич", "Юрійович", "Iurevich", "Yuriyovych"], "yuri_m"),
        (["Николаевич", "Миколайович", "Mykolaiovych"], "nikolai_m"),
        (["Ильич", "Ілліч", "Ilyich"], "ilya_m"),
        (["Ильинична", "Іллівна"], "ilya_f"),
        (["Львович", "Lvovich"], "lev_m"),
        (["Фёдорович", "Федорович", "Fedorovych"], "fedor_m"),
        (["Дмитриевич", "Дмитрович", "Dmitrievich", "Dmytrovych"], "dmitri_m"),
        (["Петрівна", "Петровна"], "petr_f"),
    ],
)
def test_patronymics_map_to_father_and_sex(forms: list[str], canonical: str) -> None:
    assert {canonical_patronymic(f) for f in forms} == {canonical}


def test_unknown_father_name_still_agrees_across_languages() -> None:
    m = {canonical_patronymic(p) for p in ("Ахмедович", "Akhmedovich")}
    f = {canonical_patronymic(p) for p in ("Ахмедовна", "Ахмедівна", "Akhmedivna")}
    unknown_m = {canonical_patronymic(p) for p in ("Зигфридович", "Зигфрідович")}
    assert len(m) == len(f) == len(unknown_m) == 1
    assert m != f
    assert next(iter(unknown_m)).endswith("_m")


def test_not_a_patronymic() -> None:
    assert patronymic_parts("Иванов") is None
    assert canonical_patronymic("Иванов") == name_key("Иванов")
    assert canonical_patronymic(None) == ""


def test_canonical_keys_have_no_underscore() -> None:
    # canonical_patronymic joins the father's canonical name and the sex with "_"; callers split on it.
    assert all("_" not in row.canonical for row in given_names())
    father, sex = canonical_patronymic("Олексіївна").split("_")
    assert (father, sex) == ("aleksei", "f")


# Spellings as they appear in Latin-script lists (passports, press, foreign agencies).
LIST_SPELLINGS = {
    "vladimir": ["Volodymyr", "Volodimir", "Vladymyr", "Wladimir", "Vova"],
    "mikhail": ["Mykhaylo", "Mikhaylo", "Mykhailo", "Michail", "Misha"],
    "andrei": ["Andriy", "Andrii", "Andrey", "Andrej"],
    "vasili": ["Vasyl", "Vasiliy", "Wassili", "Vasily"],
    "maksim": ["Maksym", "Maxym", "Maxim"],
    "aleksandr": ["Olexander", "Alexandre", "Aleksandr", "Sasha"],
    "nikolai": ["Mikolaj", "Nikolaj", "Mykola", "Kolya"],
    "grigori": ["Hryhorii", "Grygorii", "Grigoriy"],
    "elena": ["Olena", "Helena", "Yelena"],
    "tatiana": ["Tetiana", "Tatjana", "Tatyana"],
    "anna": ["Hanna", "Anna", "Ganna"],
}


@pytest.mark.parametrize(("canonical", "spellings"), sorted(LIST_SPELLINGS.items()))
def test_list_spellings(canonical: str, spellings: list[str]) -> None:
    assert {canonical_given_name(s) for s in spellings} == {canonical}


def test_ukrainian_patronymic_of_hryhorii_drops_the_ending() -> None:
    # Григорій -> Григорович/Григорівна (the usual form), unlike Сергій -> Сергійович.
    assert canonical_patronymic("Григорович") == canonical_patronymic("Hryhorovych") == "grigori_m"
    assert canonical_patronymic("Григорівна") == "grigori_f"
