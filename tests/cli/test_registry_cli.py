"""The registry commands, run through Typer's CliRunner on a temporary SQLite file."""

from __future__ import annotations

import json
import sqlite3

from argon2 import PasswordHasher
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.services import users

runner = CliRunner()

CSV = (
    "reference,last_name,first_name,patronymic,sex,birth_date,last_seen_date,last_seen_place\n"
    "UA-1,Шевченко,Андрій,Петрович,male,1990-05,2024-02-17,Авдіївка\n"
    "UA-2,Коваленко,Ігор,,male,1985,2023-11,Бахмут\n"
)


def _run(*args: str, url: str, input: str | None = None):
    return runner.invoke(app, [*args, "--database-url", url], input=input, catch_exceptions=False)


def test_db_upgrade_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = _run("db", "upgrade", url=url)
    assert result.exit_code == 0, result.output
    tables = {
        row[0] for row in sqlite3.connect(tmp_path / "new.db").execute("SELECT name FROM sqlite_master")
    }
    assert {"cases", "audit_log", "alembic_version"} <= tables


def test_commands_on_an_unmigrated_database_say_what_to_run(tmp_path):
    result = _run("audit", "verify", url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.exit_code == 1 and "kintrace db upgrade" in result.output


def test_users_add_and_token(fresh_sqlite_url):
    added = _run(
        "users",
        "add",
        "olena",
        "--role",
        "caseworker",
        url=fresh_sqlite_url,
        input="long password please\n" * 2,
    )
    assert added.exit_code == 0, added.output
    assert "caseworker account 'olena'" in added.output
    token = _run("users", "token", "olena", url=fresh_sqlite_url)
    assert token.exit_code == 0 and token.output.strip().startswith("kt_")
    again = _run(
        "users", "add", "olena", "--role", "admin", "--password", "long password please", url=fresh_sqlite_url
    )
    assert again.exit_code == 1 and "taken" in again.output
    bad_role = _run(
        "users", "add", "x2", "--role", "boss", "--password", "long password please", url=fresh_sqlite_url
    )
    assert bad_role.exit_code == 1 and "--role" in bad_role.output


def test_users_token_shows_its_expiry_and_can_be_revoked(fresh_sqlite_url, monkeypatch):
    """Issue 11, finding 3: tokens expire (KINTRACE_TOKEN_DAYS or --days) and are revoked by id."""
    added = _run(
        "users",
        "add",
        "ivan",
        "--role",
        "analyst",
        "--password",
        "long password please",
        url=fresh_sqlite_url,
    )
    assert added.exit_code == 0, added.output
    made = _run("users", "token", "ivan", "--days", "30", url=fresh_sqlite_url)
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("kt_") and "\n" not in token
    assert "expires 20" in made.stderr and "kintrace users revoke-token" in made.stderr
    monkeypatch.setenv("KINTRACE_TOKEN_DAYS", "0")
    refused = _run("users", "token", "ivan", url=fresh_sqlite_url)
    assert refused.exit_code == 1 and "KINTRACE_TOKEN_DAYS" in refused.output
    token_id = made.stderr.split("token ", 1)[1].split(" ", 1)[0]
    revoked = _run("users", "revoke-token", token_id, url=fresh_sqlite_url)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    missing = _run("users", "revoke-token", "999999", url=fresh_sqlite_url)
    assert missing.exit_code == 1


def test_import_twice_then_export_both_formats(fresh_sqlite_url, tmp_path):
    source = tmp_path / "cases.csv"
    source.write_text(CSV, encoding="utf-8")
    first = _run("cases", "import", str(source), url=fresh_sqlite_url)
    assert first.exit_code == 0, first.output
    assert "2 created, 0 updated, 0 unchanged" in first.output
    second = _run("cases", "import", str(source), url=fresh_sqlite_url)
    assert "0 created, 0 updated, 2 unchanged" in second.output
    out = tmp_path / "out.json"
    exported = _run("cases", "export", "--format", "json", "--out", str(out), url=fresh_sqlite_url)
    assert exported.exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [case["reference"] for case in document["cases"]] == ["UA-1", "UA-2"]
    as_csv = _run("cases", "export", url=fresh_sqlite_url)
    assert as_csv.output.splitlines()[0].startswith("reference,last_name") and "Коваленко" in as_csv.output


def test_bad_import_names_row_and_field_and_writes_nothing(fresh_sqlite_url, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text(CSV.replace("1985,", "1985-13,"), encoding="utf-8")
    result = _run("cases", "import", str(source), url=fresh_sqlite_url)
    assert result.exit_code == 1
    assert "row 3: birth_date" in result.output and "nothing was imported" in result.output
    path = fresh_sqlite_url.removeprefix("sqlite:///")
    assert sqlite3.connect(path).execute("SELECT count(*) FROM cases").fetchone() == (0,)


def test_audit_verify_passes_then_names_a_tampered_row(fresh_sqlite_url, tmp_path):
    source = tmp_path / "cases.csv"
    source.write_text(CSV, encoding="utf-8")
    _run("cases", "import", str(source), url=fresh_sqlite_url)
    ok = _run("audit", "verify", url=fresh_sqlite_url)
    assert ok.exit_code == 0 and "intact" in ok.output
    db = sqlite3.connect(fresh_sqlite_url.removeprefix("sqlite:///"))
    with db:
        db.execute("UPDATE audit_log SET actor_name = 'someone else' WHERE id = 2")
    broken = _run("audit", "verify", url=fresh_sqlite_url)
    assert broken.exit_code == 1 and "row 2" in broken.output


def test_serve_refuses_without_a_secret_key(fresh_sqlite_url, monkeypatch):
    monkeypatch.delenv("KINTRACE_SECRET_KEY", raising=False)
    result = _run("serve", url=fresh_sqlite_url)
    assert result.exit_code == 2 and "secret key" in result.output


def test_demo_seeds_once_and_prints_working_logins(tmp_path, monkeypatch):
    # Real argon2, at the cheapest parameters: the test is about seeding, not hashing cost.
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))  # the demo lists' files
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = _run("demo", "--no-serve", "--persons", "30", url=url)
    assert first.exit_code == 0, first.output
    assert "seeded 30 cases" in first.output and "admin: demo-admin-" in first.output
    assert "DNA consent forms on file: 1" in first.output
    second = _run("demo", "--no-serve", "--persons", "30", url=url)
    assert "not seeding again" in second.output and "family: demo-family-" in second.output
    assert _run("audit", "verify", url=url).exit_code == 0
