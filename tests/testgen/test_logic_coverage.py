"""Coverage beyond edges: arms, output values, MC/DC, boundaries and missing data (issue 19).

The generated suite meets every kind; a suite without the patient that meets a
goal reports that goal missing with a patient that meets it; a goal no patient
can meet is reported unreachable (z3: unsat), never counted as a miss.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compiler import api
from compiler.testgen.cases import gather
from compiler.testgen.coverage import measure
from compiler.testgen.suite import SuitePatient

ROOT = Path(__file__).resolve().parents[2]

UNREACHABLE_ARM = """guideline unreachable_arm
  title "An arm no patient reaches"
  version "0.1.0"
end

enum band { low, high }

input score "Score": integer 0 to 5 points
input frail "Frail": boolean

define frail_and_high "Frail with a high score" = frail and score >= 3 points
output band_of "Band" = if frail and score > 4 points and not frail_and_high then high else low

therapy review "Review"
  class counselling
end

pathway
  start -> check

  decide check "Frail with a high score?"
    when frail_and_high -> reviewed
    otherwise -> done
  end

  step reviewed "Review"
    recommend review
    -> done
  end

  outcome done ok
end
"""


def _compiled(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(api.compile_file(path), sort_keys=True))
    return loaded


def _patients(graph: dict[str, Any]) -> list[SuitePatient]:
    return [SuitePatient(case.name, case.patient, case.protects) for case in gather(graph).cases]


def _kinds(report: Any) -> dict[str, tuple[int, int, int]]:
    return {k.kind: (k.met, k.reachable, k.unreachable) for k in report.kinds}


def test_the_generated_suite_meets_every_kind_of_the_reproducer() -> None:
    graph = _compiled(ROOT / "tests" / "fixtures" / "annual-risk.fibro")
    report = measure(graph, _patients(graph))
    assert report.below(100.0) == []
    kinds = _kinds(report)
    assert kinds["arm"] == (6, 6, 0)  # three conditions, each holding and not holding
    assert kinds["value"] == (4, 4, 0)  # low, mid, high, none
    # 3 thresholds × below/at/above, of which "score 1 below 2" and "score 2 below 3" are
    # unreachable: there the earlier row decides, so the comparison does not (issue 20)
    assert kinds["boundary"] == (7, 7, 2)
    assert kinds["missing"] == (1, 1, 0)


def test_a_suite_without_the_score_2_patient_misses_its_arm_and_value() -> None:
    graph = _compiled(ROOT / "tests" / "fixtures" / "annual-risk.fibro")
    patients = [p for p in _patients(graph) if p.patient.get("score") != 2]
    report = measure(graph, patients)
    assert "arms coverage 83.3%" in report.below(100.0)
    assert "output values coverage 75.0%" in report.below(100.0)
    missing = {entry.what: entry.patient for entry in report.missing}
    assert missing["arm risk #2 then"] == {"score": 2}
    assert missing["value risk = mid"] == {"score": 2}


def test_an_unreachable_arm_is_proven_so_and_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "unreachable.fibro"
    path.write_text(UNREACHABLE_ARM, encoding="utf-8")
    graph = _compiled(path)
    report = measure(graph, _patients(graph))
    kinds = _kinds(report)
    assert kinds["arm"] == (1, 1, 1)  # frail with a score of 5 is frail_and_high
    assert kinds["value"] == (1, 1, 1)  # so no patient gets the band high
    assert kinds["mcdc"] == (4, 4, 0)  # frail and score >= 3 each decide, true and false
    assert report.below(100.0) == []


def test_a_suite_without_a_patient_missing_data_misses_that_kind(tmp_path: Path) -> None:
    path = tmp_path / "unreachable.fibro"
    path.write_text(UNREACHABLE_ARM, encoding="utf-8")
    graph = _compiled(path)
    complete = [p for p in _patients(graph) if set(p.patient) == set(graph["inputs"])]
    report = measure(graph, complete)
    assert _kinds(report)["missing"] == (0, 2, 0)
    without = {entry.what: entry.patient for entry in report.missing}
    frail_missing = without["missing data: a patient without frail"]
    assert frail_missing is not None and "frail" not in frail_missing
