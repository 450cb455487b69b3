"""The benchmark runs on a graph file, and its synthetic patients agree with a hand-written
reference of the same logic (a differential test of the runtime)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import graphs as g
import pytest
from reference_tour import evaluate_tour

import fibrolang

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_evaluate.py"


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_evaluate", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def tour_file(tmp_path: Path) -> Path:
    path = tmp_path / "tour.graph.json"
    path.write_text(json.dumps(g.tour_graph(), sort_keys=True, indent=2), encoding="utf-8")
    return path


def test_synthetic_patients_are_valid_deterministic_and_match_the_reference(tour_file: Path) -> None:
    bench = _bench_module()
    guideline = fibrolang.load(tour_file)
    patients = bench.synthetic_patients(guideline.graph, 2000, 3, 0.1)
    assert patients == bench.synthetic_patients(guideline.graph, 2000, 3, 0.1)
    statuses: set[str] = set()
    for patient in patients:
        status: str
        try:
            result = guideline.evaluate(patient)
            status, missing = result.status, list(result.missing)
        except fibrolang.SafetyViolation:
            status, missing = "violation", []
        try:
            expected = evaluate_tour(patient)
            expected_status, expected_missing = expected["status"], expected.get("missing", [])
        except ValueError:
            expected_status, expected_missing = "violation", []
        assert (status, missing) == (expected_status, expected_missing), patient
        statuses.add(status)
    assert statuses == {"ok", "not_applicable", "insufficient_data", "violation"}


def test_the_benchmark_reports_speed_and_ratio(
    tour_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(__file__).parent)
    bench = _bench_module()
    assert (
        bench.main(
            ["--graph", str(tour_file), "--patients", "200", "--reference", "reference_tour:evaluate_tour"]
        )
        == 0
    )
    report = capsys.readouterr().out
    for label in ("load", "runtime", "evaluations/s", "reference", "ratio"):
        assert label in report
