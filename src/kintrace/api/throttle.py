"""Slows password guessing: after a few failed logins for one account from one address, refuse for a while.

In memory, per process: enough to stop a script hammering one account through one server; a
deployment with several processes should also rate-limit at its reverse proxy.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from threading import Lock


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 100_000,
    ) -> None:
        self.max_failures = max_failures
        self.max_tracked = max_tracked
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        now = self._clock()
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def retry_after_s(self, client: str, login: str) -> int:
        """Seconds until this client may try this login again; 0 when it may now."""
        key = (client, login.casefold())
        with self._lock:
            times = self._recent(key)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(self.window_s - (self._clock() - times[0])) + 1)

    def failed(self, client: str, login: str) -> None:
        key = (client, login.casefold())
        with self._lock:
            if len(self._failures) >= self.max_tracked:
                self._forget_stale()
            self._recent(key).append(self._clock())

    def _forget_stale(self) -> None:
        """Drop keys whose failures have aged out, so a spray of made-up logins cannot fill memory."""
        now = self._clock()
        stale = [k for k, times in self._failures.items() if not times or now - times[-1] > self.window_s]
        for key in stale:
            del self._failures[key]
        if len(self._failures) >= self.max_tracked:
            # Still full of fresh keys: forget the oldest half rather than grow without bound.
            by_age = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._failures[key]

    def succeeded(self, client: str, login: str) -> None:
        with self._lock:
            self._failures.pop((client, login.casefold()), None)
