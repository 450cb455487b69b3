"""``+``, ``-``, unary minus and ``sum`` on decimals compute on the decimals as written, in
every stage.

The fixture (tests/fixtures/decimal-arithmetic.fibro) adds and subtracts decimal inputs and
compares the results with a constant (``a + b <= 0.3 mmol/L`` decides the branch) and with
a third input. For decimals with up to three fractional digits, exact arithmetic
(``Fraction``) says what every output is and which branch the patient takes; the runtime
(fused and unfused, full and lean), the generated Python module, the DuckDB query and the
z3 path conditions must all say the same. With binary floating point, 0.1 + 0.2 is
0.30000000000000004, above 0.3: the patient went down the wrong branch. Integer
arithmetic stays integer (an ``int`` in Python, a BIGINT in SQL).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import fibrolang
from compiler import api
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Runtime
from compiler.analysis.solve import Prover
from compiler.analysis.witnesses import predicted_path
from compiler.backends.sql import engines
from compiler.backends.sql.layout import Layout
from compiler.backends.sql.query import sql_query
from fibrolang.load import Guideline
from fibrolang.program import Program

sys.path.insert(0, str(Path(__file__).parent))
from sql_answers import rows_of, runtime_row, same, sql_row
from test_python_module import assert_same, build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "decimal-arithmetic.fibro"
PORTIONS = ("first", "second", "third")
THRESHOLD = Fraction(3, 10)  # the decision's constant, 0.3 mmol/L


@dataclass(frozen=True)
class Case:
    """A patient, drawn as exact decimals, and what exact arithmetic says of it."""

    a: Fraction
    b: Fraction
    c: Fraction
    n: int
    portions: tuple[str, ...]
    patient: dict[str, Any]

    def expected_outputs(self) -> dict[str, Any]:
        a, b, c = self.a, self.b, self.c
        parts = _parts(a, b)
        portions = sum((parts[p] for p in self.portions), Fraction(0))
        return {
            "total": a + b,
            "difference": a - b,
            "whole": 2 * self.n - 1,
            "portions_sum": portions,
            "sum_at_most": a + b <= c,
            "difference_at_most": a - b <= c,
            "negated_at_least": -(a + b) >= c,
            "portions_at_most": portions <= c,
        }

    def expected_recommendation(self) -> str:
        return "low_dose" if self.a + self.b <= THRESHOLD else "high_dose"


def _parts(a: Fraction, b: Fraction) -> dict[str, Fraction]:
    """The amount of each portion (the map input ``doses``): A, B, and A minus B."""
    return {"first": a, "second": b, "third": a - b}


def _given(value: Fraction, as_integer: bool) -> int | float:
    """A decimal as a patient record gives it: the float that prints as it, or an integer."""
    if as_integer and value.denominator == 1:
        return int(value)
    return float(value)  # up to 3 fractional digits and 7 significant: repr is the decimal


# small decimals (0.1 + 0.2) and large ones (123.456 - 0.007)
THOUSANDTHS = (st.integers(-2_000, 2_000) | st.integers(-200_000, 200_000)).map(lambda n: Fraction(n, 1000))
NEAR = st.sampled_from((-1, 0, 1)).map(lambda steps: Fraction(steps, 1000))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    a = draw(THOUSANDTHS)
    # often a pair that sums to the decision's constant, or just beside it
    b = draw(THOUSANDTHS | NEAR.map(lambda near: THRESHOLD - a + near))
    portions = tuple(p for p in PORTIONS if p in draw(st.sets(st.sampled_from(PORTIONS))))
    parts = _parts(a, b)
    compared = draw(st.sampled_from((a + b, a - b, -(a + b), sum((parts[p] for p in portions), Fraction(0)))))
    c = draw(THOUSANDTHS | NEAR.map(lambda near: compared + near))
    n = draw(st.integers(-400, 400))
    as_integer = draw(st.booleans())
    patient = {
        "a": _given(a, as_integer),
        "b": _given(b, as_integer),
        "c": _given(c, as_integer),
        "n": n,
        "portions": list(portions),
        "doses": {name: {"amount": _given(amount, as_integer)} for name, amount in parts.items()},
    }
    return Case(a, b, c, n, portions, patient)


def _assert_exact(case: Case, outputs: dict[str, Any], recommended: list[str], stage: str) -> None:
    for name, wanted in case.expected_outputs().items():
        got = outputs[name]
        if isinstance(wanted, bool):
            assert got is wanted, (stage, name, case.patient, got)
        else:
            assert got == float(wanted), (stage, name, case.patient, got, wanted)
    assert type(outputs["whole"]) is int, (stage, case.patient)
    assert recommended == [case.expected_recommendation()], (stage, case.patient, recommended)


# ---- the stages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Stages:
    document: dict[str, Any]
    fused: Guideline
    unfused: Guideline
    module: ModuleType
    directory: Path
    paths: PathConditions
    prover: Prover
    query: str  # the DuckDB query


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> Stages:
    directory = tmp_path_factory.mktemp("decimal_arithmetic")
    document = api.compile_file(FIXTURE)
    fused, module, _text = build(FIXTURE, directory)
    unfused = fibrolang.load(document)
    unfused._program = Program(unfused.graph, fuse=False)
    paths = PathConditions(fibrolang.read_graph(document))
    query = sql_query(fused.graph, "duckdb")
    return Stages(document, fused, unfused, module, directory, paths, Prover(paths), query)


def _runtime(guideline: Guideline, case: Case, stage: str) -> None:
    for trace in (True, False):
        result = guideline.evaluate(case.patient, trace).to_dict()
        recommended = [item["intervention"] for item in result["recommendations"]]
        _assert_exact(case, result["outputs"], recommended, f"{stage} trace={trace}")


def _python_target(stages: Stages, case: Case) -> None:
    assert_same(stages.fused, stages.module, case.patient)  # evaluate and decide, as the runtime
    result = stages.module.evaluate(case.patient)
    recommended = [item["intervention"] for item in result["recommendations"]]
    _assert_exact(case, result["outputs"], recommended, "python target")


def _duckdb(stages: Stages, cases: list[Case], name: str) -> None:
    guideline = stages.fused
    table = stages.directory / f"{name}.jsonl"
    engines.write_rows_jsonl(rows_of(guideline, [case.patient for case in cases]), table)
    rows = engines.run_duckdb(stages.query, engines.duckdb_jsonl_source(Layout(guideline.graph), table))
    by_id = {row["patient_id"]: row for row in rows}
    assert len(rows) == len(cases)
    for index, case in enumerate(cases):
        got = sql_row(by_id[str(index)])
        assert same(runtime_row(guideline, case.patient), got), (case.patient, got)
        recommended = [item["intervention"] for item in got["recommendations"]]
        _assert_exact(case, got["outputs"], recommended, "duckdb")


def _path_conditions(stages: Stages, case: Case) -> None:
    replay = Runtime().run(stages.fused.graph, case.patient)
    assert list(replay.edges) == predicted_path(stages.paths, stages.prover, case.patient), case.patient
    wanted = "screen/1" if case.a + case.b <= THRESHOLD else "screen/otherwise"
    assert wanted in replay.edges, (case.patient, replay.edges)


# ---- the regression: 0.1 + 0.2 is at most 0.3 -------------------------------------------


def _written(a: str, b: str, c: str, n: int, portions: tuple[str, ...]) -> Case:
    """A case from decimals as written, given to the stages as the floats that print as them."""
    exact = {"a": Fraction(a), "b": Fraction(b), "c": Fraction(c)}
    patient: dict[str, Any] = {name: float(value) for name, value in exact.items()}
    doses = {name: {"amount": float(amount)} for name, amount in _parts(exact["a"], exact["b"]).items()}
    patient.update(n=n, portions=list(portions), doses=doses)
    return Case(exact["a"], exact["b"], exact["c"], n, portions, patient)


REGRESSION = [
    _written("0.1", "0.2", "0.3", 2, ("first", "second")),
    _written("0.4", "0.1", "0.3", 0, ("first", "third")),  # 0.4 - 0.1
    _written("1.1", "-0.8", "0.3", -1, ("second", "third")),  # 1.1 + -0.8
]


# ---- the properties -------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
@example(case=REGRESSION[0])  # the random draws find such a case only now and then
def test_the_runtime_adds_and_subtracts_decimals_exactly(stages: Stages, case: Case) -> None:
    _runtime(stages.fused, case, "fused")
    _runtime(stages.unfused, case, "unfused")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
@example(case=REGRESSION[0])
def test_the_python_target_adds_and_subtracts_decimals_exactly(stages: Stages, case: Case) -> None:
    _python_target(stages, case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(cases(), min_size=1, max_size=25))
@example(batch=REGRESSION)
def test_duckdb_adds_and_subtracts_decimals_exactly(stages: Stages, batch: list[Case]) -> None:
    _duckdb(stages, batch, "batch")


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
@example(case=REGRESSION[0])
def test_the_z3_path_conditions_take_the_branch_the_runtime_takes(stages: Stages, case: Case) -> None:
    _path_conditions(stages, case)


def test_a_tenth_plus_two_tenths_is_at_most_three_tenths_in_every_stage(stages: Stages) -> None:
    """0.1 + 0.2 <= 0.3 holds (binary floats make it 0.30000000000000004 > 0.3): the
    patient takes the ``<=`` branch, and ``total`` is 0.3, in every stage."""
    assert 0.1 + 0.2 > 0.3  # the float arithmetic the stages must not do
    cases = REGRESSION
    first = cases[0]
    assert first.expected_recommendation() == "low_dose"
    for case in cases:
        _runtime(stages.fused, case, "fused")
        _runtime(stages.unfused, case, "unfused")
        _python_target(stages, case)
        _path_conditions(stages, case)
    _duckdb(stages, cases, "regression")
    result = stages.fused.evaluate(first.patient).to_dict()
    assert result["outputs"]["total"] == 0.3
    assert result["trace"]["edges"][1] == "screen/1"
