"""split_full_name: orders, swapped first and last names, initials."""

from __future__ import annotations

import pytest

from kintrace.linkage.fields import split_full_name


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Щербаков Юрий Алексеевич", ("Щербаков", "Юрий", "Алексеевич")),  # usual order
        ("Юрий Алексеевич Щербаков", ("Щербаков", "Юрий", "Алексеевич")),  # name, patronymic, surname
        ("Щербаков Юрій Олексійович", ("Щербаков", "Юрій", "Олексійович")),
        ("Юра Щербаков", ("Щербаков", "Юра", "")),  # given name first (diminutive)
        ("Щербаков Юра", ("Щербаков", "Юра", "")),
        ("Shcherbakov Iurii", ("Shcherbakov", "Iurii", "")),
        ("Iurii Shcherbakov", ("Shcherbakov", "Iurii", "")),  # swapped
        ("SHCHERBAKOV Iurii", ("SHCHERBAKOV", "Iurii", "")),  # passport style
        ("Iurii SHCHERBAKOV", ("SHCHERBAKOV", "Iurii", "")),
        ("Щербаков, Юрий Алексеевич", ("Щербаков", "Юрий", "Алексеевич")),  # comma after surname
        ("Щербаков Ю.А.", ("Щербаков", "Ю", "А")),  # initials after
        ("Щербаков Ю. А.", ("Щербаков", "Ю", "А")),
        ("Ю.А. Щербаков", ("Щербаков", "Ю", "А")),  # initials before
        ("Yuri A. Shcherbakov", ("Shcherbakov", "Yuri", "A")),
        ("Щербаков Юрий А.", ("Щербаков", "Юрий", "А")),
        # A Latin spelling of one Cyrillic letter keeps its dot: "Yu." is Ю., "Yu" would be a name.
        ("Shcherbakov Yu. A.", ("Shcherbakov", "Yu.", "A")),
        ("Shcherbakov Yu.A.", ("Shcherbakov", "Yu.", "A")),
        ("YE. SHCHERBAKOV", ("SHCHERBAKOV", "YE.", "")),
        ("Shch. A. Ivanov", ("Ivanov", "Shch.", "A")),
        ("Ivan Ivanov", ("Ivanov", "Ivan", "")),
        ("Иванов Иван", ("Иванов", "Иван", "")),
        ("Петров Водкин Кузьма Сергеевич", ("Петров Водкин", "Кузьма", "Сергеевич")),
        ("Щербаков", ("Щербаков", "", "")),
        ("Юрий", ("", "Юрий", "")),
        ("", ("", "", "")),
        (None, ("", "", "")),
    ],
)
def test_split_full_name(text: str | None, parts: tuple[str, str, str]) -> None:
    assert split_full_name(text) == parts
