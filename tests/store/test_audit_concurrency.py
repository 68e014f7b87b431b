"""Concurrent writers on PostgreSQL queue on the audit chain instead of forking it."""

from __future__ import annotations

import os
import threading
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import text

from kintrace.store import audit
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import upgrade

SERVER = os.environ.get("KINTRACE_TEST_DATABASE_URL")


@pytest.mark.db
@pytest.mark.skipif(not SERVER or not SERVER.startswith("postgresql"), reason="needs PostgreSQL")
def test_parallel_appends_keep_one_chain():
    assert SERVER is not None
    schema = f"kt_conc_{uuid.uuid4().hex[:10]}"
    admin = make_engine(SERVER)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{SERVER}{'&' if '?' in SERVER else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(url)
        engine = make_engine(url, pool_size=8)
        errors: list[BaseException] = []

        def writer(name: str) -> None:
            try:
                for n in range(15):
                    with session_scope(engine) as session:
                        audit.append(
                            session,
                            actor_id=None,
                            actor_name=name,
                            action="test.write",
                            entity="t",
                            entity_id=n,
                        )
            except BaseException as error:  # surfaced in the main thread
                errors.append(error)

        threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with session_scope(engine) as session:
            result = audit.verify(session)
        assert result.ok and result.rows_checked == 60
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
