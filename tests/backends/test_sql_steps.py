"""The SQL target's action steps, both ways it writes them, against the runtime on DuckDB.

An item applies when the walk reached its step, no earlier guard of the step was unknown and
its own guard holds. The query says it in one of two ways: through one column per step
saying how far the step went (0, the number of the first unknown guard, or past the last),
or, when a guard reads the plan of its own step (``flag ... when duloxetine is
recommended`` after the item that recommends it), by naming every earlier guard that may be
unknown (that column would read the guard that reads the item). tests/fixtures/tour.fibro's
step is of the second kind (the guidelines' steps, tests/backends/test_sql_target.py, are of
the first); random valid records (facts absent, so guards unknown) must get the runtime's
answer from both result forms.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import fibrolang
from compiler import api
from compiler.backends.sql import engines
from compiler.backends.sql.compact import decoded
from compiler.backends.sql.layout import Layout
from compiler.backends.sql.query import result_dictionary, sql_query
from fibrolang import expressions as ex
from fibrolang.graph import ActionNode

sys.path.insert(0, str(Path(__file__).parent))
from sql_answers import record_maker, rows_of, runtime_row, same, sql_row

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tour.fibro"
PATIENTS = 3000


def _reads_plan(expression: Any) -> bool:
    if isinstance(expression, ex.PlanQuery | ex.DoseQuery):
        return True
    return any(
        _reads_plan(child)
        for name in getattr(expression, "__slots__", ())
        for child in (lambda v: v if isinstance(v, tuple) else (v,))(getattr(expression, name))
        if type(child).__module__ == ex.__name__
    )


def _patients(guideline: fibrolang.Guideline) -> list[Any]:
    maker = record_maker(guideline.graph, 15)
    found: list[Any] = []
    while len(found) < PATIENTS:
        patient = maker.patient()
        try:
            guideline.validate(patient)
        except fibrolang.InvalidPatient:
            continue
        found.append(patient)
    return found


def test_a_step_whose_guard_reads_its_own_plan_gives_the_runtime_answer(tmp_path: Path) -> None:
    guideline = fibrolang.load(api.compile_file(FIXTURE))
    graph = guideline.graph
    steps = [node for node in graph.nodes if isinstance(node, ActionNode)]
    # the fixture still has a step whose guard reads the plan (its own step's: the only one)
    assert len(steps) == 1
    assert any(_reads_plan(item.guard) for item in steps[0].items if item.guard)
    patients = _patients(guideline)
    table = tmp_path / "tour.jsonl"
    engines.write_rows_jsonl(rows_of(guideline, patients), table)
    source = engines.duckdb_jsonl_source(Layout(graph), table)
    full = engines.run_duckdb(sql_query(graph, "duckdb"), source)
    dictionary = result_dictionary(graph)
    compact = [
        decoded(row, dictionary)
        for row in engines.run_duckdb(sql_query(graph, "duckdb", form="compact"), source)
    ]
    statuses = set()
    for rows in (full, compact):
        assert len(rows) == len(patients)
        by_id = {row["patient_id"]: row for row in rows}
        for index, patient in enumerate(patients):
            expected = runtime_row(guideline, patient)
            got = sql_row(by_id[str(index)])
            assert same(expected, got), (patient, expected, got)
            statuses.add(expected["status"])
    assert {"ok", "insufficient_data"} <= statuses
