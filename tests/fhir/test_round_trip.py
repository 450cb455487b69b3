"""Every witness and boundary patient of the generated fibromyalgia suite
round-trips: record -> FHIR Bundle (the test helper) -> record, identical, and
the record read back evaluates to the same result."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bundle_writer import write_bundle

import fibrolang
from fibrolang.fhir import read_bundle

ROOT = Path(__file__).resolve().parents[2]
GRAPH_PATH = ROOT / "guidelines" / "fibromyalgia.graph.json"
GRAPH = json.loads(GRAPH_PATH.read_text(encoding="utf-8"))
NOW = datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)


def generated_patients() -> list[tuple[str, dict[str, Any]]]:
    """The ``patient = {...}`` of every test in the generated suite that gives every input.

    The suite's missing-data tests leave one input out on purpose; in a Bundle an absent
    condition or medication is a value, "no" (docs/fhir.md: "Not in the record" is a value),
    so those records are not meant to round-trip and are left out here."""
    tree = ast.parse((ROOT / "tests" / "generated" / "test_guideline_fibromyalgia.py").read_text())
    found = []
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        for statement in function.body:
            if isinstance(statement, ast.Assign) and getattr(statement.targets[0], "id", "") == "patient":
                patient = ast.literal_eval(statement.value)
                if set(patient) == set(GRAPH["inputs"]):
                    found.append((function.name, patient))
    return found


PATIENTS = generated_patients()


def test_the_generated_suite_has_its_patients() -> None:
    assert len(PATIENTS) >= 100


@pytest.mark.parametrize(("name", "patient"), PATIENTS, ids=[name for name, _ in PATIENTS])
def test_record_bundle_record_is_identical(name: str, patient: dict[str, Any]) -> None:
    bundle = write_bundle(GRAPH, patient, NOW)
    reading = read_bundle(GRAPH, bundle, NOW)
    assert reading.problems == ()
    assert reading.record == patient
    guideline = fibrolang.load(GRAPH_PATH)
    assert guideline.evaluate(reading.record) == guideline.evaluate(patient)
