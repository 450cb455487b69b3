"""Every "equivalent" verdict of ``fibrolang mutate`` survives 10,000 random patients.

For every guideline of the repository (guidelines/*.fibro) and every fixture
(tests/fixtures/*.fibro), the mutation run is made with the committed
generated suite (tests/generated), or with a suite generated in memory for a
fixture that has none. Each mutant the run calls equivalent is then evaluated
on 10,000 random patients beside the original, and their snapshot views
(status, message, missing, outputs, plan, flags, monitoring, trace) must be
equal for every one.

The random patients are drawn from the declared inputs with a seeded
generator: a tenth of the facts (and of the fields of each map entry) are
left out, so patients with missing data meet every mutant too (the z3
encoding covers complete patients only; docs/testing.md, "Why an equivalent
mutant is equivalent"); numbers are drawn half the time uniformly in their
declared range and half the time from the guideline's own thresholds and one
step either side, where the mutants act.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.testgen.cases import gather
from compiler.testgen.mutate import run
from compiler.testgen.sampling import PatientSampler
from compiler.testgen.suite import SuitePatient, read_patients, suite_file
from compiler.testgen.view import snapshot_view
from fibrolang import read_graph

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = 10_000
GUIDELINES = sorted([*ROOT.glob("guidelines/*.fibro"), *ROOT.glob("tests/fixtures/*.fibro")])


def _view(guideline: fibrolang.Guideline, patient: dict[str, Any]) -> Any:
    try:
        return snapshot_view(guideline.evaluate(patient).to_dict())
    except (fibrolang.SafetyViolation, fibrolang.GuidelineError, fibrolang.InvalidPatient) as error:
        return f"raises {type(error).__name__}: {error}"


def _suite(path: Path, graph: dict[str, Any]) -> list[SuitePatient]:
    committed = suite_file(path, ROOT / "tests" / "generated")
    if committed.exists():
        return read_patients(committed)
    return [SuitePatient(case.name, case.patient, case.protects) for case in gather(graph).cases]


@pytest.mark.slow
@pytest.mark.parametrize("path", GUIDELINES, ids=[p.stem for p in GUIDELINES])
def test_every_equivalent_mutant_gives_10000_random_patients_the_same_result(path: Path) -> None:
    graph: dict[str, Any] = json.loads(json.dumps(api.compile_file(path), sort_keys=True))
    report = run(graph, _suite(path, graph))
    assert report.count("survivor") == 0 and report.count("unclassified") == 0, [
        (o.mutant.id, o.detail) for o in report.outcomes if o.status in ("survivor", "unclassified")
    ]
    original = fibrolang.load(graph)
    for number, outcome in enumerate(o for o in report.outcomes if o.status == "equivalent"):
        mutant = fibrolang.load(outcome.mutant.graph, verify=False)
        sampler = PatientSampler(original.graph, seed=number)
        for _ in range(SAMPLES):
            patient = sampler.patient()
            assert _view(mutant, patient) == _view(original, patient), (outcome.mutant.id, patient)


def test_the_sampler_leaves_facts_out_and_hits_thresholds() -> None:
    graph: dict[str, Any] = json.loads(
        json.dumps(api.compile_file(ROOT / "guidelines" / "fibromyalgia.fibro"), sort_keys=True)
    )
    sampler = PatientSampler(read_graph(graph), seed=1)
    patients = [sampler.patient() for _ in range(500)]
    assert any(len(p) < len(graph["inputs"]) for p in patients)
    assert sum(1 for p in patients if p.get("age") in (17, 18, 19)) > 20
    guideline = fibrolang.load(graph)
    statuses = {guideline.evaluate(p).status for p in patients}
    assert {"ok", "insufficient_data", "not_applicable"} <= statuses


def test_the_sampling_would_catch_the_unsound_verdict_of_issue_19() -> None:
    """The control: the reproducer's mutant, once wrongly called equivalent, is told apart."""
    path = ROOT / "tests" / "fixtures" / "annual-risk.fibro"
    graph: dict[str, Any] = json.loads(json.dumps(api.compile_file(path), sort_keys=True))
    mutant = next(
        o.mutant for o in run(graph, []).outcomes if o.mutant.id == "move-threshold define risk #2 [==] 2 → 1"
    )
    original, changed = fibrolang.load(graph), fibrolang.load(mutant.graph, verify=False)
    sampler = PatientSampler(original.graph, seed=0)
    patients = (sampler.patient() for _ in range(SAMPLES))
    assert any(_view(changed, p) != _view(original, p) for p in patients)
