"""The login throttle on a fake clock."""

from __future__ import annotations

from kintrace.api.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_max_failures_until_the_window_passes() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window_s=60, clock=clock)
    for _ in range(3):
        assert throttle.retry_after_s("1.2.3.4", "Anna@x.org") == 0
        throttle.failed("1.2.3.4", "anna@x.org")
    assert throttle.retry_after_s("1.2.3.4", "ANNA@x.org") == 61
    assert throttle.retry_after_s("5.6.7.8", "anna@x.org") == 0  # another address is not held back
    clock.now = 61
    assert throttle.retry_after_s("1.2.3.4", "anna@x.org") == 0


def test_success_clears_the_count() -> None:
    throttle = LoginThrottle(max_failures=2, window_s=60, clock=Clock())
    throttle.failed("h", "u")
    throttle.succeeded("h", "u")
    throttle.failed("h", "u")
    assert throttle.retry_after_s("h", "u") == 0


def test_memory_stays_bounded_under_a_spray_of_logins() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=2, window_s=60, clock=clock, max_tracked=100)
    for n in range(1000):
        clock.now = n / 100
        throttle.failed("h", f"user{n}")
    assert len(throttle._failures) <= 100
    throttle.failed("h", "target")
    throttle.failed("h", "target")
    assert throttle.retry_after_s("h", "target") > 0
