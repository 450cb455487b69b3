"""A mutant is equivalent only when no patient's whole result can tell it apart (issue 19).

The reproducer: ``tests/fixtures/annual-risk.fibro`` has an output
``if score == 1 then low else if score == 2 then mid else …`` that the pathway
never branches on. Moving ``score == 2`` to ``score == 1`` gives every patient
with score 2 ``none`` instead of ``mid``; no guard reads the output, so a
verdict on guard values alone called it equivalent. It must be a survivor of an
empty suite (with the patient who kills it) and killed by the generated suite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fibrolang
from compiler import api
from compiler.testgen.cases import gather
from compiler.testgen.equivalence import Classifier, Verdict
from compiler.testgen.mutate import cross_checked, run
from compiler.testgen.suite import SuitePatient
from compiler.testgen.view import snapshot_view
from fibrolang import read_graph

ROOT = Path(__file__).resolve().parents[2]
REPRODUCER = "move-threshold define risk #2 [==] 2 → 1"


def _graph(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(api.compile_file(path), sort_keys=True))
    return loaded


def test_the_reproducer_mutant_is_a_survivor_of_an_empty_suite_not_equivalent() -> None:
    graph = _graph(ROOT / "tests" / "fixtures" / "annual-risk.fibro")
    report = run(graph, [])
    outcome = next(o for o in report.outcomes if o.mutant.id == REPRODUCER)
    assert outcome.status == "survivor", outcome
    assert outcome.verdict is not None and outcome.verdict.patient == {"score": 2}
    assert report.count("equivalent") == 0


def test_the_guard_change_shortcut_is_refused_for_a_changed_output() -> None:
    graph = _graph(ROOT / "tests" / "fixtures" / "annual-risk.fibro")
    report = run(graph, [])
    mutant = next(o.mutant for o in report.outcomes if o.mutant.id == REPRODUCER)
    assert not Classifier(read_graph(graph)).guard_change_only(mutant.model)


def test_the_generated_suite_kills_the_reproducer_and_every_other_mutant() -> None:
    graph = _graph(ROOT / "tests" / "fixtures" / "annual-risk.fibro")
    suite = gather(graph)
    patients = [SuitePatient(case.name, case.patient, case.protects) for case in suite.cases]
    report = run(graph, patients)
    outcome = next(o for o in report.outcomes if o.mutant.id == REPRODUCER)
    assert outcome.status == "killed"
    mutant = fibrolang.load(outcome.mutant.graph, verify=False)
    killer = next(p for p in patients if p.test == outcome.killed_by)
    original = fibrolang.load(graph)
    assert snapshot_view(mutant.evaluate(killer.patient).to_dict()) != snapshot_view(
        original.evaluate(killer.patient).to_dict()
    )
    assert report.score == 100.0 and report.count("killed") == len(report.outcomes)


def test_a_wrong_equivalence_verdict_is_overturned_by_the_sampled_patients() -> None:
    """The run-time cross-check: were z3's verdict wrong, a sampled patient would show it."""
    graph = _graph(ROOT / "tests" / "fixtures" / "annual-risk.fibro")
    mutant = next(o.mutant for o in run(graph, []).outcomes if o.mutant.id == REPRODUCER)
    claimed = Verdict("equivalent", "claimed for the test")
    checked = cross_checked(fibrolang.load(graph), mutant, claimed)
    assert checked.kind == "survivor" and checked.patient is not None
    assert checked.patient.get("score") == 2


def test_a_right_equivalence_verdict_keeps_its_kind_and_says_it_was_sampled() -> None:
    graph = _graph(ROOT / "guidelines" / "acr2016.fibro")
    outcome = next(o for o in run(graph, []).outcomes if o.status == "equivalent")
    assert outcome.mutant.id == "move-threshold define widespread_pain_met #4 [<=] 6 → 7"
    assert "complete patient" in outcome.detail and "sampled patients" in outcome.detail


def test_every_row_of_the_table_is_a_mutant_and_the_suite_kills_each() -> None:
    graph = _graph(ROOT / "tests" / "fixtures" / "annual-risk.fibro")
    suite = gather(graph)
    patients = [SuitePatient(case.name, case.patient, case.protects) for case in suite.cases]
    report = run(graph, patients)
    rows = {o.mutant.id: o.status for o in report.outcomes if o.mutant.operator == "change-arm-value"}
    assert rows == {
        "change-arm-value define risk #1 then low → mid": "killed",
        "change-arm-value define risk #2 then mid → high": "killed",
        "change-arm-value define risk #3 then high → none": "killed",
        "change-arm-value define risk #4 else none → low": "killed",
    }


def test_the_committed_suite_names_the_test_by_the_arm_it_protects() -> None:
    from compiler.testgen.suite import read_patients

    patients = read_patients(ROOT / "tests" / "generated" / "test_guideline_annual_risk.py")
    arm = next(p for p in patients if p.test == "test_arm_risk_2_then")
    assert arm.patient == {"score": 2}
    assert "arm of output risk (Annual risk): score = 2 points holds" in arm.protects
    assert "value of output risk (Annual risk): mid" in arm.protects
    missing = next(p for p in patients if p.test == "test_missing_score")
    assert missing.patient == {} and "missing data: no score" in missing.protects
