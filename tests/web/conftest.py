"""The real app on a free loopback port (uvicorn in a thread, its own SQLite file) and Debian's Chromium.

Browser tests fail if any page asks for an address other than the kintrace server: every asset must be
served by kintrace itself (no CDN, no web font, no analytics).
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from kintrace.domain.vocabulary import Role
from kintrace.http.throttle import SignUpThrottle
from kintrace.server.app import create_app
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine
from kintrace.store.migrations import upgrade
from kintrace.web.app import include_web

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often give /dev/shm only 64 MB
]
CASEWORKER = ("worker", "worker-password-1")
ADMIN = ("chief", "chief-password-1")
ANALYST = ("reader", "reader-password-1")


def build_app(tmp: Path) -> tuple[FastAPI, str]:
    """A migrated SQLite database with a caseworker and an admin, and the app over it."""
    url = f"sqlite:///{tmp / 'kintrace.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        for (username, password), role in (
            (CASEWORKER, Role.CASEWORKER),
            (ADMIN, Role.ADMIN),
            (ANALYST, Role.ANALYST),
        ):
            user_service.create_user(
                session,
                SYSTEM,
                username=username,
                password=password,
                role=role,
                display_name=username.title(),
            )
        session.commit()
    engine.dispose()
    app = create_app(url, secrets.token_urlsafe(48), demo=False)
    include_web(app)
    # One module's pages sign up dozens of families from the one test client; the brake itself is
    # tested with its real limit (tests/api/test_account_brakes.py).
    app.state.signup_throttle = SignUpThrottle(max_accounts=10_000)
    return app, url


@pytest.fixture(scope="module", autouse=True)
def attachments_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Uploaded files go to a temporary folder, never into the working tree's var/."""
    folder = tmp_path_factory.mktemp("attachments")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KINTRACE_ATTACHMENTS_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """One app per test module; each test makes its own accounts and cases."""
    app, _ = build_app(tmp_path_factory.mktemp("pages"))
    return app


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn on 127.0.0.1 in a background thread while the block runs: its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the kintrace test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a background thread; yields its base URL."""
    app, _ = build_app(tmp_path_factory.mktemp("web"))
    with serving(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visits:
    """A browser context whose every request is checked against the kintrace server's origin."""

    base: str
    context: object
    foreign: list[str] = field(default_factory=list)


@pytest.fixture
def visits(browser: object, live_server: str) -> Iterator[Visits]:
    yield from _visits(browser, live_server, locale="en-GB")


def _visits(
    browser: object, base: str, locale: str, width: int = 1280, bypass_csp: bool = False
) -> Iterator[Visits]:
    origin = urlsplit(base).netloc
    context = browser.new_context(  # type: ignore[attr-defined]
        locale=locale, viewport={"width": width, "height": 900}, bypass_csp=bypass_csp
    )
    record = Visits(base, context)

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc != origin:
            record.foreign.append(url)
            route.abort()  # type: ignore[attr-defined]
        else:
            route.continue_()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    context.set_default_timeout(10_000)
    try:
        yield record
    finally:
        context.close()
    assert not record.foreign, f"pages asked for addresses other than the kintrace server: {record.foreign}"


@pytest.fixture
def open_context(browser: object, live_server: str) -> Iterator[object]:
    """A factory for more contexts (another family, another language, a phone-sized screen)."""
    made: list[Iterator[Visits]] = []

    def make(locale: str = "en-GB", width: int = 1280) -> Visits:
        generator = _visits(browser, live_server, locale=locale, width=width)
        made.append(generator)
        return next(generator)

    yield make
    for generator in made:
        next(generator, None)
