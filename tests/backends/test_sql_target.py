"""The SQL target (``fibrolang compile --target sql``) against the runtime, on DuckDB and Spark.

Differential: for both guidelines, every witness and boundary patient of the generated
suites (tests/generated/) and 10,000 seeded random valid records, laid out as the patients
table, get from the compiled query exactly the runtime's status, missing facts,
recommendations (item, action, dose, titration), avoid items, flags, monitoring, outputs and
path (edge ids). DuckDB runs embedded; Spark in local mode (one session per test run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from sqlglot import exp

import fibrolang
from compiler import api
from compiler.backends.sql import engines
from compiler.backends.sql.compact import decoded
from compiler.backends.sql.layout import Layout
from compiler.backends.sql.query import compact_columns, result_dictionary, sql_query
from compiler.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from sql_answers import population, rows_of, runtime_row, same, sql_row

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = ("fibromyalgia", "acr2016", "bmi_who")
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


def test_the_compact_form_decoded_gives_the_runtime_answer_for_every_patient(case: Case) -> None:
    """The compact query's bit words, read through the dictionary, are the runtime's lists;
    the compact rows carry no list (BIGINT words only)."""
    graph = case.guideline.graph
    query = sql_query(graph, "duckdb", form="compact")
    rows = engines.run_duckdb(query, engines.duckdb_jsonl_source(case.layout, case.table))
    assert rows and list(rows[0]) == compact_columns(graph)
    words = [name for name in compact_columns(graph) if "_bits" in name]
    assert all(isinstance(row[name], int) for row in rows for name in words)
    dictionary = result_dictionary(graph)
    assert {entry.column for entry in dictionary} <= set(words)
    case.check([decoded(row, dictionary) for row in rows])


@pytest.mark.slow
def test_spark_gives_the_runtime_answer_for_every_patient(case: Case) -> None:
    query = sql_query(case.guideline.graph, "spark")
    rows = engines.run_spark(query, engines.spark_frame_of_jsonl(case.layout, case.table))
    case.check(rows)


def test_the_query_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    texts = []
    for seed in ("0", "1"):
        out = tmp_path / f"fibromyalgia-{seed}.sql"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compiler.cli",
                "compile",
                "--target",
                "sql",
                "--dialect",
                "spark",
                str(ROOT / "guidelines" / "fibromyalgia.fibro"),
                "-o",
                str(out),
            ],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
        )
        texts.append(out.read_bytes())
    assert texts[0] == texts[1]


def test_guideline_strings_reach_sql_as_escaped_literals() -> None:
    """The hostile fixture's dose frequency (quotes, backslashes, angle brackets) comes back
    unchanged from DuckDB, and nothing of it is pasted into the query's syntax."""
    guideline = fibrolang.load(api.compile_file(ROOT / "tests" / "fixtures" / "hostile.fibro"))
    query = sql_query(guideline.graph, "duckdb")
    layout = Layout(guideline.graph)
    connection = duckdb.connect()
    columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in layout.columns)
    connection.execute(f"CREATE TABLE patients_table (patient_id VARCHAR, {columns})")
    rows = engines.run_duckdb(query, "patients_table", connection)
    assert rows == []
    frequencies = {
        item.dose.frequency
        for node in guideline.graph.nodes
        for item in getattr(node, "items", ())
        if getattr(item, "dose", None) is not None and item.dose.frequency
    }
    assert any('"' in f and "\\" in f for f in frequencies)
    for frequency in frequencies:
        literal = connection.execute("SELECT ?", [frequency]).fetchone()
        assert literal is not None and literal[0] == frequency
        assert exp.Literal.string(frequency).sql("duckdb") in query


def test_what_sql_cannot_express_is_refused_with_its_place(tmp_path: Path) -> None:
    source = tmp_path / "dynamic.fibro"
    source.write_text(DYNAMIC_KEY, encoding="utf-8")
    result = CliRunner().invoke(main, ["compile", "--target", "sql", str(source)])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"{source}:18:5: error: the SQL target cannot express the guard of branch long/1"
    )
    assert "a key named in the guideline or bound by a quantifier" in result.output


DYNAMIC_KEY = """guideline dynamic
  title "A map read with a key from the record"
  version "1.0.0"
end

enum agent "Agent" { one "one", two "two" }

record trial "Trial" {
  weeks "Weeks": decimal 0 to 100 weeks,
}

input current "Current agent": agent
input trials "Trials": map of agent to trial

pathway
  start -> long
  decide long "Long trial?"
    when trials[current].weeks >= 4 weeks -> done
    otherwise -> done
  end
  outcome done ok "done"
end
"""


def test_the_query_says_what_wrote_it_and_from_what() -> None:
    guideline = fibrolang.load(api.compile_file(ROOT / "tests" / "fixtures" / "hostile.fibro"))
    text = sql_query(guideline.graph, "spark")
    header = text.splitlines()[:3]
    assert all(line.startswith("-- ") for line in header)
    assert "fibrolang compile --target sql --dialect spark" in header[0]
    info = guideline.graph.guideline
    for fact in (info.id, info.version, info.content_hash):
        assert json.dumps(fact) in "\n".join(header)
