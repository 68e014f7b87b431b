"""What one running app holds: its database, its checked secret key, the demo flag, the cookie policy.

Built once by the app factory from its arguments and the registry's settings (`kintrace.settings`,
where every KINTRACE_ variable is read), and kept on `app.state.settings` for both faces.

The secret key signs the session cookies and CSRF tokens; whoever knows it can act as any user.
So outside the demo the app refuses to start with a missing, short or well-known key rather than
run with one an attacker could guess.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from kintrace.settings import Settings, current

SECRET_KEY_ENV = "KINTRACE_SECRET_KEY"
MIN_SECRET_KEY_LENGTH = 32

# Keys that ship in tutorials, templates and .env examples; an attacker tries these first.
KNOWN_DEFAULT_KEYS = frozenset(
    {
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "change-this",
        "please-change-me",
        "please_change_me",
        "default",
        "development",
        "dev",
        "test",
        "testing",
        "insecure",
        "kintrace",
        "kintrace-secret",
        "kintrace-secret-key",
        "kintrace-demo",
        "kintrace-demo-secret-key",
        "your-secret-key",
        "your_secret_key",
        "your-secret-key-here",
        "supersecret",
        "super-secret-key",
        "password",
        "django-insecure",
        "not-a-secret",
        "notasecret",
        "replace-me",
        "replace-with-a-long-random-string",
        "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",  # FastAPI's JWT tutorial
    }
)

# A key drawn from a few characters ("aaaa...", "12341234...") is guessable whatever its length.
MIN_DISTINCT_CHARACTERS = 10

SESSION_MAX_AGE_S = 12 * 60 * 60


class InsecureSecretKey(ValueError):
    """The configured secret key must not be used outside the demo."""


def _looks_default(key: str) -> bool:
    folded = key.strip().lower()
    if folded in KNOWN_DEFAULT_KEYS:
        return True
    # "changeme-changeme-changeme..." and friends: a default repeated up to the minimum length.
    stripped = folded.replace("-", "").replace("_", "").replace(" ", "")
    return any(
        stripped and stripped == (word.replace("-", "").replace("_", "") * 64)[: len(stripped)]
        for word in KNOWN_DEFAULT_KEYS
        if len(word) < MIN_SECRET_KEY_LENGTH
    )


def check_secret_key(secret_key: str | None) -> str:
    """Return the key when it is fit to sign sessions; raise InsecureSecretKey saying why not."""
    advice = (
        f"set {SECRET_KEY_ENV} to a random value of at least {MIN_SECRET_KEY_LENGTH} characters, "
        "for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
    if secret_key is None or not secret_key.strip():
        raise InsecureSecretKey(f"no secret key is configured; {advice}")
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise InsecureSecretKey(f"the secret key is only {len(secret_key)} characters long; {advice}")
    if _looks_default(secret_key):
        raise InsecureSecretKey(f"the secret key is a well-known default value; {advice}")
    if len(set(secret_key)) < MIN_DISTINCT_CHARACTERS:
        raise InsecureSecretKey(
            f"the secret key uses only {len(set(secret_key))} distinct characters and is guessable; {advice}"
        )
    return secret_key


@dataclass(frozen=True)
class ServerSettings:
    database_url: str
    secret_key: str
    demo: bool = False
    session_max_age_s: int = SESSION_MAX_AGE_S
    trust_forwarded: bool = False

    @classmethod
    def build(
        cls, database_url: str, secret_key: str | None, demo: bool = False, config: Settings | None = None
    ) -> ServerSettings:
        """Validate the key; in the demo a missing key becomes a fresh random one per process. The rest
        comes from the registry's settings (`config`, else the environment's)."""
        if demo:
            key = secret_key if secret_key and secret_key.strip() else secrets.token_urlsafe(48)
        else:
            key = check_secret_key(secret_key)
        trust = (config or current()).trust_forwarded
        return cls(database_url=database_url, secret_key=key, demo=demo, trust_forwarded=trust)
