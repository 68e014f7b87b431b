"""`kintrace lists import` and `kintrace lists show`, on a SQLite file of the test's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kintrace.cli.main import app

runner = CliRunner()
LIST_CSV = (
    "Прізвище;Ім'я;По батькові;Дата народження;Військова частина\n"
    "Мельник;Іван;Петрович;05.03.1985;А1234\n"
    "Бондар;Олег;;1990 р.н.;\n"
)


@pytest.fixture(autouse=True)
def _attachments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    monkeypatch.setenv("COLUMNS", "200")  # tables are not wrapped, so whole names can be looked for


def _run(*args: str, url: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--database-url", url], catch_exceptions=False)


def _one(url: str, query: str) -> object:
    return sqlite3.connect(url.removeprefix("sqlite:///")).execute(query).fetchone()[0]


def _import(path: Path, url: str, *extra: str):  # type: ignore[no-untyped-def]
    return _run(
        "lists", "import", str(path), "--title", "Полонені, листопад", "--publisher", "Координаційний штаб",
        "--reliability", "B", "--published", "20.11.2026", "--kind", "prisoners", *extra, url=url,
    )  # fmt: skip


def test_a_list_is_imported_once_and_shown(fresh_sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "prisoners.csv"
    path.write_text(LIST_CSV, encoding="utf-8")
    first = _import(path, fresh_sqlite_url)
    assert first.exit_code == 0, first.output
    assert "list 1: 2 entries imported" in first.output
    assert "Військова частина -> unit" in first.output
    again = _import(path, fresh_sqlite_url)
    assert again.exit_code == 0 and "imported before as list 1; nothing added" in again.output
    assert _one(fresh_sqlite_url, "SELECT count(*) FROM list_entries") == 2
    assert _one(fresh_sqlite_url, "SELECT reliability FROM sources") == "B"

    table = _run("lists", "show", url=fresh_sqlite_url)
    assert table.exit_code == 0, table.output
    # A narrow terminal wraps the cells (a console made earlier in the process keeps its width).
    assert "Полонені" in table.output

    one = _run("lists", "show", "1", url=fresh_sqlite_url)
    assert one.exit_code == 0, one.output
    assert "2 entries, 2 with a birth date" in one.output
    assert "Полонені, листопад" in one.output and "publisher Координаційний штаб (B)" in one.output
    assert "Мельник" in one.output and "1985-03-05" in one.output


def test_an_explicit_mapping_and_a_bad_row(fresh_sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Хто,Коли\nМельник,весна 85\n", encoding="utf-8")
    bad = _import(path, fresh_sqlite_url, "--map", "Хто=last_name", "--map", "Коли=birth_date")
    assert bad.exit_code == 1
    assert "row 2: Коли" in bad.output and "nothing was imported" in bad.output
    assert _one(fresh_sqlite_url, "SELECT count(*) FROM published_lists") == 0
    assert _one(fresh_sqlite_url, "SELECT count(*) FROM sources") == 0
    unmapped = _import(path, fresh_sqlite_url)
    assert unmapped.exit_code == 1 and "no column holds the surname" in unmapped.output
    wrong = _import(path, fresh_sqlite_url, "--map", "Хто")
    assert wrong.exit_code == 2 and "not HEADER=FIELD" in wrong.output


def test_acting_as_a_named_account(fresh_sqlite_url: str, tmp_path: Path) -> None:
    made = runner.invoke(
        app,
        ["users", "add", "olena", "--role", "caseworker", "--database-url", fresh_sqlite_url],
        env={"KINTRACE_NEW_PASSWORD": "a long enough passphrase 42"},
    )
    assert made.exit_code == 0, made.output
    path = tmp_path / "prisoners.csv"
    path.write_text(LIST_CSV, encoding="utf-8")
    result = _import(path, fresh_sqlite_url, "--as", "olena")
    assert result.exit_code == 0, result.output
    assert (
        _one(
            fresh_sqlite_url,
            "SELECT u.username FROM published_lists l JOIN users u ON u.id = l.imported_by_id",
        )
        == "olena"
    )
    unknown = _run("lists", "show", "--as", "nobody", url=fresh_sqlite_url)
    assert unknown.exit_code == 2 and "no active account" in unknown.output
