"""The README's promises hold: the embedding example runs in under ten lines,
and the eval command it shows works on the sample patient."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_embedding_example_runs_in_under_ten_lines() -> None:
    code = re.search(r"```python\n(.*?)```", README, re.DOTALL)
    assert code is not None
    lines = [line for line in code.group(1).splitlines() if line.strip()]
    assert len(lines) < 10
    run = subprocess.run([sys.executable, "-c", code.group(1)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok ()\n")
    assert "Decisions:" in run.stdout


def test_the_eval_command_shown_works_on_the_sample_patient() -> None:
    shown = re.search(r"\.venv/bin/fibrolang eval (.*?)\n```", README, re.DOTALL)
    assert shown is not None
    arguments = shown.group(1).replace("\\\n", " ").split()
    run = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "eval", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "Status: ok" in run.stdout
