"""Concurrent writers on the configured database (SQLite by default, PostgreSQL with the test URL).

Each writer files cases through the services and then changes them in a second transaction that
reads before it writes: the pattern of an API request (authenticate, load, change). On SQLite a
deferred transaction that read before another writer committed cannot take the write lock
("database is locked"); write transactions must begin immediately, queue on the busy timeout,
and append to one audit chain without forking it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, text

from kintrace.domain.person import MissingPerson, PersonName
from kintrace.domain.vocabulary import CaseState
from kintrace.services import cases as case_service
from kintrace.services.access import SYSTEM
from kintrace.store import audit
from kintrace.store.db import make_engine, read_only, session_scope
from kintrace.store.migrations import upgrade
from kintrace.store.models import Case

WRITERS = 8
ROUNDS = 6
IMPORTED = 100
NAMES = ("Тарас", "Іван", "Олег", "Петро", "Марко", "Богдан", "Андрій", "Юрій")


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own: its writers commit for real."""
    server = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path / 'kintrace.db'}"
        upgrade(url)
        yield url
        return
    schema = f"kt_writers_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_eight_writers_make_no_errors_and_one_audit_chain(own_database: str) -> None:
    engine = make_engine(own_database, pool_size=WRITERS, max_overflow=0)
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            start.wait()
            for round_ in range(ROUNDS):
                with session_scope(engine) as session:
                    case = case_service.create_case(
                        session, SYSTEM, MissingPerson(PersonName("Коваленко", NAMES[number] + "а" * round_))
                    )
                    case_id = case.id
                with session_scope(engine) as session:
                    # Reads first (the list, then the case), then writes.
                    session.scalar(select(func.count()).select_from(Case))
                    case_service.set_case_state(session, SYSTEM, case_id, CaseState.CLOSED)
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert [repr(error) for error in errors] == []
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(Case)) == WRITERS * ROUNDS
            result = audit.verify(session)
        assert result.ok, result.describe()
        # One case.create and one case.state row per round and writer (set_case_state audits once).
        assert result.rows_checked >= 2 * WRITERS * ROUNDS
    finally:
        engine.dispose()


def test_readers_do_not_take_the_write_lock(own_database: str) -> None:
    """A read-only transaction runs beside a writer that holds the lock (WAL on SQLite)."""
    engine = make_engine(own_database)
    try:
        with engine.connect() as writer_conn:
            writer_conn.begin()
            writer_conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
            with read_only(engine).connect() as reader_conn, reader_conn.begin():
                assert reader_conn.scalar(select(func.count()).select_from(Case)) == 0
            writer_conn.rollback()
    finally:
        engine.dispose()


def test_a_cli_import_beside_writers_waits_its_turn(own_database: str, tmp_path: Path) -> None:
    """`kintrace cases import` (its own process) while writers commit: neither side fails."""
    rows = ["reference,last_name,first_name"] + [
        f"IMP-{n:04d},Шевченко,{NAMES[n % 8]}" for n in range(IMPORTED)
    ]
    csv_path = tmp_path / "import.csv"
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    engine = make_engine(own_database, pool_size=4, max_overflow=0)
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(number: int) -> None:
        try:
            round_ = 0
            while not stop.is_set():
                with session_scope(engine) as session:
                    session.scalar(select(func.count()).select_from(Case))
                    case_service.create_case(
                        session,
                        SYSTEM,
                        MissingPerson(PersonName("Мельник", NAMES[number] + "а" * (round_ % 5))),
                    )
                round_ += 1
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "kintrace"), "cases", "import", str(csv_path)],
            env={**os.environ, "KINTRACE_DATABASE_URL": own_database},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert [repr(error) for error in errors] == []
        with session_scope(engine) as session:
            imported = session.scalar(
                select(func.count()).select_from(Case).where(Case.reference.like("IMP-%"))
            )
            result = audit.verify(session)
        assert imported == IMPORTED
        assert result.ok, result.describe()
    finally:
        engine.dispose()
