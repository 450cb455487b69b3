"""The SQL target (``fibrolang compile --target sql``) against the runtime, on DuckDB and Spark.

Differential: for both guidelines, every witness and boundary patient of the generated
suites (tests/generated/) and 10,000 seeded random valid records, laid out as the patients
table, get from the compiled query exactly the runtime's status, missing facts,
recommendations (item, action, dose, titration), avoid items, flags, monitoring, outputs and
path (edge ids). DuckDB runs embedded; Spark in local mode (one session per test run).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.backends.sql import engines
from compiler.backends.sql.layout import Layout
from compiler.backends.sql.query import sql_query

sys.path.insert(0, str(Path(__file__).parent))
from sql_answers import population, rows_of, runtime_row, same, sql_row

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = ("fibromyalgia", "acr2016")
RANDOM_PATIENTS = 10_000


class Case:
    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.guideline = fibrolang.load(api.compile_file(ROOT / "guidelines" / f"{name}.fibro"))
        self.layout = Layout(self.guideline.graph)
        self.patients = population(name, self.guideline, RANDOM_PATIENTS)
        self.expected = [runtime_row(self.guideline, patient) for patient in self.patients]
        self.table = directory / f"{name}.jsonl"
        engines.write_rows_jsonl(rows_of(self.guideline, self.patients), self.table)

    def check(self, rows: list[dict[str, Any]]) -> None:
        assert len(rows) == len(self.patients)
        by_id = {row["patient_id"]: row for row in rows}
        for index, expected in enumerate(self.expected):
            got = sql_row(by_id[str(index)])
            assert same(expected, got), (self.patients[index], expected, got)


@pytest.fixture(scope="module", params=GUIDELINES)
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    return Case(request.param, tmp_path_factory.mktemp("sql_target"))


def test_duckdb_gives_the_runtime_answer_for_every_patient(case: Case) -> None:
    query = sql_query(case.guideline.graph, "duckdb")
    rows = engines.run_duckdb(query, engines.duckdb_jsonl_source(case.layout, case.table))
    case.check(rows)
    statuses = {row["status"] for row in rows}
    assert {"ok", "insufficient_data"} <= statuses


@pytest.mark.slow
def test_spark_gives_the_runtime_answer_for_every_patient(case: Case) -> None:
    query = sql_query(case.guideline.graph, "spark")
    rows = engines.run_spark(query, engines.spark_frame_of_jsonl(case.layout, case.table))
    case.check(rows)
