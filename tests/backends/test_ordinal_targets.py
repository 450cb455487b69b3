"""Ordinal scores and defaults for absent facts on the Python and SQL targets.

``points of`` is lowered to ``if`` over the bands, so both targets run it: the NEWS2
fixture (tests/fixtures/news2.fibro), without its one default, gets from the generated
Python module and from the DuckDB query exactly the runtime's answer, for every witness
and boundary patient of its generated suite and for seeded random records. A guideline
that declares a default is refused by both targets at compile time, naming the input,
since neither carries the result's list of assumed facts yet.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path

import pytest

import fibrolang
from compiler import api
from compiler.backends.python.expressions import PythonTargetError
from compiler.backends.python.module import python_module
from compiler.backends.sql import engines
from compiler.backends.sql.layout import Layout, SqlTargetError
from compiler.backends.sql.query import sql_query
from compiler.testgen.suite import read_patients

sys.path.insert(0, str(Path(__file__).parent))
from sql_answers import population, rows_of, runtime_row, same, sql_row
from test_python_module import RecordMaker, assert_same, build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "news2.fibro"
DEFAULT = " default false when absent"


def _without_default(directory: Path) -> Path:
    """The NEWS2 fixture with its default removed (the bands and points unchanged)."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(DEFAULT) == 1
    shutil.copy(FIXTURE.with_name("news2-source.txt"), directory / "news2-source.txt")
    path = directory / "news2.fibro"
    path.write_text(text.replace(DEFAULT, ""), encoding="utf-8")
    return path


def test_the_python_target_gives_the_runtime_answer_on_the_ordinal_fixture(tmp_path: Path) -> None:
    guideline, module, _text = build(_without_default(tmp_path), tmp_path)
    patients = [
        case.patient for case in read_patients(ROOT / "tests" / "generated" / "test_guideline_news2.py")
    ]
    assert len(patients) > 50
    maker = RecordMaker(guideline.graph, seed=20)
    patients += [maker.patient() for _ in range(3000)]
    scores = set()
    for patient in patients:
        assert_same(guideline, module, patient)
        with contextlib.suppress(fibrolang.InvalidPatient):
            scores.add(guideline.evaluate(patient).outputs["score"])
    assert set(range(0, 15)) <= scores  # the bands' points reach many totals


def test_duckdb_gives_the_runtime_answer_on_the_ordinal_fixture(tmp_path: Path) -> None:
    guideline = fibrolang.load(api.compile_file(_without_default(tmp_path)))
    patients = population("news2", guideline, 3000)
    expected = [runtime_row(guideline, patient) for patient in patients]
    table = tmp_path / "news2.jsonl"
    engines.write_rows_jsonl(rows_of(guideline, patients), table)
    rows = engines.run_duckdb(
        sql_query(guideline.graph, "duckdb"), engines.duckdb_jsonl_source(Layout(guideline.graph), table)
    )
    by_id = {row["patient_id"]: row for row in rows}
    assert len(rows) == len(patients)
    for index, wanted in enumerate(expected):
        got = sql_row(by_id[str(index)])
        assert same(wanted, got), (patients[index], wanted, got)


def test_both_targets_refuse_a_default_naming_the_input() -> None:
    graph = fibrolang.load(api.compile_file(FIXTURE)).graph
    with pytest.raises(
        PythonTargetError, match=r"Python target does not yet support defaults .*supplemental_oxygen"
    ):
        python_module(graph)
    with pytest.raises(
        SqlTargetError, match=r"SQL target does not yet support defaults .*supplemental_oxygen"
    ):
        sql_query(graph, "duckdb")
