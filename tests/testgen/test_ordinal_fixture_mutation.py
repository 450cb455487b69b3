"""The ordinal-score fixture (tests/fixtures/news2.fibro, issue 20): its committed suite kills
every mutant, among them each band's points moved one up and one down (the arms of the `if`
that `points of` is lowered to) and the changed default of the absent fact it assumes."""

from __future__ import annotations

import json
from pathlib import Path

from compiler import api
from compiler.testgen.mutate import run
from compiler.testgen.suite import read_patients, suite_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "news2.fibro"


def test_the_suite_kills_every_points_and_default_mutant() -> None:
    graph = json.loads(json.dumps(api.compile_file(FIXTURE), sort_keys=True))
    report = run(graph, read_patients(suite_file(FIXTURE, ROOT / "tests" / "generated")))
    assert report.score == 100.0, [o.mutant.id for o in report.outcomes if o.status == "survivor"]
    bands = sum(len(enum.get("points", {})) for enum in graph["enums"].values())
    assert bands == 5 + 4 + 2 + 5 + 6 + 2 + 5  # the seven parameters' bands
    points = [o for o in report.outcomes if o.mutant.id.startswith("change-arm-value define score ")]
    assert len(points) == 2 * bands and all(o.status == "killed" for o in points)
    (default,) = [o for o in report.outcomes if o.mutant.operator == "change-default"]
    assert default.status == "killed"
