"""Partial date columns: a PartialDate in, the same PartialDate out, the stored text as it always was."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import exc, func, select, text
from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.store.models import EvidenceItem, MissingPerson
from kintrace.store.types import as_text


@pytest.mark.parametrize("date", [PartialDate(1990), PartialDate(1990, 5), PartialDate(1990, 5, 17)])
def test_a_partial_date_is_stored_as_its_iso_text_and_read_back_as_itself(
    session: Session, factories: Any, date: PartialDate
) -> None:
    person = factories.PersonFactory(birth_date=date)
    session.flush()
    stored = session.execute(
        text("SELECT birth_date FROM persons WHERE id = :id"), {"id": person.id}
    ).scalar_one()
    assert stored == str(date)  # "1990", "1990-05", "1990-05-17": the text any tool reads
    session.expire(person)
    assert person.birth_date == date and isinstance(person.birth_date, PartialDate)


def test_text_written_before_is_read_as_a_partial_date(session: Session, factories: Any) -> None:
    person = factories.PersonFactory(birth_date=None)
    session.flush()
    session.execute(text("UPDATE persons SET birth_date = '1987-11' WHERE id = :id"), {"id": person.id})
    session.expire(person)
    assert person.birth_date == PartialDate(1987, 11)


def test_a_text_is_refused_so_every_date_is_read_once_where_it_enters(
    session: Session, factories: Any
) -> None:
    with pytest.raises(exc.StatementError, match="takes a PartialDate, not str '1990-05'"):
        factories.PersonFactory(birth_date="1990-05")
        session.flush()


def test_sql_compares_a_column_with_a_partial_date_and_reads_its_text(
    session: Session, factories: Any
) -> None:
    case = factories.CaseFactory()
    for date in (PartialDate(2023), PartialDate(2023, 6), PartialDate(2024, 1, 5)):
        factories.EvidenceFactory(case=case, event_date=date)
    session.flush()
    mine = select(EvidenceItem.event_date).where(EvidenceItem.case_id == case.id)
    assert session.scalars(mine.where(EvidenceItem.event_date == PartialDate(2023, 6))).all() == [
        PartialDate(2023, 6)
    ]
    # As text, the column compares with ISO text: "2023" < "2023-06" < "2024-01-05".
    later = mine.where(as_text(EvidenceItem.event_date) > "2023-06").order_by(
        as_text(EvidenceItem.event_date)
    )
    assert session.scalars(later).all() == [PartialDate(2024, 1, 5)]
    day = as_text(EvidenceItem.event_date)
    lengths = select(day, func.length(day)).where(EvidenceItem.case_id == case.id)
    assert sorted(tuple(row) for row in session.execute(lengths)) == [
        ("2023", 4),
        ("2023-06", 7),
        ("2024-01-05", 10),
    ]


def test_the_person_table_keeps_the_same_column_type(session: Session) -> None:
    # No migration: the column is the VARCHAR(10) it always was (tests/store/test_migrations compares all).
    column = MissingPerson.__table__.c.birth_date
    assert column.type.impl.length == 10  # type: ignore[attr-defined]
