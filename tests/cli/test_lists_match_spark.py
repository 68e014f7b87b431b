"""`kintrace lists match --engine spark`: the registry's lists matched on Spark give DuckDB's answer.

Two copies of one registry file (cases with aliases, namesakes, a man listed twice, a case without
consent) are matched by the CLI, one on each engine; the pairs, their bands and probabilities, the
list's clusters and the search log must agree.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.services.test_list_matching import KOVAL, KOVAL_LATIN, OTHERS, consenting_case, make_list
from typer.testing import CliRunner

from kintrace.cli.main import app
from kintrace.domain.dates import PartialDate
from kintrace.store.db import make_engine, session_scope
from kintrace.store.migrations import upgrade
from kintrace.store.models import ListCheck, ListEntry, ListPair

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

runner = CliRunner()
NAMESAKE = {**KOVAL, "birth_date": "1968-01-05", "unit": None}  # the same name, another man


@pytest.fixture(scope="module", autouse=True)
def _local_spark(monkeypatch_module: Any) -> Iterator[None]:
    monkeypatch_module.setenv("KINTRACE_SPARK_MASTER", "local[2]")
    monkeypatch_module.setenv("KINTRACE_SPARK_PARTITIONS", "2")
    yield
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _seed(path: Path) -> str:
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        consenting_case(session, "Коваленко", "Олександр", "Іванович", PartialDate(1991, 3, 14), unit="А1234")
        consenting_case(session, "Бондаренко", "Сергій", "Петрович", PartialDate(1985, 7))
        consenting_case(session, "Шевчук", "Ігор", None, PartialDate(1990))
        refused = consenting_case(session, "Ткаченко", "Василь", "Миколайович", PartialDate(1979, 11, 30))
        refused.list_matching_consent = False  # never matched, on any engine
        make_list(session, "Обмін", [KOVAL, *OTHERS, KOVAL_LATIN, NAMESAKE])
    engine.dispose()
    return url


def _outcome(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        pairs = sorted(
            (p.case_id, p.entry_id, p.band.value, round(p.match_probability, 6), p.name_only)
            for p in session.scalars(select(ListPair))
        )
        rows = session.execute(select(ListEntry.row_number, ListEntry.cluster_id))
        clusters = sorted((row, cluster) for row, cluster in rows)
        log = sorted((c.case_id, c.list_id, c.result.value) for c in session.scalars(select(ListCheck)))
    engine.dispose()
    return {"pairs": pairs, "clusters": clusters, "search_log": log}


def test_lists_match_on_spark_gives_the_same_pairs_clusters_and_search_log_as_duckdb(tmp_path: Path) -> None:
    duckdb_url = _seed(tmp_path / "duckdb.db")
    shutil.copy(tmp_path / "duckdb.db", tmp_path / "spark.db")
    spark_url = f"sqlite:///{tmp_path / 'spark.db'}"
    on_duckdb = runner.invoke(app, ["lists", "match", "--database-url", duckdb_url])
    assert on_duckdb.exit_code == 0, on_duckdb.output
    on_spark = runner.invoke(app, ["lists", "match", "--engine", "spark", "--database-url", spark_url])
    assert on_spark.exit_code == 0, on_spark.output
    assert "5 entries (4 men) x 3 cases" in on_spark.output
    expected, found = _outcome(duckdb_url), _outcome(spark_url)
    assert found == expected
    assert {case for case, *_ in found["pairs"]} >= {1}  # Коваленко is found, by both engines
    assert 4 not in {case for case, *_ in found["search_log"]}  # no consent: not even checked
