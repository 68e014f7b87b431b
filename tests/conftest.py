"""Database fixtures shared by the registry tests (store, services, API, CLI).

By default every worker migrates its own SQLite file; with KINTRACE_TEST_DATABASE_URL set (a
PostgreSQL URL) every worker makes its own schema, migrates it, and drops it at the end. Each test
runs inside one outer transaction that is rolled back, so tests never see each other's rows, even
when the code under test commits (the session joins the outer transaction through savepoints).
"""

from __future__ import annotations

import base64
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from kintrace.store.db import make_engine

# `from tests.factories import ...` works however pytest was started (plain `pytest` or `python -m`).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

# Outside the demo the server refuses to start without a genetic master key; tests get a fresh one
# (tests of that refusal remove it).
os.environ.setdefault("KINTRACE_GENETIC_KEY", base64.b64encode(os.urandom(32)).decode("ascii"))

DB_FIXTURES = frozenset({"database_url", "engine", "session", "connection", "fresh_sqlite_url"})
DB_FOLDERS = ("store", "services", "cli")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that touches a database fixture is a `db` test (rerun on PostgreSQL by `make test`)."""
    here = Path(__file__).resolve().parent
    db_folders = [here / name for name in DB_FOLDERS]
    for item in items:
        path = Path(str(item.fspath)).resolve()
        in_db_folder = any(folder in path.parents for folder in db_folders)
        if in_db_folder or DB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this test worker (SQLite file, or a PostgreSQL schema of its own)."""
    from kintrace.store.migrations import upgrade

    server_url = os.environ.get("KINTRACE_TEST_DATABASE_URL")
    if not server_url:
        path = tmp_path_factory.mktemp("db") / "kintrace.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    schema = f"kt_test_{_worker()}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    url = f"{server_url}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[object]:
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def session(connection: object) -> Iterator[Session]:
    """A session whose commits stay inside the test's outer transaction (rolled back afterwards)."""
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)  # type: ignore[arg-type]
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def fresh_sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite file of the test's own (for CLI runs that commit for real)."""
    from kintrace.store.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'kintrace.db'}"
    upgrade(url)
    return url


@pytest.fixture
def factories(session: Session) -> Iterator[object]:
    """The factories module, bound to this test's session."""
    from tests import factories as module

    module.bind(session)
    yield module
    module.bind(None)
