"""Run the pathway query on DuckDB (embedded) or Spark (local mode, or any session given).

Both read the same patients table layout (``layout.Layout``) and run the same compiled
query, transpiled to their dialect by sqlglot.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from compiler.backends.sql.layout import Layout

SPARK_TYPES = {"BOOLEAN": "boolean", "BIGINT": "bigint", "DOUBLE": "double", "VARCHAR": "string"}


def duckdb_columns(layout: Layout, id_type: str = "VARCHAR") -> dict[str, str]:
    """The table's column types, as DuckDB names them."""
    return {"patient_id": id_type, **{column.name: column.sql_type for column in layout.columns}}


def spark_schema(layout: Layout, id_type: str = "string") -> str:
    """The table's schema as a Spark DDL string."""
    fields = [f"`patient_id` {id_type}"]
    for column in layout.columns:
        if column.sql_type.endswith("[]"):
            spark = f"array<{SPARK_TYPES[column.sql_type[:-2]]}>"
        else:
            spark = SPARK_TYPES[column.sql_type]
        fields.append(f"`{column.name}` {spark}")
    return ", ".join(fields)


def write_rows_jsonl(rows: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Rows as JSON Lines (the flat layout), for an engine to read with an explicit schema."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, allow_nan=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


# DuckDB's projection_placement optimizer pass spends a quarter to half a second of CPU on
# the pathway query (hundreds of columns through dozens of projections) without making it run
# faster: the population run turns it off (docs/benchmarks.md, issue 15, fourth round).
DUCKDB_DISABLED_OPTIMIZERS = ("projection_placement",)


def tune_duckdb(connection: Any) -> None:
    """Settings for running the pathway query on ``connection``; none changes an answer."""
    import duckdb

    # a DuckDB without this optimizer has nothing to turn off
    with contextlib.suppress(duckdb.Error):
        connection.execute(f"SET disabled_optimizers = '{','.join(DUCKDB_DISABLED_OPTIMIZERS)}'")


def run_duckdb(query: str, source: str, connection: Any = None) -> list[dict[str, Any]]:
    """The query over ``source`` (a DuckDB table expression: ``read_parquet('...')``, a table name)."""
    import duckdb

    con = connection if connection is not None else duckdb.connect()
    tune_duckdb(con)
    con.execute(f"CREATE OR REPLACE TEMP VIEW patients AS SELECT * FROM {source}")
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def duckdb_jsonl_source(layout: Layout, path: Path) -> str:
    columns = ", ".join(f"{_quote(name)}: {_quote(kind)}" for name, kind in duckdb_columns(layout).items())
    return f"read_json({_quote(str(path))}, format = 'newline_delimited', columns = {{{columns}}})"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_SPARK: Any = None


def spark_session(partitions: int = 2) -> Any:
    """One local SparkSession per process (created on first use), small and quiet."""
    global _SPARK
    if _SPARK is None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        _SPARK = (
            SparkSession.builder.master("local[2]")
            .appName("fibrolang-population")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def run_spark(query: str, frame: Any) -> list[dict[str, Any]]:
    """The query over a Spark DataFrame laid out as the patients table."""
    frame.createOrReplaceTempView("patients")
    session = frame.sparkSession
    return [row.asDict(recursive=True) for row in session.sql(query.rstrip().rstrip(";")).collect()]


def spark_frame_of_jsonl(layout: Layout, path: Path) -> Any:
    session = spark_session()
    return session.read.schema(spark_schema(layout)).json(str(path))
