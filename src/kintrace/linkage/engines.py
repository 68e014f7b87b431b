"""The two engines that run the one model: DuckDB (embedded, the default) and Spark.

DuckDB needs nothing: an in-memory database in this process, spilling to a temporary directory when
a linkage outgrows memory.

Spark runs in local mode by default (`local[*]`, every core of this machine). To run on a cluster,
point kintrace at it before calling `kintrace link --engine spark`:

- a standalone, YARN or Kubernetes master: ``export KINTRACE_SPARK_MASTER=spark://host:7077``
  (or ``yarn``, ``k8s://https://host:443``); the value goes to ``SparkSession.builder.master``.
  The cluster's executors need Splink's similarity UDF jar, which kintrace adds to ``spark.jars``.
- Spark Connect: ``export SPARK_REMOTE=sc://host:15002``; pyspark then builds a remote session and
  the master setting is ignored. The server must have been started with Splink's jar on its class
  path (``--jars $(python -c "from splink.internals.spark.jar_location import similarity_jar_location
  as j; print(j())")``) because a Connect client cannot register Java UDFs.
- Any further setting: ``KINTRACE_SPARK_CONF="spark.executor.memory=8g,spark.sql.shuffle.partitions=400"``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd
    from splink.internals.database_api import DatabaseAPISubClass

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")


def duckdb_api(memory_limit: str | None = None, threads: int | None = None) -> DatabaseAPISubClass:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/kintrace_duckdb'")
    con.execute("SET preserve_insertion_order = false")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return DuckDBAPI(connection=con)


def spark_session(master: str | None = None) -> Any:
    """A Spark session with Splink's similarity UDFs, local unless the environment names a cluster."""
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    builder = SparkSession.builder.appName("kintrace-linkage")
    if not os.environ.get("SPARK_REMOTE"):
        builder = builder.master(master or os.environ.get("KINTRACE_SPARK_MASTER", "local[*]"))
        builder = builder.config("spark.jars", similarity_jar_location())
        # Splink's SQL makes deep query plans: analysing them takes far more driver heap than the
        # data (2 GB filled up on a 5-row list and failed a broadcast on a busy machine), so 4 GB.
        builder = builder.config("spark.driver.memory", os.environ.get("KINTRACE_SPARK_DRIVER_MEMORY", "4g"))
        # Few partitions: in local mode every extra partition is another task on the same cores.
        partitions = os.environ.get("KINTRACE_SPARK_PARTITIONS", "4")
        builder = builder.config("spark.sql.shuffle.partitions", partitions)
        builder = builder.config("spark.default.parallelism", partitions)
        builder = builder.config("spark.ui.enabled", "false")
        builder = builder.config("spark.ui.showConsoleProgress", "false")  # kintrace draws its own bars
        builder = builder.config("spark.sql.ansi.enabled", "false")
    for item in filter(None, os.environ.get("KINTRACE_SPARK_CONF", "").split(",")):
        key, _, value = item.partition("=")
        builder = builder.config(key.strip(), value.strip())
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    checkpoints = os.path.join(tempfile.gettempdir(), "kintrace_spark_checkpoints")
    session.sparkContext.setCheckpointDir(checkpoints)
    return session


def spark_api(session: Any | None = None) -> DatabaseAPISubClass:
    from splink import SparkAPI

    session = session or spark_session()
    master = session.conf.get("spark.master", "") if not os.environ.get("SPARK_REMOTE") else ""
    # In local mode intermediate tables stay in memory; on a cluster Splink's default (parquet
    # files) breaks lineage without tying up executor memory.
    lineage = "persist" if master.startswith("local") else None
    partitions = int(session.conf.get("spark.sql.shuffle.partitions", "200"))
    return SparkAPI(
        spark_session=session, num_partitions_on_repartition=partitions, break_lineage_method=lineage
    )


def make_api(engine: Engine) -> DatabaseAPISubClass:
    if engine == "duckdb":
        return duckdb_api()
    if engine == "spark":
        return spark_api()
    raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")


def register_frame(api: DatabaseAPISubClass, frame: pd.DataFrame, name: str) -> Any:
    """Register a frame with the engine as a Splink table shown as `name`.

    Table names must be unique per engine session; the display name is what Splink writes into
    source_dataset, so it stays fixed."""
    table = f"kintrace_{name}_{uuid.uuid4().hex[:8]}"
    return api.register(_for_engine(frame, api), dataset_display_name=name, table_name=table)


def _for_engine(frame: pd.DataFrame, api: DatabaseAPISubClass) -> Any:
    """Spark wants an explicit all-string schema (object columns full of None defeat inference)."""
    if type(api).__name__ != "SparkAPI":
        return frame
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType(), True) for c in frame.columns])
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    return api.spark.createDataFrame(list(rows), schema=schema)  # type: ignore[attr-defined]
