"""The dates fixture (tests/fixtures/dates.fibro, issues 13 and 20): its committed suite kills
every mutant, among them each threshold on a count of whole years or months moved by one
(`years from birth_date to assessment_date >= 18 years` → 17, 19) and each date comparison
flipped (`treatment_start > assessment_date` → `>=`: the same day tells them apart)."""

from __future__ import annotations

import json
from pathlib import Path

from compiler import api
from compiler.testgen.mutate import run
from compiler.testgen.suite import read_patients, suite_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "dates.fibro"


def test_the_suite_kills_every_mutant_of_a_duration_or_a_date_comparison() -> None:
    graph = json.loads(json.dumps(api.compile_file(FIXTURE), sort_keys=True))
    report = run(graph, read_patients(suite_file(FIXTURE, ROOT / "tests" / "generated")))
    assert report.score == 100.0, [o.mutant.id for o in report.outcomes if o.status == "survivor"]
    killed = {o.mutant.id for o in report.outcomes if o.status == "killed"}
    for mutant in (
        "move-threshold define adult #1 [>=] 18 → 17",
        "move-threshold define adult #1 [>=] 18 → 19",
        "move-threshold duration_check/1 #1 [>=] 3 → 2",
        "move-threshold duration_check/1 #1 [>=] 3 → 4",
        "flip-comparison define start_recorded_later #1 [>] > → >=",
    ):
        assert mutant in killed, mutant
