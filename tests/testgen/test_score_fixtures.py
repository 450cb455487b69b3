"""The score fixtures (issue 19) keep their committed graphs current, and their suites meet
every coverage kind: edges, arms, output values, MC/DC, boundaries and missing data."""

from __future__ import annotations

from pathlib import Path

import pytest

import fibrolang
from compiler import api
from compiler.backends.graph_json import dumps
from compiler.testgen.coverage import measure
from compiler.testgen.suite import read_patients, suite_file

ROOT = Path(__file__).resolve().parents[2]
SCORES = ["annual-risk", "cha2ds2vasc", "ckd-staging", "curb65", "news2", "qsofa", "news2-oxygen", "dates"]


@pytest.mark.parametrize("name", SCORES)
def test_the_committed_fixture_graph_is_current(name: str) -> None:
    source = ROOT / "tests" / "fixtures" / f"{name}.fibro"
    committed = source.with_name(f"{name}.graph.json").read_text(encoding="utf-8")
    assert dumps(api.compile_file(source)) == committed, f"run `fibrolang compile {source} -o ...graph.json`"


@pytest.mark.parametrize("name", SCORES)
def test_the_committed_suite_meets_every_coverage_kind(name: str) -> None:
    source = ROOT / "tests" / "fixtures" / f"{name}.fibro"
    patients = read_patients(suite_file(source, ROOT / "tests" / "generated"))
    report = measure(api.compile_file(source), patients)
    assert report.below(100.0) == [] and not report.errors
    assert {k.kind for k in report.kinds} == {"arm", "value", "mcdc", "boundary", "missing"}


def test_the_stroke_score_suite_reaches_every_row_of_the_annual_rate_table() -> None:
    source = ROOT / "tests" / "fixtures" / "cha2ds2vasc.fibro"
    patients = read_patients(suite_file(source, ROOT / "tests" / "generated"))
    guideline = fibrolang.load(api.compile_file(source))
    outputs = [guideline.evaluate(p.patient).outputs for p in patients]
    assert {o["score"] for o in outputs} == {*range(10), None}  # None: a patient without a fact
    assert {o["annual_stroke_rate"] for o in outputs} >= {0, 1.3, 2.2, 3.2, 4.0, 6.7, 9.8, 9.6, 15.2}
