"""`fibrolang testgen -o DIR` outside tests/ writes what `pytest DIR` needs (issue 21, item 8):
the harness conftest.py and, for a new suite, its first snapshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    return subprocess.run([sys.executable, *arguments], cwd=cwd, env=env, capture_output=True, text=True)


def test_a_suite_generated_outside_tests_runs_there(tmp_path: Path) -> None:
    suite = tmp_path / "elsewhere"
    guideline = str(ROOT / "guidelines" / "acr2016.fibro")
    generated = _run("-m", "compiler.cli", "testgen", guideline, "-o", str(suite), cwd=ROOT)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert f"wrote {suite / 'conftest.py'}" in generated.stdout
    assert (suite / "__snapshots__" / "test_guideline_acr2016.ambr").is_file()
    # the first snapshots are the committed suite's answers
    committed = ROOT / "tests" / "generated" / "__snapshots__" / "test_guideline_acr2016.ambr"
    assert (suite / "__snapshots__" / "test_guideline_acr2016.ambr").read_bytes() == committed.read_bytes()

    gate = "--decision-coverage-fail-under=100"
    ran = _run("-m", "pytest", str(suite), "-p", "no:cacheprovider", gate, cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    tests = (ROOT / "tests" / "generated" / "test_guideline_acr2016.py").read_text().count("\ndef test_")
    assert tests > 20 and f"{tests} passed" in ran.stdout
    assert "acr2016: edges 3/3 (100.0%)" in ran.stdout

    check = [guideline, "-o", str(suite), "--check"]
    assert _run("-m", "compiler.cli", "testgen", *check, cwd=ROOT).returncode == 0
    (suite / "conftest.py").unlink()
    missing = _run("-m", "compiler.cli", "testgen", *check, cwd=ROOT)
    assert missing.returncode == 1
    assert f"{suite / 'conftest.py'}: missing" in missing.stdout


def test_the_committed_harness_is_the_one_testgen_writes() -> None:
    from compiler.testgen.harness import harness_stale

    assert harness_stale(ROOT / "tests" / "generated") == []
