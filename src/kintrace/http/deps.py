"""Per-request plumbing: the database session (one transaction per request) and the settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session, sessionmaker

from kintrace.http.server_settings import ServerSettings
from kintrace.store.db import transaction

_READING_METHODS = frozenset({"GET", "HEAD"})
# The largest row id: the databases' 32-bit integer keys (an id beyond it cannot name a row).
MAX_ID = 2**31 - 1


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One session and transaction per request: committed when the handler returns, else rolled back.

    Used with scope="function" so the commit happens before the response goes out: a client never
    sees 201 for a write that then failed to commit. Handlers therefore build their response models
    inside the handler, while the session is still open.
    """
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    # GET and HEAD only read: on SQLite they need not queue behind writers for the write lock.
    reading = request.method in _READING_METHODS
    with transaction(factory, reading=reading) as session:
        if not reading:
            # Begin now, in the worker thread this dependency runs in: on SQLite a write transaction's
            # BEGIN IMMEDIATE may wait for the lock, and the async dependencies after this one (the
            # signed-in user) run on the event loop, where that wait would stall every request,
            # including the one holding the lock.
            session.connection()
        yield session


Db = Annotated[Session, Depends(get_db, scope="function")]
AppSettings = Annotated[ServerSettings, Depends(get_settings)]
# A row id in a path: beyond the database's integer range it cannot name a row (422, not a 500).
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
