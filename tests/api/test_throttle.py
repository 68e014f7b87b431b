"""The login throttle on a fake clock."""

from __future__ import annotations

from kintrace.http.throttle import LoginThrottle, SignUpThrottle


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


def test_one_address_guessing_across_accounts_is_held_back() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window_s=60, clock=clock, max_client_failures=3)
    for name in ("a", "b", "c"):
        throttle.failed("1.2.3.4", name)
    assert throttle.retry_after_s("1.2.3.4", "d") == 61
    assert throttle.retry_after_s("5.6.7.8", "d") == 0
    throttle.succeeded("1.2.3.4", "a")  # a success elsewhere does not wipe the spray's record
    assert throttle.retry_after_s("1.2.3.4", "d") > 0


def test_one_account_guessed_from_many_addresses_is_held_back() -> None:
    throttle = LoginThrottle(max_failures=5, window_s=60, clock=Clock(), max_account_failures=4)
    for n in range(4):
        throttle.failed(f"10.0.0.{n}", "Olena")
    assert throttle.retry_after_s("10.0.0.99", "olena") > 0


def test_sign_ups_per_address_are_limited_within_the_window() -> None:
    clock = Clock()
    brake = SignUpThrottle(max_accounts=2, window_s=3600, clock=clock)
    brake.created("1.2.3.4")
    brake.created("1.2.3.4")
    assert brake.retry_after_s("1.2.3.4") == 3601
    assert brake.retry_after_s("5.6.7.8") == 0
    clock.now = 3601
    assert brake.retry_after_s("1.2.3.4") == 0
