"""`kintrace lists match` on a real database file: pairs and the search log written, a bad --as refused."""

from __future__ import annotations

from sqlalchemy import select
from tests.services.test_list_matching import KOVAL, OTHERS, consenting_case, make_list
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.domain.dates import PartialDate
from kintrace.domain.lists import SearchResult
from kintrace.store.db import make_engine, session_scope
from kintrace.store.models import ListCheck, ListPair

runner = CliRunner()


def _seed(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        case = consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14))
        published = make_list(session, "Обмін", [KOVAL, *OTHERS])
        ids = case.id, published.id
    engine.dispose()
    return ids


def test_lists_match_writes_pairs_and_the_search_log(fresh_sqlite_url: str) -> None:
    case_id, list_id = _seed(fresh_sqlite_url)
    result = runner.invoke(app, ["lists", "match", "--database-url", fresh_sqlite_url])
    assert result.exit_code == 0, result.output
    assert f"list {list_id}: 3 entries (3 men) x 1 cases" in result.output
    engine = make_engine(fresh_sqlite_url)
    with session_scope(engine) as session:
        assert session.scalars(select(ListPair.case_id)).all() == [case_id]
        assert session.get(ListCheck, (case_id, list_id)).result is SearchResult.UNDER_REVIEW
    engine.dispose()


def test_lists_match_refuses_an_unknown_account_and_engine(fresh_sqlite_url: str) -> None:
    _, list_id = _seed(fresh_sqlite_url)
    unknown = runner.invoke(
        app, ["lists", "match", str(list_id), "--as", "nobody", "--database-url", fresh_sqlite_url]
    )
    assert unknown.exit_code == 2 and "no active account 'nobody'" in unknown.output
    engine = runner.invoke(app, ["lists", "match", "--engine", "oracle", "--database-url", fresh_sqlite_url])
    assert engine.exit_code == 2 and "--engine must be one of duckdb, spark" in engine.output
