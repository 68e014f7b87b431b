"""`kintrace cases duplicates`: the engine's candidate pairs as a table, on a SQLite file of its own."""

from __future__ import annotations

from sqlalchemy.orm import Session
from tests.services.helpers import person
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.domain.dates import PartialDate
from kintrace.services import cases
from kintrace.services.access import SYSTEM
from kintrace.store.db import make_engine

runner = CliRunner()


def _seed(url: str) -> list[str]:
    engine = make_engine(url)
    with Session(engine) as session:
        same = {"birth_date": PartialDate(1984, 7, 19), "unit": "А4471"}
        made = [
            cases.create_case(session, SYSTEM, person("Гуменюк", "Остап", "Богданович", **same)),
            cases.create_case(session, SYSTEM, person("Гуменюк", "Остап", "Богданович", **same)),
            cases.create_case(session, SYSTEM, person("Литвиненко", "Петро", "Іванович")),
            cases.create_case(session, SYSTEM, person("Поліщук", "Максим", None)),
        ]
        references = [c.reference for c in made]
        session.commit()
    engine.dispose()
    return references


def test_the_pairs_are_printed_strongest_first_with_reasons(fresh_sqlite_url):
    first, second, third, _ = _seed(fresh_sqlite_url)
    # Nothing is computed yet: the list is read from the stored pairs, and says so.
    before = runner.invoke(app, ["cases", "duplicates", "--database-url", fresh_sqlite_url])
    assert before.exit_code == 0, before.output
    assert "0 possible duplicate pair(s)" in before.output and "never (add --refresh)" in before.output
    result = runner.invoke(
        app, ["cases", "duplicates", "--refresh", "--database-url", fresh_sqlite_url], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "recomputed: 1 pair(s) over 4 case(s)" in result.output
    assert "1 possible duplicate pair(s)" in result.output
    assert first in result.output and second in result.output and third not in result.output
    assert "surname=exact" in result.output and "link" in result.output
    # Stored: a later listing reads the same pair without the engine.
    again = runner.invoke(app, ["cases", "duplicates", "--database-url", fresh_sqlite_url])
    assert again.exit_code == 0 and "1 possible duplicate pair(s)" in again.output
    assert first in again.output and "last computed on" in again.output
    one = runner.invoke(
        app,
        ["cases", "duplicates", "--case", third, "--database-url", fresh_sqlite_url],
        catch_exceptions=False,
    )
    assert one.exit_code == 0 and "0 possible duplicate pair(s)" in one.output
    mine = runner.invoke(app, ["cases", "duplicates", "--case", second, "--database-url", fresh_sqlite_url])
    assert mine.exit_code == 0 and "1 possible duplicate pair(s)" in mine.output


def test_an_unknown_engine_or_case_is_named(fresh_sqlite_url):
    _seed(fresh_sqlite_url)
    engine = runner.invoke(
        app, ["cases", "duplicates", "--refresh", "--engine", "oracle", "--database-url", fresh_sqlite_url]
    )
    assert engine.exit_code == 1 and "oracle" in engine.output
    without = runner.invoke(app, ["cases", "duplicates", "--train", "--database-url", fresh_sqlite_url])
    assert without.exit_code == 1 and "--refresh" in without.output
    missing = runner.invoke(
        app, ["cases", "duplicates", "--case", "KT-999999", "--database-url", fresh_sqlite_url]
    )
    assert missing.exit_code == 1 and "KT-999999" in missing.output
