"""Every `KINTRACE_*` environment variable the registry reads, in one settings object.

`current()` reads the process environment afresh on each call (pydantic-settings): nothing is frozen
at import, so a server reads what it was started with and a test's monkeypatched variable is seen.
`Settings.from_environ(mapping)` reads a given mapping instead (tests, a child process's environment).
A value of the wrong type or out of range raises `SettingsError`, naming the variable; an empty
variable counts as unset. Secrets are `SecretStr`: they never show in a repr, a log line or an error.

The engines (`kintrace.dna`, `kintrace.linkage`) are plain libraries that import nothing from the
registry, so their own variables (`KINTRACE_SPARK_*`) stay where they are read; docs/CONFIGURATION.md
lists them beside these. That file's table is `reference_table()`, checked by a test.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "KINTRACE_"
DEFAULT_DATABASE_URL = "sqlite:///var/kintrace.db"
DEFAULT_ATTACHMENTS_DIR = Path("var/attachments")
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class SettingsError(ValueError):
    """An environment variable holds a value the registry cannot use; the message names it."""


class Settings(BaseSettings):
    """The registry's configuration: field `name` is read from `KINTRACE_NAME`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,  # `KINTRACE_X=` means "not set", as `os.environ.get(...) or default` did
        case_sensitive=False,
        frozen=True,
        extra="ignore",
    )

    # Database
    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the registry database (SQLite or PostgreSQL); "
        "`--database-url` overrides it on the command line.",
    )
    sqlite_busy_timeout_ms: int = Field(
        30_000,
        ge=0,
        description="How long a SQLite writer waits for the write lock before it gives up (ms); "
        "the request is then answered 503 with Retry-After.",
    )
    # The server
    secret_key: SecretStr | None = Field(
        None,
        description="Signs session cookies and CSRF tokens. Required by `kintrace serve`: at least 32 "
        "characters, not a well-known default, at least 10 distinct characters. The demo draws a random one.",
    )
    trust_forwarded: bool = Field(
        False,
        description="Set (1, true, yes) only behind a reverse proxy that sets X-Forwarded-For: the brakes "
        "on guessing then count the address the proxy names. Unset, the header is ignored.",
    )
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES,
        ge=1024,
        description="The largest JSON or form body a request may send (bytes); uploads get the attachment "
        "limit plus room for the form's other fields.",
    )
    token_days: int = Field(
        90, description="Lifetime of a new API token in days when none is asked for (1 to 3650)."
    )
    # Files
    attachments_dir: Path = Field(
        DEFAULT_ATTACHMENTS_DIR,
        description="Folder of evidence attachments, photos and imported lists' files "
        "(`--attachments-dir` overrides it for backup and restore).",
    )
    # DNA
    genetic_key: SecretStr | None = Field(
        None,
        description="The genetic master key: base64 of 32 random bytes. Outside the demo the server refuses "
        "to start without it or KINTRACE_GENETIC_KEY_FILE; the demo keeps its own in var/genetic.key.",
    )
    genetic_key_file: Path | None = Field(
        None,
        description="A file holding the genetic master key (instead of KINTRACE_GENETIC_KEY; "
        "`kintrace keys new` makes one).",
    )
    dna_frequencies: Path | None = Field(
        None,
        description="The allele frequency table (CSV marker,allele,frequency) DNA profiles are scored with. "
        "Unset: DNA scoring is off and its API routes answer 503. The demo sets its own.",
    )
    # Audit anchor
    audit_anchor_file: Path | None = Field(
        None,
        description="File of signed audit checkpoints, kept outside the database. Set, the server appends a "
        "checkpoint on a schedule (and `kintrace audit verify --anchor` checks against it).",
    )
    audit_anchor_key: SecretStr | None = Field(
        None,
        description="Key that signs the audit checkpoints (at least 32 characters); needed with "
        "KINTRACE_AUDIT_ANCHOR_FILE unless KINTRACE_AUDIT_ANCHOR_KEY_FILE is set.",
    )
    audit_anchor_key_file: Path | None = Field(
        None, description="A file holding the audit anchor key (instead of KINTRACE_AUDIT_ANCHOR_KEY)."
    )
    audit_checkpoint_interval_s: float = Field(
        3600.0, description="Seconds between audit checkpoints (more than 0)."
    )
    # Families' news
    smtp_url: str | None = Field(
        None,
        description="The mail server, smtp://HOST:PORT. Set, the server e-mails families' news on a schedule "
        "and password-reset links.",
    )
    mail_from: str = Field("kintrace@localhost", description="The From address of the e-mails.")
    base_url: str | None = Field(
        None,
        description="The portal's public address, linked in e-mails and text messages "
        "(unset: the address the request came to).",
    )
    sms_url: str | None = Field(
        None,
        description="An HTTP gateway for text messages (SMS or a messenger), http:// or https://. Set, the "
        "server texts families' news on the news schedule.",
    )
    sms_token: SecretStr | None = Field(
        None, description="Bearer token sent to the text gateway (Authorization: Bearer ...)."
    )
    news_interval_s: float = Field(
        3600.0, description="Seconds between rounds of families' news (more than 0)."
    )
    # Desk dashboard
    trend_cache_s: float = Field(
        60.0,
        ge=0,
        description="How long the dashboard's status trend is kept between views (seconds, at most 60; "
        "0 rebuilds it on every view).",
    )
    dashboard_cache_s: float = Field(
        5.0,
        ge=0,
        description="How stale the dashboard's figures may be after an audited change (seconds; "
        "0 reads them on every view after a change).",
    )
    # Command line
    new_password: SecretStr | None = Field(
        None,
        description="`kintrace users add`: the new account's password, instead of the prompt (scripts).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment only: no .env file or secrets folder read behind the operator's back.
        return (init_settings, env_settings)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The settings a given environment holds (the process's own is not read)."""
        values: dict[str, Any] = {name: environ[env] for name, env in variables().items() if environ.get(env)}
        try:
            return _GivenSettings(**values)
        except ValidationError as error:
            raise SettingsError(_describe(error)) from None


class _GivenSettings(Settings):
    """Settings from the values given alone (`Settings.from_environ`)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def variables() -> dict[str, str]:
    """Field name -> environment variable, in the order of the settings object."""
    return {name: ENV_PREFIX + name.upper() for name in Settings.model_fields}


def current() -> Settings:
    """The settings the process environment holds now; raises SettingsError naming a bad variable.

    Read afresh whenever a KINTRACE_ variable changed (a test's monkeypatch, the demo naming its
    frequency table), else the object read last time: the environment is looked at on every call,
    while a full read costs a millisecond and some callers ask on every connection.
    """
    ours = tuple(sorted((k, v) for k, v in os.environ.items() if k[: len(ENV_PREFIX)].upper() == ENV_PREFIX))
    return _read(ours)


@functools.lru_cache(maxsize=8)
def _read(_ours: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    secret = {name for name, field in Settings.model_fields.items() if "SecretStr" in str(field.annotation)}
    problems = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "?"
        shown = "" if name in secret else f"={item.get('input')!r}"
        problems.append(f"{ENV_PREFIX}{name.upper()}{shown}: {item['msg']}")
    return "; ".join(problems)


def _default_text(name: str) -> str:
    field = Settings.model_fields[name]
    default: Any = field.default
    if default is None:
        return "unset"
    if isinstance(default, bool):
        return "off" if not default else "on"
    return f"`{default}`"


def _type_text(name: str) -> str:
    annotation = str(Settings.model_fields[name].annotation)
    for word, text in (
        ("SecretStr", "secret text"),
        ("Path", "path"),
        ("bool", "yes/no"),
        ("float", "number"),
        ("int", "whole number"),
        ("str", "text"),
    ):
        if word in annotation:
            return text
    return annotation  # pragma: no cover - every field has one of the types above


def reference_table() -> str:
    """The Markdown table of every variable (docs/CONFIGURATION.md holds it; a test compares)."""
    rows = ["| variable | type | default | what it does |", "|---|---|---|---|"]
    for name, env in variables().items():
        description = Settings.model_fields[name].description or ""
        rows.append(f"| `{env}` | {_type_text(name)} | {_default_text(name)} | {description} |")
    return "\n".join(rows) + "\n"
