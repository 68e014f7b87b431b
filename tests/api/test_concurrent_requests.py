"""Concurrent writers through the served app (uvicorn, real HTTP on loopback), on the test database.

The app's dependencies that identify the user are async: had a write transaction waited for
SQLite's lock on the event loop, every request would stall, including the one holding the lock
(issue 11, finding 2). Zero errors and one intact audit chain.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import text
from tests.api.live import live_server

from kintrace.store import audit
from kintrace.store.db import make_engine, session_scope

pytestmark = pytest.mark.db

WRITERS = 6
ROUNDS = 4
NAMES = ("Тарас", "Іван", "Олег", "Петро", "Марко", "Богдан")


@pytest.fixture
def own_url(tmp_path: Path) -> Iterator[str]:
    server = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'kintrace.db'}"
        return
    schema = f"kt_http_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_concurrent_api_writers_all_succeed(tmp_path: Path, own_url: str) -> None:
    failures: list[str] = []
    start = threading.Barrier(WRITERS)
    with live_server(tmp_path, own_url) as (host, port, token):
        base, headers = f"http://{host}:{port}/api/v1", {"Authorization": f"Bearer {token}"}

        def writer(number: int) -> None:
            with httpx.Client(timeout=60) as client:
                start.wait()
                for round_ in range(ROUNDS):
                    person = {"last_name": "Коваленко", "first_name": NAMES[number] + "а" * round_}
                    created = client.post(f"{base}/cases", json={"person": person}, headers=headers)
                    if created.status_code != 201:
                        failures.append(f"{created.status_code} {created.text[:200]}")
                        continue
                    changed = client.patch(
                        f"{base}/cases/{created.json()['id']}/person",
                        json={"birth_place": "Київ"},
                        headers=headers,
                    )
                    if changed.status_code != 200:
                        failures.append(f"{changed.status_code} {changed.text[:200]}")

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    with session_scope(own_url) as session:
        result = audit.verify(session)
    assert result.ok, result.describe()
    assert result.rows_checked >= 2 * WRITERS * ROUNDS
