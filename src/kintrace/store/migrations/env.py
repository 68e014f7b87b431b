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


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("kintrace migrations run online only: pass a database URL")
run_migrations_online()
