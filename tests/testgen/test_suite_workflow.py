"""The generated suites as a reviewer uses them: current, deterministic, failing on an edit.

Slow steps (generating the fibromyalgia suite, running pytest on it) run in
subprocesses, the way CI and a reviewer run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fibrolang
from compiler import api
from compiler.backends.graph_json import dumps
from compiler.testgen.mutants import mutants
from compiler.testgen.mutate import run
from compiler.testgen.suite import generate, read_patients, stale, write
from fibrolang import read_graph
from fibrolang.integrity import with_graph_hash

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = ROOT / "guidelines"
SUITES = ROOT / "tests" / "generated"


def _run(args: list[str], seed: str = "0", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


def _pytest_generated(module: str, *options: str) -> subprocess.CompletedProcess[str]:
    return _run(
        [sys.executable, "-m", "pytest", f"tests/generated/{module}", "-p", "no:cacheprovider", *options]
    )


SCORE_FIXTURES = [
    f"tests/fixtures/{name}.fibro"
    for name in (
        "annual-risk",
        "cha2ds2vasc",
        "ckd-staging",
        "curb65",
        "news2",
        "qsofa",
        "news2-oxygen",
        "dates",
    )
]


def test_committed_suites_are_current_under_another_hash_seed() -> None:
    """What CI runs: `fibrolang testgen --check` regenerates the suites and compares bytes."""
    checked = _run(
        [
            sys.executable,
            "-m",
            "compiler.cli",
            "testgen",
            "--check",
            "guidelines/fibromyalgia.fibro",
            "guidelines/acr2016.fibro",
            *SCORE_FIXTURES,
            "-o",
            "tests/generated",
        ],
        seed="12345",
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": current,") == 2 + len(SCORE_FIXTURES)


def test_regenerating_gives_identical_bytes_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    directory = tmp_path / "generated"
    for seed in ("1", "2"):
        result = _run(
            [
                sys.executable,
                "-m",
                "compiler.cli",
                "testgen",
                "guidelines/acr2016.fibro",
                "-o",
                str(directory),
            ],
            seed=seed,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append((directory / "test_guideline_acr2016.py").read_bytes())
    assert outputs[0] == outputs[1]


def test_check_reports_a_stale_suite_and_missing_snapshots(tmp_path: Path) -> None:
    generated = generate(GUIDELINES / "acr2016.fibro", tmp_path, root=ROOT)
    assert stale(generated) == [f"{generated.path}: missing"]
    write(generated)
    reasons = stale(generated)
    assert len(reasons) == 1 and "missing (run pytest --snapshot-update" in reasons[0]
    generated.snapshot_file.parent.mkdir()
    shutil.copy(SUITES / "__snapshots__" / "test_guideline_acr2016.ambr", generated.snapshot_file)
    assert stale(generated) == []
    generated.path.write_text(generated.text.replace("'symptom_months': 0", "'symptom_months': 1", 1))
    assert stale(generated) == [f"{generated.path}: differs from what the current guideline generates"]


def _scratch_copy(tmp_path: Path, old: str, new: str) -> Path:
    """A scratch copy of the fibromyalgia guideline with one edit, compiled to its graph JSON."""
    shutil.copytree(GUIDELINES / "sources", tmp_path / "sources")
    text = (GUIDELINES / "fibromyalgia.fibro").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (tmp_path / "fibromyalgia.fibro").write_text(text.replace(old, new), encoding="utf-8")
    graph = api.compile_file(tmp_path / "fibromyalgia.fibro")
    path = tmp_path / "fibromyalgia.graph.json"
    path.write_text(dumps(graph), encoding="utf-8")
    return path


def test_editing_a_threshold_fails_the_right_test_with_a_readable_diff(tmp_path: Path) -> None:
    """The adult threshold moves from 18 to 19: only the 18-year-old's answer changes, and the
    snapshot diff says so (status ok -> not_applicable, the plan gone, another branch taken)."""
    graph = _scratch_copy(tmp_path, "when age < 18 years -> not_adult", "when age < 19 years -> not_adult")
    result = _pytest_generated("test_guideline_fibromyalgia.py", f"--graph=fibromyalgia={graph}", "-vvv")
    assert result.returncode == 1, result.stdout
    failed = sorted(
        line.split("::")[1].split(" ")[0] for line in result.stdout.splitlines() if line.startswith("FAILED")
    )
    assert failed == ["test_boundary_adult_1__age_at_18"]
    diff = [line[1:].strip() for line in result.stdout.splitlines() if line.startswith("E ")]
    for expected in (
        "-   'status': 'ok',",
        "+   'status': 'not_applicable',",
        "+   'message': 'This pathway covers adults (18 years and older) only.',",
        "-     'start_duloxetine/3: start duloxetine 60 mg/day once daily',",
        "-       'adult/otherwise',",
        "+       'adult/1',",
        "+       'adult/1: true',",
    ):
        assert expected.strip() in diff, expected


def test_the_committed_suite_passes_on_the_committed_graph() -> None:
    for module in ("test_guideline_fibromyalgia.py", "test_guideline_acr2016.py"):
        result = _pytest_generated(module, "--decision-coverage-fail-under=100")
        assert result.returncode == 0, result.stdout[-3000:]
        assert "edges 41/41 (100.0%)" in result.stdout or "edges 3/3 (100.0%)" in result.stdout


@pytest.mark.parametrize(
    ("mutant_id", "killed"),
    [
        ("move-threshold define widespread_pain_met #4 [<=] 6 → 7", False),  # equivalent (see docs)
        ("move-threshold define duration_met #1 [>=] 3 → 4", True),
        ("drop-flag assess/2", True),
    ],
)
def test_the_fast_mutation_run_agrees_with_pytest(tmp_path: Path, mutant_id: str, killed: bool) -> None:
    """`fibrolang mutate` compares snapshot views instead of running pytest per mutant; on these
    mutants pytest on the committed suite fails exactly when the fast run says killed."""
    graph = json.loads((GUIDELINES / "acr2016.graph.json").read_text(encoding="utf-8"))
    mutant = next(m for m in mutants(read_graph(graph)) if m.id == mutant_id)
    mutated = with_graph_hash(mutant.graph)  # a loadable file: the suite fails on its answers only
    fibrolang.load(mutated)
    path = tmp_path / "mutant.graph.json"
    path.write_text(dumps(mutated), encoding="utf-8")
    report = run(graph, read_patients(SUITES / "test_guideline_acr2016.py"), classify_survivors=False)
    fast = next(o for o in report.outcomes if o.mutant.id == mutant_id)
    assert (fast.status == "killed") is killed
    result = _pytest_generated("test_guideline_acr2016.py", f"--graph=acr2016={path}")
    assert (result.returncode == 1) is killed, result.stdout[-2000:]
    if killed:
        assert f"FAILED tests/generated/test_guideline_acr2016.py::{fast.killed_by}" in result.stdout
