"""The lookup-table fixture (issue 20): tests/fixtures/news2-oxygen.fibro, a two-key table whose
column key is an ordinal score (air or oxygen, with its points), and outputs unset by design.
Its generated suite reaches every cell, every band and every "unset", and kills every mutant
(a cell changed to its neighbour's value, a band's points moved up and down, among them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.backends.sql.layout import SqlTargetError
from compiler.backends.sql.query import sql_query
from compiler.testgen.mutate import run
from compiler.testgen.suite import read_patients, suite_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "news2-oxygen.fibro"


@pytest.fixture(scope="module")
def graph() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(api.compile_file(FIXTURE), sort_keys=True))
    return loaded


def test_the_suite_kills_every_mutant_of_every_cell(graph: dict[str, Any]) -> None:
    patients = read_patients(suite_file(FIXTURE, ROOT / "tests" / "generated"))
    report = run(graph, patients)
    assert report.score == 100.0, [o.mutant.id for o in report.outcomes if o.status == "survivor"]
    changed = [o for o in report.outcomes if o.mutant.operator == "change-arm-value"]
    cells = [o for o in changed if "define spo2_scale_" in o.mutant.id]
    # 4 cells of scale 1 and 14 of scale 2, each moved one up and one down
    assert len(cells) == 2 * (4 + 14) and all(o.status == "killed" for o in cells)
    bands = [o for o in changed if "define oxygen_points " in o.mutant.id]
    # the points of each of the 2 bands of the ordinal, moved one up and one down
    assert len(bands) == 2 * 2 and all(o.status == "killed" for o in bands)
    assert len(changed) == len(cells) + len(bands)
    unset = [o for o in report.outcomes if o.mutant.operator == "unset-arm"]
    # each of the 18 cells made unset, each of the 2 `unset` arms given a value
    assert len(unset) == 18 + 2 and all(o.status == "killed" for o in unset)


def test_the_suite_shows_every_cell_of_the_grid_and_each_scale_unset(graph: dict[str, Any]) -> None:
    guideline = fibrolang.load(graph)
    patients = read_patients(suite_file(FIXTURE, ROOT / "tests" / "generated"))
    unset: set[str] = set()
    cells: set[tuple[Any, Any]] = set()
    for patient in patients:
        result = guideline.evaluate(patient.patient)
        facts = patient.patient
        for name in ("spo2_scale_1", "spo2_scale_2"):
            if name not in result.outputs:
                unset.add(name)
        if "spo2_scale_2" in result.outputs and result.outputs["spo2_scale_2"] is not None:
            cells.add((facts["spo2"], facts["breathing"]))
    assert unset == {"spo2_scale_1", "spo2_scale_2"}
    points = {
        (p.patient["breathing"], guideline.evaluate(p.patient).outputs["oxygen_points"])
        for p in patients
        if "breathing" in p.patient
    }
    assert points == {("air", 0), ("oxygen", 2)}  # each band of the ordinal, with its points
    uppers = [83, 85, 87, 92, 94, 96, 100]  # the rows of scale 2, by their highest saturation
    reached = {
        (next(row for row, upper in enumerate(uppers) if spo2 <= upper), breathing)
        for spo2, breathing in cells
    }
    assert reached == {(row, column) for row in range(7) for column in ("air", "oxygen")}


def test_the_sql_target_refuses_outputs_that_may_be_unset(graph: dict[str, Any]) -> None:
    with pytest.raises(
        SqlTargetError, match=r"outputs that may be unset \(`unset`: spo2_scale_1, spo2_scale_2\)"
    ):
        sql_query(fibrolang.read_graph(graph), "duckdb")
