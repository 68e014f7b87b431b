"""Engines and sessions. One place decides how kintrace talks to SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kintrace import settings

DEFAULT_URL = settings.DEFAULT_DATABASE_URL
# Execution option that marks a connection's transactions as read-only (see `read_only`).
READ_ONLY = "kintrace_read_only"


def sqlite_busy_timeout_ms() -> int:
    """How long a SQLite writer waits for the write lock before it gives up (ms)."""
    return settings.current().sqlite_busy_timeout_ms


def database_url() -> str:
    """The configured database: KINTRACE_DATABASE_URL, else the SQLite file under var/."""
    return settings.current().database_url


def _prepare_sqlite(engine: Engine) -> None:
    """SQLAlchemy's documented pysqlite recipe for transactions, with immediate write transactions.

    pysqlite opens transactions lazily and never around DDL or SAVEPOINT; we take control of BEGIN
    so migrations are transactional and nested transactions work as on PostgreSQL.

    A plain (deferred) BEGIN takes the write lock only at the first write. If another writer
    committed after this transaction's first read, SQLite cannot upgrade it and answers "database
    is locked" at once, without waiting on the busy timeout. So write transactions BEGIN IMMEDIATE:
    they take the write lock first, queue on the busy timeout, and the audit chain's head they read
    cannot change under them. Read-only transactions (`read_only`) BEGIN DEFERRED and, under WAL,
    run beside the writer.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten, not left in free pages: erased personal data must be gone.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={sqlite_busy_timeout_ms()}")
        # Readers and the one writer stop blocking each other (the server answers several requests at once).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if reading else "BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """The engine for transactions that only read: on SQLite they do not queue for the write lock."""
    return engine.execution_options(**{READ_ONLY: True})


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default: `database_url()`); creates the folder of a SQLite file."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _prepare_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, reading: bool = False) -> Iterator[Session]:
    """A session from `factory` whose work commits when the block ends and rolls back if it raises.

    `reading`: the block only reads (on SQLite its transaction does not take the write lock).
    """
    session = factory(execution_options={READ_ONLY: True}) if reading else factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def session_scope(engine_or_url: Engine | str | None = None) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises."""
    engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            yield session
    finally:
        if not isinstance(engine_or_url, Engine):
            engine.dispose()
