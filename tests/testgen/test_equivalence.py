"""The two ways of classifying a surviving mutant agree.

``Classifier.classify`` encodes the whole mutant beside the original and
compares every observation a snapshot can make; ``classify_guard_change``
asks only whether some patient evaluates a changed guard with a different
value. For every guard mutant of both guidelines and of a synthetic one
(whose definitions hide equivalent mutants), they must give the same
verdict, and an equivalent verdict must survive every generated patient.
"""

from __future__ import annotations

import json
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.analysis.covering import guards_using
from compiler.testgen.cases import gather
from compiler.testgen.equivalence import Classifier
from compiler.testgen.mutants import GUARD_OPERATORS, mutants
from compiler.testgen.mutate import run
from compiler.testgen.suite import SuitePatient, read_patients
from compiler.testgen.view import snapshot_view
from fibrolang import read_graph

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_guideline  # noqa: E402


@cache
def _graph(name: str) -> dict[str, Any]:
    if name == "synthetic":
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "synthetic.fibro"
            path.write_text(synthetic_guideline(12), encoding="utf-8")
            graph = api.compile_file(path)
    else:
        graph = api.compile_file(ROOT / "guidelines" / f"{name}.fibro")
    loaded: dict[str, Any] = json.loads(json.dumps(graph, sort_keys=True))
    return loaded


def _guards(graph: dict[str, Any], location: str) -> list[str]:
    if location.startswith("define "):
        return guards_using(read_graph(graph))[location.removeprefix("define ")]
    return [location]


@pytest.mark.parametrize("name", ["synthetic", "acr2016", "fibromyalgia"])
def test_guard_change_classification_agrees_with_the_full_one(name: str) -> None:
    graph = _graph(name)
    classifier = Classifier(read_graph(graph))
    chosen = [m for m in mutants(read_graph(graph)) if m.operator in GUARD_OPERATORS]
    if name == "fibromyalgia":
        chosen = chosen[::6]  # a sixth of them keeps the test quick; the others are alike
    kinds = []
    for mutant in chosen:
        local = classifier.classify_guard_change(
            mutant.model, _guards(graph, mutant.location), fall_back=False
        )
        full = classifier.classify(mutant.model)
        assert local.kind == full.kind, (mutant.id, local, full)
        kinds.append(local.kind)
    assert "survivor" in kinds
    if name == "synthetic":
        assert kinds.count("equivalent") >= 4


def test_an_equivalent_guard_mutant_gives_every_generated_patient_the_same_snapshot() -> None:
    graph = _graph("synthetic")
    classifier = Classifier(read_graph(graph))
    original = fibrolang.load(graph)
    patients = [case.patient for case in gather(graph).cases]
    equivalent = [
        m
        for m in mutants(read_graph(graph))
        if m.operator in GUARD_OPERATORS
        and classifier.classify_guard_change(m.model, _guards(graph, m.location)).kind == "equivalent"
    ]
    assert equivalent
    for mutant in equivalent:
        changed = fibrolang.load(mutant.graph, verify=False)  # a mutant, changed on purpose
        for patient in patients:
            before = snapshot_view(original.evaluate(patient).to_dict())
            assert snapshot_view(changed.evaluate(patient).to_dict()) == before, mutant.id


def test_the_mutation_run_gives_the_verdicts_of_running_every_test_first() -> None:
    """`run` classifies a guard mutant that survives its likely killers before running the rest
    of the suite; the statuses must be those of running every test first, then classifying."""
    graph = _graph("synthetic")
    suite = gather(graph)
    patients = [SuitePatient(case.name, case.patient, case.protects) for case in suite.cases]
    fast = run(graph, patients)
    plain = run(graph, [SuitePatient(p.test, p.patient) for p in patients], classify_survivors=False)
    classifier = Classifier(read_graph(graph))
    expected = {
        o.mutant.id: o.status if o.status == "killed" else classifier.classify(o.mutant.model).kind
        for o in plain.outcomes
    }
    assert {o.mutant.id: o.status for o in fast.outcomes} == expected
    assert fast.count("equivalent") >= 4 and fast.count("killed") > 50


def test_the_suite_reader_keeps_what_each_test_protects() -> None:
    patients = read_patients(ROOT / "tests" / "generated" / "test_guideline_fibromyalgia.py")
    boundary = next(p for p in patients if p.test.startswith("test_boundary_adult_1__age"))
    assert "the comparison decides the guard of adult/1" in boundary.protects
    assert "Path:" not in boundary.protects and "outcome:" not in boundary.protects
    assert all(p.protects for p in patients)
