"""The secret key policy: outside the demo, no missing, short, default or low-entropy key."""

from __future__ import annotations

import secrets

import pytest

from kintrace.http.server_settings import InsecureSecretKey, ServerSettings, check_secret_key
from kintrace.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "no secret key"),
        ("", "no secret key"),
        ("   ", "no secret key"),
        ("short-but-random-Zq8", "only 20 characters"),
        ("changeme", "only 8 characters"),
        ("changemechangemechangemechangeme", "well-known default"),
        ("change-me-change-me-change-me-change-me", "well-known default"),
        ("09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", "well-known default"),
        ("replace-with-a-long-random-string", "well-known default"),
        ("a" * 64, "distinct characters"),
        ("1234123412341234123412341234123412", "distinct characters"),
    ],
)
def test_refuses_unfit_keys(key: str | None, reason: str) -> None:
    with pytest.raises(InsecureSecretKey, match=reason) as error:
        check_secret_key(key)
    assert "KINTRACE_SECRET_KEY" in str(error.value)


def test_accepts_a_random_key() -> None:
    key = secrets.token_urlsafe(48)
    assert check_secret_key(key) == key
    assert ServerSettings.build("sqlite://", key).secret_key == key


def test_demo_makes_up_a_key_per_process_when_none_is_given() -> None:
    first = ServerSettings.build("sqlite://", None, demo=True).secret_key
    second = ServerSettings.build("sqlite://", None, demo=True).secret_key
    assert len(first) >= 32 and first != second


def test_demo_accepts_any_given_key() -> None:
    assert ServerSettings.build("sqlite://", "demo", demo=True).secret_key == "demo"


def test_the_proxy_header_is_trusted_only_when_the_settings_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    key = secrets.token_urlsafe(48)
    given = Settings.from_environ({"KINTRACE_TRUST_FORWARDED": "1"})
    assert ServerSettings.build("sqlite://", key, config=given).trust_forwarded is True
    monkeypatch.delenv("KINTRACE_TRUST_FORWARDED", raising=False)
    assert ServerSettings.build("sqlite://", key).trust_forwarded is False
    monkeypatch.setenv("KINTRACE_TRUST_FORWARDED", "yes")
    assert ServerSettings.build("sqlite://", key).trust_forwarded is True
    monkeypatch.setenv("KINTRACE_TRUST_FORWARDED", "no")
    assert ServerSettings.build("sqlite://", key).trust_forwarded is False
    monkeypatch.setenv("KINTRACE_TRUST_FORWARDED", "perhaps")  # a typo must not silently mean "no"
    with pytest.raises(SettingsError, match="KINTRACE_TRUST_FORWARDED"):
        ServerSettings.build("sqlite://", key)
