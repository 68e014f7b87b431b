"""The demo's two published lists: made from its own cases and strangers, imported through import_list."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import ListKind
from kintrace.domain.vocabulary import Claim
from kintrace.services import demo, users
from kintrace.services.access import SYSTEM
from kintrace.services.demo_data import generate_demo_dataset
from kintrace.services.list_import import fingerprint
from kintrace.store.models import Case, ListEntry, PublishedList
from kintrace.store.models import MissingPerson as PersonRow

TODAY = dt.date(2026, 11, 30)
_hash_once = functools.cache(users.hash_password)


@pytest.fixture
def seeded(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[PublishedList]:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    if session.scalar(select(func.count()).select_from(Case)):
        pytest.skip("the worker's database holds committed cases")
    demo.seed_demo(
        session, SYSTEM, generate_demo_dataset(n_persons=300, today=TODAY), password_hasher=_hash_once
    )
    return list(session.scalars(select(PublishedList).order_by(PublishedList.id)))


def _entries(session: Session, found: PublishedList) -> list[ListEntry]:
    return list(session.scalars(select(ListEntry).where(ListEntry.list_id == found.id)))


def test_the_demo_holds_a_prisoner_csv_and_an_exchange_xlsx(
    session: Session, seeded: list[PublishedList]
) -> None:
    prisoners, exchange = seeded
    assert (prisoners.kind, prisoners.claim, prisoners.media_type) == (
        ListKind.PRISONERS,
        Claim.CAPTURED,
        "text/csv",
    )
    assert prisoners.published_on == PartialDate.parse("2026-11-10")
    # The demo already grades the coordination HQ as a source: its lists cite that source.
    assert prisoners.publisher.name.startswith("Координаційний штаб")
    assert prisoners.column_map["Дата народження"] == "birth_date"
    assert (exchange.kind, exchange.claim, exchange.media_type.endswith("sheet")) == (
        ListKind.EXCHANGED, Claim.RELEASED, True
    )  # fmt: skip
    assert exchange.column_map["ФИО"] == "full_name"
    assert prisoners.entry_count > 25 and exchange.entry_count > 10


def test_the_lists_name_demo_cases_namesakes_and_strangers(
    session: Session, seeded: list[PublishedList]
) -> None:
    prisoners, exchange = seeded
    cases = {
        fingerprint(p.last_name, p.first_name, p.patronymic, p.birth_date): p
        for p in session.scalars(select(PersonRow))
    }
    listed = _entries(session, prisoners)
    exact = [e for e in listed if e.fingerprint in cases]
    assert len(exact) >= 5  # written exactly as the case (the birth date as the list writes it)
    assert sum(1 for e in listed if e.raw["Примітка"] == "повторно") >= 2  # the same man twice
    namesakes = [e for e in listed if e.patronymic == "Тарасович" and e.fingerprint not in cases]
    assert namesakes
    surnames = {p.last_name for p in cases.values()}
    assert any(e.last_name == "Гордієнко" for e in listed) and "Гордієнко" not in surnames
    swapped = _entries(session, exchange)
    assert any(e.last_name and e.last_name.isascii() for e in swapped)  # Latin letters
    assert any(e.fingerprint in cases for e in swapped)
