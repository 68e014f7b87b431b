"""`kintrace serve` in a process of its own on a loopback port, for benchmarks with a real HTTP client.

The port comes from KINTRACE_BENCH_PORTS (default 18200-18299): the first one free.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    low, high = (int(x) for x in os.environ.get("KINTRACE_BENCH_PORTS", "18200-18299").split("-"))
    for port in range(low, high + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def kintrace_command() -> list[str]:
    """The installed `kintrace` command (next to this Python), else `python -m kintrace.cli.main`."""
    beside = Path(sys.executable).parent / "kintrace"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("kintrace")
    return [found] if found else [sys.executable, "-m", "kintrace.cli.main"]


@contextmanager
def served(database_url: str, log: Path | None = None) -> Iterator[str]:
    """The base URL of `kintrace serve` over `database_url`; the server stops when the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "KINTRACE_SECRET_KEY": secrets.token_urlsafe(48),
        # Outside the demo the server refuses to start without the genetic data's master key.
        "KINTRACE_GENETIC_KEY": os.environ.get("KINTRACE_GENETIC_KEY")
        or base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        "KINTRACE_DATABASE_URL": database_url,
    }
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*kintrace_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kintrace serve exited with {process.returncode}")
            try:
                if httpx.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("kintrace serve did not start within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            out.close()  # type: ignore[union-attr]
