"""Lookup tables and outputs that may be unset give the same results through the fused and
the unfused evaluator, in full and lean mode: every patient of a grid over each table's
keys (each heading's bounds and the values either side), and patients with a key absent."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from fibrolang.program import Program

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"

EGFR = [0, 14.9, 15, 29.9, 30, 44.9, 45, 59.9, 60, 89.9, 90, 200, None]
ACR = [0, 2.9, 3, 30, 30.1, 2000, None]
GRIDS: dict[str, list[dict[str, Any]]] = {
    "ckd-staging": [{"egfr": e, "acr": a} for e, a in itertools.product(EGFR, ACR)],
    "annual-risk": [{"score": s} for s in [0, 1, 2, 3, 4, 5, None]],
    "news2-oxygen": [
        {"spo2": s, "breathing": b, "hypercapnic": h}
        for s, b, h in itertools.product(
            [*range(50, 101), None], ["air", "oxygen", None], [True, False, None]
        )
    ],
}


@pytest.mark.parametrize("name", sorted(GRIDS))
def test_fused_and_unfused_evaluators_agree_on_every_cell(name: str) -> None:
    document = api.compile_file(FIXTURES / f"{name}.fibro")
    fused = fibrolang.load(document)
    unfused = fibrolang.load(document)
    unfused._program = Program(unfused.graph, fuse=False)
    outputs = set()
    for grid_patient in GRIDS[name]:
        patient = {key: value for key, value in grid_patient.items() if value is not None}
        for trace in (True, False):
            expected = fused.evaluate(patient, trace).to_json()
            assert unfused.evaluate(patient, trace).to_json() == expected, patient
        outputs.add(tuple(sorted((k, str(v)) for k, v in fused.evaluate(patient).outputs.items())))
    assert len(outputs) >= 5  # the grid reaches every answer of the smallest table, not one answer
