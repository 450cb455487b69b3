"""Where SQL's NULL and the runtime's Kleene logic could part: every combination of absent and
present facts of tests/fixtures/kleene.fibro, on DuckDB (and Spark, slow).

The fixture's outputs are the corner cases themselves: ``a and b`` / ``a or b`` / ``not a``
with a or b absent (NULL AND FALSE is FALSE, NULL OR TRUE is TRUE, NOT NULL is NULL),
comparisons with an absent number (``n < 10``, ``n == 5``, ``n != 5``), ``c in {red,
green}`` and ``c in s`` with c or s absent (SQL's IN with NULL), counts over absent facts
(``count of (a, b)``, ``count m in s``: unknown, never a count that skips NULLs),
``any``/``all`` over an absent set and with an unknown filter, ``n + x`` with one absent,
and a selected set with an unknown condition. The guards of its pathway mix them too, so
the status, the missing facts (which ones are named) and the flags are compared as well.
"""

from __future__ import annotations

import itertools
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
from sql_answers import rows_of, runtime_row, same, sql_row

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "kleene.fibro"
ABSENT = object()


def patients() -> list[dict[str, Any]]:
    choices: dict[str, list[Any]] = {
        "a": [ABSENT, True, False],
        "b": [ABSENT, True, False],
        "n": [ABSENT, 3, 5, 10],
        "x": [ABSENT, 5.0, 5.5],
        "c": [ABSENT, "red", "blue"],
        "s": [ABSENT, [], ["red"], ["blue", "red"]],
    }
    found = []
    for values in itertools.product(*choices.values()):
        found.append({k: v for k, v in zip(choices, values, strict=True) if v is not ABSENT})
    return found


@pytest.fixture(scope="module")
def kleene(tmp_path_factory: pytest.TempPathFactory) -> tuple[fibrolang.Guideline, list[Any], Path]:
    guideline = fibrolang.load(api.compile_file(FIXTURE))
    everyone = patients()
    table = tmp_path_factory.mktemp("kleene") / "patients.jsonl"
    engines.write_rows_jsonl(rows_of(guideline, everyone), table)
    return guideline, everyone, table


def check(guideline: fibrolang.Guideline, everyone: list[Any], rows: list[dict[str, Any]]) -> None:
    by_id = {row["patient_id"]: row for row in rows}
    assert len(by_id) == len(everyone)
    unknown_outputs = 0
    for index, patient in enumerate(everyone):
        expected = runtime_row(guideline, patient)
        got = sql_row(by_id[str(index)])
        assert same(expected, got), (patient, expected, got)
        unknown_outputs += sum(value is None for value in (expected["outputs"] or {}).values())
    assert unknown_outputs > 0  # the corner cases were reached


def test_the_corner_cases_on_duckdb(kleene: Any) -> None:
    guideline, everyone, table = kleene
    query = sql_query(guideline.graph, "duckdb")
    check(
        guideline,
        everyone,
        engines.run_duckdb(query, engines.duckdb_jsonl_source(Layout(guideline.graph), table)),
    )


def test_sql_null_semantics_that_would_differ_are_not_used(kleene: Any) -> None:
    """The runtime answers these as the fixture's outputs say; a naive translation would not."""
    guideline, _everyone, _table = kleene
    outputs = guideline.evaluate({"a": False, "s": []}).outputs
    assert outputs["a_and_b"] is False  # FALSE AND unknown
    assert outputs["count_ab"] is None  # a count over an unknown is unknown, not 0 or 1
    assert outputs["count_s"] == 0
    assert outputs["any_red_s"] is False  # any over the empty set
    assert outputs["all_s_red"] is True  # all over the empty set
    assert guideline.evaluate({}).outputs["c_in_pair"] is None  # NULL IN (...) is unknown


@pytest.mark.slow
def test_the_corner_cases_on_spark(kleene: Any) -> None:
    guideline, everyone, table = kleene
    query = sql_query(guideline.graph, "spark")
    frame = engines.spark_frame_of_jsonl(Layout(guideline.graph), table)
    check(guideline, everyone, engines.run_spark(query, frame))
