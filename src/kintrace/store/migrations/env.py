"""Alembic environment: runs migrations on the URL or connection handed over by kintrace."""

from __future__ import annotations

from alembic import context

from kintrace.store.db import make_engine
from kintrace.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Batch mode rebuilds a SQLite table by copy, drop and rename; with foreign keys enforced, the
    drop cascades (ON DELETE CASCADE) and would empty every table that refers to it: a migration of
    dna_samples deleted every profile and result. Alembic's documented way: enforcement off while
    the migrations run (outside any transaction, where SQLite honours the pragma), then every
    reference checked before it is switched on again."""
    raw = connection.connection.dbapi_connection
    if not on:
        raw.execute("PRAGMA foreign_keys=OFF")
        return
    broken = raw.execute("PRAGMA foreign_key_check").fetchall()
    raw.execute("PRAGMA foreign_keys=ON")
    if broken:
        table, row, parent, _ = broken[0]
        raise RuntimeError(f"migration left {len(broken)} broken reference(s): {table} row {row} -> {parent}")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys(connection, on=False)
            _run(connection)
            connection.commit()
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("kintrace migrations run online only: pass a database URL")
run_migrations_online()
