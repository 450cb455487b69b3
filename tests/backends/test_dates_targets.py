"""The Python and SQL targets refuse a guideline with dates at compile time, naming the
date inputs (compiler/backends/dates.py), rather than compare dates some other way; the
CLI says so in one line, without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import fibrolang
from compiler import api
from compiler.backends.python_expressions import PythonTargetError
from compiler.backends.python_module import python_module
from compiler.backends.sql.layout import SqlTargetError
from compiler.backends.sql.query import sql_query

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "dates.fibro"
NAMES = r"assessment_date, birth_date, treatment_start"


def test_both_targets_refuse_dates_naming_the_inputs() -> None:
    graph = fibrolang.load(api.compile_file(FIXTURE)).graph
    with pytest.raises(PythonTargetError, match=rf"Python target does not yet support dates .*{NAMES}"):
        python_module(graph)
    with pytest.raises(SqlTargetError, match=rf"SQL target does not yet support dates .*{NAMES}"):
        sql_query(graph, "duckdb")


@pytest.mark.parametrize("target", ["python", "sql"])
def test_the_cli_refuses_in_one_line(target: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "compile", str(FIXTURE), "--target", target],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "does not yet support dates" in run.stderr
    assert "Traceback" not in run.stderr
