"""Jobs the server runs beside its lifespan: on a schedule (audit checkpoints, families' news) or once
at start (warming the matching engine)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI


def every(
    app: FastAPI, name: str, interval_s: float, job: Callable[[], object], *, on_stop: bool = False
) -> None:
    """Run `job` in a worker thread at start and then every `interval_s` seconds while the app runs
    (and once more on the way out with `on_stop`), beside whatever lifespan the app already has."""
    inner = app.router.lifespan_context

    async def loop() -> None:
        while True:
            await asyncio.to_thread(job)
            await asyncio.sleep(interval_s)

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            task = asyncio.create_task(loop(), name=name)
            try:
                yield state
            finally:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
                if on_stop:
                    await asyncio.to_thread(job)

    app.router.lifespan_context = lifespan


def at_start(app: FastAPI, name: str, job: Callable[[], object], when: Callable[[], bool]) -> None:
    """Run `job` once in a worker thread when the app starts and `when()` says so, without holding
    the start up. `when` runs first, at start, in the server's own thread (a quick check, e.g. of the
    database: the job's thread then never shares a connection with a request)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            if not when():
                yield state
                return
            task = asyncio.create_task(asyncio.to_thread(job), name=name)
            try:
                yield state
            finally:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan
