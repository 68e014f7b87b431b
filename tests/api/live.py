"""The app as `kintrace serve` runs it (uvicorn with its config), in a thread, on a loopback port.

The port is the first free one of KINTRACE_TEST_PORTS (default 18200-18299).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kintrace.cli.registry import server_config
from kintrace.domain.vocabulary import Role
from kintrace.server.app import create_app
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM, actor_for
from kintrace.store.db import session_scope
from kintrace.store.migrations import upgrade


def port_in_range() -> int:
    low, high = (int(x) for x in os.environ.get("KINTRACE_TEST_PORTS", "18200-18299").split("-"))
    # pytest-xdist workers start at different ports, so two of them do not race for the same one.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    offset = (int(worker) if worker.isdigit() else 0) * 10 % (high - low + 1)
    for port in [*range(low + offset, high + 1), *range(low, low + offset)]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


@contextmanager
def live_server(folder: Path, database_url: str | None = None) -> Iterator[tuple[str, int, str]]:
    """(host, port, a caseworker's bearer token) of the app served over a migrated database."""
    import uvicorn

    url = database_url or f"sqlite:///{folder / 'kintrace.db'}"
    upgrade(url)
    with session_scope(url) as session:
        user = user_service.create_user(
            session, SYSTEM, username="worker", password="a long test password", role=Role.CASEWORKER
        )
        _row, token = user_service.create_api_token(session, actor_for(user), user.id, "test")
    app = create_app(url, secrets.token_urlsafe(48))
    port = port_in_range()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port, token
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()
