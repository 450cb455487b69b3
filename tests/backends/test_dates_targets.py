"""Dates on the compile targets. The Python target carries dates (compiler/backends/
python/dates.py, standard library only): the generated module of tests/fixtures/dates.fibro
gives exactly the runtime's answer -- result, lean answer, or the same problem list for a
bad record -- for every witness and boundary patient of its generated suite and for seeded
random records (valid dates, absent, null, impossible dates, wrong types). The SQL target
refuses a guideline with dates at compile time, naming the date inputs
(compiler/backends/refusals.py); the CLI says so in one line, without a traceback."""

from __future__ import annotations

import datetime
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.backends.sql.layout import SqlTargetError
from compiler.backends.sql.query import sql_query
from compiler.testgen.suite import read_patients

sys.path.insert(0, str(Path(__file__).parent))
from test_python_module import assert_same, build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "dates.fibro"
SUITE = ROOT / "tests" / "generated" / "test_guideline_dates.py"
INPUTS = ("birth_date", "assessment_date", "treatment_start")


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> tuple[fibrolang.Guideline, Any, str]:
    return build(FIXTURE, tmp_path_factory.mktemp("python_dates"))


def test_the_module_imports_the_standard_library_only(target: tuple[fibrolang.Guideline, Any, str]) -> None:
    _, _, text = target
    imports = sorted({line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))})
    assert imports == ["__future__", "collections.abc", "datetime", "difflib", "fractions", "math", "re"]


def test_every_suite_patient_gets_the_runtimes_answer(target: tuple[fibrolang.Guideline, Any, str]) -> None:
    guideline, module, _ = target
    patients = [case.patient for case in read_patients(SUITE)]
    assert len(patients) >= 10
    for patient in patients:
        assert_same(guideline, module, patient)


def _value(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.75:
        day = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 70))
        return day.isoformat()
    return rng.choice(
        [None, "2023-02-29", "2000-02-29", "2023-13-01", "1/3/2018", "", 20180301, True, [], {}]
    )


def test_random_records_get_the_runtimes_answer(target: tuple[fibrolang.Guideline, Any, str]) -> None:
    guideline, module, _ = target
    rng = random.Random(2026)
    for _ in range(3000):
        patient = {name: _value(rng) for name in INPUTS if rng.random() < 0.95}
        assert_same(guideline, module, patient)


def test_the_sql_target_refuses_dates_naming_the_inputs() -> None:
    graph = fibrolang.load(api.compile_file(FIXTURE)).graph
    names = "assessment_date, birth_date, treatment_start"
    with pytest.raises(SqlTargetError, match=rf"SQL target does not yet support dates .*{names}"):
        sql_query(graph, "duckdb")


def test_the_cli_refuses_sql_in_one_line() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "compile", str(FIXTURE), "--target", "sql"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "does not yet support dates" in run.stderr
    assert "Traceback" not in run.stderr
