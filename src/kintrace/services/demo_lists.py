"""Two synthetic published lists for the demo, made from the demo's own cases and strangers.

A prisoner list (CSV, Ukrainian headers, semicolons, as a coordination body would publish it) and an
exchange list (XLSX, Russian headers, one "ФИО" column) name some of the demo's missing men the way
real lists do: exact, with a birth year only ("1990 р.н."), with a typo, in Latin letters, first name
first, without a patronymic, and one man twice. Beside them stand namesakes (the same surname and
given name, another patronymic and birth year) and people the registry does not hold. Both lists go in
through `import_list`, so the demo exercises the real import.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import ListKind
from kintrace.domain.vocabulary import CaseState, Reliability, Sex
from kintrace.linkage.names.translit import transliterate
from kintrace.services.access import Actor
from kintrace.services.list_import import Publisher, import_list
from kintrace.store.models import Case
from kintrace.store.models import MissingPerson as PersonRow

SEED = 20261120
PRISONER_HEADERS = (
    "№", "Прізвище", "Ім'я", "По батькові", "Дата народження", "Військова частина", "Звання", "Примітка",
)  # fmt: skip
EXCHANGE_HEADERS = ("№ п/п", "ФИО", "Дата рождения", "Воинская часть", "Дата обмена")
STRANGERS = (
    ("Гордієнко", "Валентин", "Семенович"), ("Тимошенко", "Арсен", "Вадимович"),
    ("Кучер", "Ростислав", "Ігорович"), ("Сидорчук", "Федір", "Павлович"), ("Гребенюк", "Лев", "Данилович"),
    ("Остапчук", "Мирон", "Тарасович"), ("Юрченко", "Захар", "Ілліч"), ("Білик", "Остап", "Романович"),
    ("Приходько", "Святослав", "Олегович"), ("Чорновол", "Геннадій", "Борисович"),
    ("Зінченко", "Єгор", "Маркович"), ("Дячук", "Данило", "Остапович"),
)  # fmt: skip


@dataclass(frozen=True)
class _Man:
    last: str
    first: str | None
    patronymic: str | None
    birth: PartialDate | None
    unit: str | None
    rank: str | None


def _men(session: Session) -> list[_Man]:
    """The demo's open cases of men with a known birth date, in a fixed order."""
    rows = session.execute(
        select(PersonRow)
        .join(Case, Case.id == PersonRow.case_id)
        .where(Case.state == CaseState.OPEN, PersonRow.sex == Sex.MALE, PersonRow.birth_date.is_not(None))
        .order_by(Case.id)
    ).scalars()
    return [
        _Man(p.last_name, p.first_name, p.patronymic, p.birth_date, p.unit, p.rank)
        for p in rows
        if p.birth_date is not None
    ]


def _written(date: PartialDate | None, style: int) -> str:
    """A birth date as lists write it: DD.MM.YYYY, D.M.YYYY, "YYYY р.н.", or MM.YYYY."""
    if date is None:
        return ""
    if style == 1 or date.month is None:
        return f"{date.year} р.н."
    if date.day is None:
        return f"{date.month:02d}.{date.year}"
    return (
        f"{date.day}.{date.month}.{date.year}"
        if style == 2
        else f"{date.day:02d}.{date.month:02d}.{date.year}"
    )


def _typo(word: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped inside the word (never the first)."""
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _stranger_year(rng: random.Random) -> str:
    return f"{rng.randrange(1968, 2005)} р.н."


def prisoner_list(men: list[_Man], rng: random.Random) -> bytes:
    """The prisoner list's CSV (UTF-8 with a byte-order mark, as a spreadsheet saves it)."""
    rows: list[tuple[str, ...]] = []

    def add(last: str, first: str | None, patronymic: str | None, born: str, unit: str | None,
            rank: str | None, note: str = "") -> None:  # fmt: skip
        rows.append((last, first or "", patronymic or "", born, unit or "", rank or "", note))

    listed = men[0:60:3][:18]
    for index, man in enumerate(listed):
        style = index % 6
        last = _typo(man.last, rng) if style == 3 else man.last
        patronymic = None if style == 4 else man.patronymic
        add(last, man.first, patronymic, _written(man.birth, style % 3), man.unit, man.rank)
        if style == 5:  # the same man again further down, his given name misspelt
            add(man.last, _typo(man.first or "", rng), man.patronymic, _written(man.birth, 1), man.unit, None,
                "повторно")  # fmt: skip
    for man in men[1:40:7][:5]:  # namesakes: same surname and given name, another man
        year = (man.birth.year if man.birth else 1980) + rng.choice((-9, -6, 7, 11))
        add(man.last, man.first, "Тарасович", f"{year} р.н.", None, "солдат")
    for last, first, patronymic in STRANGERS[:8]:
        add(last, first, patronymic, _stranger_year(rng), None, "солдат")
    rng.shuffle(rows)
    lines = [";".join(PRISONER_HEADERS)]
    lines += [";".join((str(number), *row)) for number, row in enumerate(rows, start=1)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def exchange_list(men: list[_Man], rng: random.Random, exchanged_on: dt.date) -> bytes:
    """The exchange list's workbook: one ФИО column, names in several spellings."""
    rows: list[tuple[object, ...]] = []
    for index, man in enumerate(men[2:80:4][:12]):
        parts = [man.last, man.first or "", man.patronymic or ""]
        style = index % 4
        if style == 1:  # Latin letters, as a foreign agency lists them
            parts = [transliterate(part, "icao") for part in parts]
        elif style == 2:  # given name and patronymic first
            parts = [parts[1], parts[2], parts[0]]
        full_name = " ".join(part for part in parts if part)
        birth: object = ""
        if man.birth is not None:
            if man.birth.day is not None and style != 3:
                birth = dt.datetime(man.birth.year, man.birth.month or 1, man.birth.day)
            else:
                birth = f"{man.birth.year} г.р."
        rows.append((full_name, birth, man.unit or "", dt.datetime.combine(exchanged_on, dt.time())))
    for last, first, patronymic in STRANGERS[8:]:
        rows.append((f"{last} {first} {patronymic}", _stranger_year(rng).replace("р.н.", "г.р."), "", ""))
    rng.shuffle(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Обмен"
    sheet.append(EXCHANGE_HEADERS)
    for number, row in enumerate(rows, start=1):
        sheet.append((number, *row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_demo_lists(session: Session, actor: Actor, today: dt.date | None = None) -> list[int]:
    """Import the two demo lists; their ids (the prisoner list first)."""
    today = today or dt.date.today()
    rng = random.Random(SEED)
    men = _men(session)
    prisoners = import_list(
        session,
        actor,
        prisoner_list(men, rng),
        "poloneni-demo.csv",
        title="Список військовополонених (демонстраційний)",
        publisher=Publisher("Координаційний штаб з питань поводження з військовополоненими", Reliability.B),
        published_on=(today - dt.timedelta(days=20)).isoformat(),
        kind=ListKind.PRISONERS,
        language="uk",
        script="Cyrl",
    )
    exchanged_on = today - dt.timedelta(days=6)
    exchange = import_list(
        session,
        actor,
        exchange_list(men, rng, exchanged_on),
        "obmen-demo.xlsx",
        title="Список обмена (демонстрационный)",
        publisher=Publisher("Опубликованный список обмена (Telegram)", Reliability.D),
        published_on=exchanged_on.isoformat(),
        kind=ListKind.EXCHANGED,
        language="ru",
    )
    return [prisoners.list_id, exchange.list_id]
