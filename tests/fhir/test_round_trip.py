"""Every witness and boundary patient of the generated fibromyalgia suite
round-trips, and the record read back evaluates to the same result:

- a patient that gives every input: record -> FHIR Bundle (the test helper) -> record, identical;
- a missing-data patient (one input left out on purpose): record -> the CDS Hooks prefetch an
  EHR would send, that input's key omitted (not prefetched) -> record, identical (the input
  absent, so the evaluator answers insufficient_data for it where the path needs it)."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bundle_writer import write_bundle
from prefetch_writer import patient_prefetch, read_prefetch

import fibrolang
from fibrolang import read_graph
from fibrolang.fhir import read_bundle

ROOT = Path(__file__).resolve().parents[2]
GRAPH_PATH = ROOT / "guidelines" / "fibromyalgia.graph.json"
GRAPH = json.loads(GRAPH_PATH.read_text(encoding="utf-8"))
MODEL = read_graph(GRAPH)  # the typed graph the FHIR reader reads
NOW = datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)


def generated_patients() -> list[tuple[str, dict[str, Any]]]:
    """The ``patient: Patient = {...}`` of every test in the generated suite, in the suite's order."""
    tree = ast.parse((ROOT / "tests" / "generated" / "test_guideline_fibromyalgia.py").read_text())
    found = []
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        for statement in function.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and getattr(statement.target, "id", "") == "patient"
                and statement.value is not None
            ):
                found.append((function.name, ast.literal_eval(statement.value)))
    return found


EVERY_PATIENT = generated_patients()
# The patients that give every input. In a plain Bundle an absent condition or medication is a
# value, "no" (docs/fhir.md: "Not in the record" is a value), so only these round-trip through one.
PATIENTS = [(name, patient) for name, patient in EVERY_PATIENT if set(patient) == set(GRAPH["inputs"])]
# The suite's missing-data patients (one input left out on purpose), with the input left out:
# they round-trip through the prefetch, where a key left out is "not prefetched", i.e. unknown.
LEFT_OUT = [
    (name, patient, sorted(set(GRAPH["inputs"]) - set(patient)))
    for name, patient in EVERY_PATIENT
    if set(patient) != set(GRAPH["inputs"])
]


def test_the_generated_suite_has_its_patients() -> None:
    assert len(PATIENTS) >= 100
    # Every patient of the suite is taken: a complete one or one with exactly one input left out,
    # and the suite leaves out each input it can, once.
    assert len(PATIENTS) + len(LEFT_OUT) == len(EVERY_PATIENT)
    assert all(len(left_out) == 1 for _, _, left_out in LEFT_OUT)
    assert all(set(patient) <= set(GRAPH["inputs"]) for _, patient in EVERY_PATIENT)
    assert len({left_out[0] for _, _, left_out in LEFT_OUT}) == len(LEFT_OUT) >= 9


def test_each_bound_input_has_its_own_prefetch_key() -> None:
    """Leaving one input's key out of the prefetch leaves out that input alone: the service asks
    one query per bound input (its discovery's prefetch, keyed by the input's name), and every
    input of this guideline is bound. Were two inputs read from one key, omitting the key would
    leave both unknown, and a one-input-missing patient could not be written this way."""
    bound = {name for name, declared in GRAPH["inputs"].items() if declared.get("binding")}
    assert bound == set(GRAPH["inputs"])
    prefetch = patient_prefetch(GRAPH, PATIENTS[0][1], NOW)
    assert set(prefetch) == bound


@pytest.mark.parametrize(("name", "patient"), PATIENTS, ids=[name for name, _ in PATIENTS])
def test_record_bundle_record_is_identical(name: str, patient: dict[str, Any]) -> None:
    bundle = write_bundle(GRAPH, patient, NOW)
    reading = read_bundle(MODEL, bundle, NOW)
    assert reading.problems == ()
    assert reading.record == patient
    guideline = fibrolang.load(GRAPH_PATH)
    assert guideline.evaluate(reading.record) == guideline.evaluate(patient)


@pytest.mark.parametrize(("name", "patient", "left_out"), LEFT_OUT, ids=[name for name, _, _ in LEFT_OUT])
def test_record_prefetch_record_is_identical(name: str, patient: dict[str, Any], left_out: list[str]) -> None:
    prefetch = patient_prefetch(GRAPH, patient, NOW)
    assert set(prefetch) == set(GRAPH["inputs"]) - set(left_out)
    reading = read_prefetch(GRAPH, prefetch, NOW)
    assert reading.problems == ()
    assert reading.record == patient
    guideline = fibrolang.load(GRAPH_PATH)
    result = guideline.evaluate(reading.record)
    assert result == guideline.evaluate(patient)
    # The suite says whether the path needs the input; when it does, the runtime names it.
    if result.status == "insufficient_data":
        assert {path.split(".")[0].split("[")[0] for path in result.missing} == set(left_out)
    else:
        assert result.status == "ok"
