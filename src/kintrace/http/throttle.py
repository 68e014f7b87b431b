"""Brakes on guessing and on mass sign-up, in memory, per process.

Logins: failures are counted per account (whatever identifier was typed: the e-mail and the user
name of one account share one count) and client address, per client address across all accounts
(password spraying: one guess against many accounts), and per account across all addresses (a
distributed attack on one account, with a higher limit). Sign-ups are counted per client address.

The client address is the connection's peer; `X-Forwarded-For` is believed only when
KINTRACE_TRUST_FORWARDED is set (behind a reverse proxy that sets it), else anyone could rotate it.
Enough to stop a script hammering one server; a deployment with several processes should also
rate-limit at its reverse proxy.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from threading import Lock

from fastapi import Request


def client_address(request: Request) -> str:
    """Who is calling, for the brakes: the peer address, or the proxy's word for it when trusted."""
    if getattr(request.app.state.settings, "trust_forwarded", False):
        forwarded = request.headers.get("x-forwarded-for", "")
        # The right-most entry is the one our own proxy appended; earlier ones are the client's say-so.
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.client.host if request.client else "unknown"


class _Windows:
    """Event times per key within a sliding window, with bounded memory."""

    def __init__(self, window_s: float, clock: Callable[[], float], max_tracked: int) -> None:
        self.window_s = window_s
        self.max_tracked = max_tracked
        self._clock = clock
        self.events: dict[Hashable, deque[float]] = {}

    def recent(self, key: Hashable) -> deque[float]:
        now = self._clock()
        times = self.events.setdefault(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def wait_s(self, key: Hashable, limit: int) -> int:
        """Seconds until the key is under its limit again; 0 when it is now."""
        times = self.recent(key)
        if len(times) < limit:
            return 0
        return max(1, int(self.window_s - (self._clock() - times[-limit])) + 1)

    def add(self, key: Hashable) -> None:
        if len(self.events) >= self.max_tracked:
            self._forget_stale()
        self.recent(key).append(self._clock())

    def forget(self, key: Hashable) -> None:
        self.events.pop(key, None)

    def _forget_stale(self) -> None:
        """Drop keys whose events have aged out, so a spray of made-up logins cannot fill memory."""
        now = self._clock()
        stale = [k for k, times in self.events.items() if not times or now - times[-1] > self.window_s]
        for key in stale:
            del self.events[key]
        if len(self.events) >= self.max_tracked:
            # Still full of fresh keys: forget the oldest half rather than grow without bound.
            by_age = sorted(self.events, key=lambda k: self.events[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self.events[key]


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 100_000,
        max_client_failures: int = 20,
        max_account_failures: int = 50,
    ) -> None:
        self.max_failures = max_failures
        self.max_client_failures = max_client_failures
        self.max_account_failures = max_account_failures
        self.window_s = window_s
        self._windows = _Windows(window_s, clock, max_tracked)
        self._failures = self._windows.events
        self._lock = Lock()

    def _keys(self, client: str, account: str) -> list[tuple[Hashable, int]]:
        account = account.casefold()
        return [
            (("pair", client, account), self.max_failures),
            (("client", client), self.max_client_failures),
            (("account", account), self.max_account_failures),
        ]

    def retry_after_s(self, client: str, account: str) -> int:
        """Seconds until this client may try this account again; 0 when it may now.

        `account` is the account's user name when the login names one (by e-mail or user name), so
        both identifiers share one count; otherwise the login as typed.
        """
        with self._lock:
            return max(self._windows.wait_s(key, limit) for key, limit in self._keys(client, account))

    def failed(self, client: str, account: str) -> None:
        with self._lock:
            for key, _limit in self._keys(client, account):
                self._windows.add(key)

    def succeeded(self, client: str, account: str) -> None:
        # Only the pair's count: a success does not wipe a spray's or a distributed attack's record.
        with self._lock:
            self._windows.forget(("pair", client, account.casefold()))


class SignUpThrottle:
    """At most `max_accounts` new accounts per client address per window (one family needs one)."""

    def __init__(
        self,
        max_accounts: int = 5,
        window_s: float = 60 * 60,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 100_000,
    ) -> None:
        self.max_accounts = max_accounts
        self._windows = _Windows(window_s, clock, max_tracked)
        self._lock = Lock()

    def retry_after_s(self, client: str) -> int:
        with self._lock:
            return self._windows.wait_s(client, self.max_accounts)

    def created(self, client: str) -> None:
        with self._lock:
            self._windows.add(client)
