"""The SQL target on lookup tables (issue 20): ckd-staging's range tables and two-key grid
give DuckDB the runtime's answer on every generated witness and boundary patient plus random
patients. (Outputs that may be unset are refused: tests/testgen/test_tables_fixture.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

import fibrolang
from compiler import api
from compiler.backends.sql import engines
from compiler.backends.sql.layout import Layout
from compiler.backends.sql.query import sql_query

sys.path.insert(0, str(Path(__file__).parent))
from sql_answers import population, rows_of, runtime_row, same, sql_row

ROOT = Path(__file__).resolve().parents[2]


def test_duckdb_gives_the_runtime_answer_on_the_tables_of_ckd_staging(tmp_path: Path) -> None:
    guideline = fibrolang.load(api.compile_file(ROOT / "tests" / "fixtures" / "ckd-staging.fibro"))
    patients = population("ckd_staging", guideline, 3000)
    table = tmp_path / "ckd.jsonl"
    engines.write_rows_jsonl(rows_of(guideline, patients), table)
    layout = Layout(guideline.graph)
    rows = engines.run_duckdb(
        sql_query(guideline.graph, "duckdb"), engines.duckdb_jsonl_source(layout, table)
    )
    assert len(rows) == len(patients)
    by_id = {row["patient_id"]: row for row in rows}
    outputs = set()
    for index, patient in enumerate(patients):
        expected = runtime_row(guideline, patient)
        got = sql_row(by_id[str(index)])
        assert same(expected, got), (patient, expected, got)
        outputs.add(guideline.evaluate(patient).outputs["progression_risk"])
    assert {"low", "moderate", "high", "very_high"} <= outputs
