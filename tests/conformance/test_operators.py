"""Every operator of ``fibrolang.operators.BINARY`` on a table of cases, through every stage.

One guideline per case (``a OP b``, or ``a OP 2`` where the operator scales by
a plain number) is checked, lowered and then asked:

- the runtime, with and without fused closures (``fibrolang/closures.py``,
  ``fused.py``): the output's value and the decision it takes;
- z3 (``compiler/analysis/encode.py``): the path the encoding predicts for
  the patient is the path the runtime takes;
- ``fibrolang fmt``: the formatted text is stable and writes the operator;
- the flowchart's words (``plain_words``) and the explanations (``render``);
- the Python target and the SQL target on DuckDB: the runtime's answer.

Adding an operator to the table without a case here fails
``test_every_operator_has_cases``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import without_invariants
from compiler.analysis.solve import Prover
from compiler.analysis.witnesses import predicted_path
from compiler.backends.flowchart.plain_words import plain_words
from compiler.backends.python.module import python_module
from compiler.format.formatter import format_text
from compiler.front.parse import SourceText
from fibrolang import read_graph
from fibrolang.expression_text import render
from fibrolang.operators import BINARY, binary
from fibrolang.program import Program

# (operator, a, b, expected value of `a OP b`; b is None where b is a literal: 2, or round's 1 decimal)
CASES: list[tuple[str, float, float | None, Any]] = [
    ("<", 1, 2, True),
    ("<", 2, 2, False),
    ("<", 2.5, 2, False),
    ("<=", 2, 2, True),
    ("<=", 2.5, 2, False),
    ("<=", -3, 2, True),
    (">", 2, 2, False),
    (">", 2.5, 2, True),
    (">", -1, -2, True),
    (">=", 2, 2, True),
    (">=", 1.5, 2, False),
    ("==", 2, 2, True),
    ("==", 2, 2.5, False),
    ("!=", 2, 2.5, True),
    ("!=", 2, 2, False),
    ("+", 4.5, 1, 5.5),
    ("+", -2, 2, 0),
    ("-", 4.5, 1, 3.5),
    ("-", 1, 4.5, -3.5),
    ("*", 4.5, None, 9.0),
    ("*", -3, None, -6),
    ("*", 1.5, 1.5, 2.25),
    ("*", 1.1, 1.1, 1.21),  # as a decimal: the float product would be 1.2100000000000002
    ("/", 9, 2, 4.5),
    ("/", -3, 0.5, -6.0),
    ("/", 7, 4, 1.75),
    ("round", 24.95, None, 25.0),  # half up: the float 24.949999... is read as the decimal it prints as
    ("round", 24.85, None, 24.9),  # half up, not half even (24.8)
    ("round", 24.94, None, 24.9),
    ("round", -2.25, None, -2.3),  # half away from zero
    ("round", 3, None, 3),
    ("min", 3, 2, 2),
    ("min", -1, 2, -1),
    ("max", 3, 2, 3),
    ("max", 2, 2.5, 2.5),
]
UNIT = "mg"


def source(symbol: str, b_is_input: bool, expected: Any) -> str:
    operator = binary(symbol)
    right = "b" if b_is_input else ("1" if symbol == "round" else "2")
    expression = f"{symbol}(a, {right})" if operator.family == "function" else f"a {symbol} {right}"
    guard = expression if operator.family == "comparison" else f"{expression} == {_number(expected)} {UNIT}"
    plain = {"*": "decimal -1000 to 1000", "/": "decimal 0.5 to 1000"}  # b is a plain number here
    b_type = plain.get(symbol, f"decimal -1000 to 1000 {UNIT}")
    return f"""guideline conformance
  title "Operator conformance"
  version "1.0.0"
end

input a "A": decimal -1000 to 1000 {UNIT}
input b "B": {b_type}

output result "Result" = {expression}

pathway
  start -> check

  decide check "Does it hold?"
    when {guard} -> yes
    otherwise -> no
  end

  outcome yes ok
  outcome no not_applicable
end
"""


def _number(value: Any) -> str:
    return str(value) if value >= 0 else f"-{-value}"


def _key(case: tuple[str, float, float | None, Any]) -> str:
    return f"{case[0]} {case[1]} {case[2]}"


@cache
def graph_of(symbol: str, b_is_input: bool, expected: Any) -> dict[str, Any]:
    text = source(symbol, b_is_input, expected)
    result = api.check_source(SourceText("conformance.fibro", text), Path("."))
    assert result.ok, [d.message for d in result.diagnostics]
    return api.compile_checked(result)


def evaluate(graph: dict[str, Any], patient: dict[str, Any], fuse: bool = True) -> fibrolang.Result:
    guideline = fibrolang.load(graph)
    if fuse:
        return guideline.evaluate(patient)
    return Program(guideline.graph, fuse=False).run(guideline.validate(patient))


def patient_of(case: tuple[str, float, float | None, Any]) -> dict[str, Any]:
    _, a, b, _ = case
    return {"a": a, "b": 0 if b is None else b}  # b is read only where it is an operand


def test_every_operator_has_cases() -> None:
    assert {case[0] for case in CASES} == set(BINARY)


def test_the_graph_schema_lists_every_operator() -> None:
    schema = json.loads((Path(fibrolang.__file__).parent / "schema" / "graph.schema.json").read_text())
    enums = [
        set(variant["properties"]["op"]["enum"])
        for variant in schema["$defs"]["expression"]["oneOf"]
        if "enum" in variant.get("properties", {}).get("op", {})
    ]
    assert set(BINARY) in enums


@pytest.mark.parametrize("case", CASES, ids=_key)
@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
def test_the_runtime_computes_the_operator(case: tuple[str, float, float | None, Any], fuse: bool) -> None:
    symbol, _, b, expected = case
    result = evaluate(graph_of(symbol, b is not None, expected), patient_of(case), fuse)
    assert result.outputs["result"] == expected
    holds = expected if binary(symbol).family == "comparison" else True
    assert result.status == ("ok" if holds else "not_applicable")


@pytest.mark.parametrize("case", CASES, ids=_key)
def test_an_unknown_operand_gives_an_unknown_result(case: tuple[str, float, float | None, Any]) -> None:
    symbol, _, b, expected = case
    result = evaluate(graph_of(symbol, b is not None, expected), {"b": b} if b is not None else {})
    assert result.status == "insufficient_data"
    assert "a" in result.to_dict()["missing"]


@pytest.mark.parametrize("case", CASES, ids=_key)
def test_z3_predicts_the_runtime_path(case: tuple[str, float, float | None, Any]) -> None:
    symbol, _, b, expected = case
    graph = without_invariants(read_graph(graph_of(symbol, b is not None, expected)))
    paths = PathConditions(graph)
    taken = evaluate(graph_of(symbol, b is not None, expected), patient_of(case))
    assert predicted_path(paths, Prover(paths), patient_of(case)) == list(taken.trace.edges)


@pytest.mark.parametrize("symbol", sorted(BINARY))
def test_the_formatter_writes_the_operator_and_is_stable(symbol: str) -> None:
    case = next(case for case in CASES if case[0] == symbol)
    text = source(symbol, case[2] is not None, case[3])
    formatted, problems = format_text(text)
    assert formatted is not None, problems
    written = f"= {symbol}(a, " if binary(symbol).family == "function" else f"= a {symbol} "
    assert written in formatted
    again, _ = format_text(formatted)
    assert again == formatted


@pytest.mark.parametrize("symbol", sorted(BINARY))
def test_the_flowchart_and_the_explanation_word_the_operator(symbol: str) -> None:
    case = next(case for case in CASES if case[0] == symbol)
    graph = graph_of(symbol, case[2] is not None, case[3])
    guard = graph["nodes"]["check"]["branches"][0]["guard"]
    words = plain_words(graph, guard)
    operator = binary(symbol)
    if operator.family == "function":
        template = operator.words
        if symbol == "round":  # graph_of rounds to 1: "rounded to 1 decimal", not "1 decimals"
            template = template.replace("{right} decimals", "{right} decimal")
            assert "decimals" not in words, words
        for piece in re.split(r"\{left\}|\{right\}", template):
            assert piece.strip() in words, words
    else:
        assert f" {operator.sign} " in words, words
    typed = fibrolang.load(graph).graph
    definition = next(d for d in typed.definitions if d.name == "result")
    assert (f"{symbol}(" if operator.family == "function" else f" {symbol} ") in render(definition.expr)


@pytest.mark.parametrize("case", CASES, ids=_key)
def test_the_python_target_gives_the_runtime_answer(
    case: tuple[str, float, float | None, Any], tmp_path: Path
) -> None:
    symbol, _, b, expected = case
    guideline = fibrolang.load(graph_of(symbol, b is not None, expected))
    path = tmp_path / "conformance_module.py"
    path.write_text(python_module(guideline.graph), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("conformance_module", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for patient in (patient_of(case), {}):
        assert module.evaluate(patient) == guideline.evaluate(patient).to_dict()


def test_the_sql_target_on_duckdb_gives_the_runtime_answer(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from compiler.backends.sql import engines
    from compiler.backends.sql.layout import Layout
    from compiler.backends.sql.query import sql_query

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends"))
    from sql_answers import rows_of, runtime_row, same, sql_row

    for index, case in enumerate(CASES):
        symbol, _, b, expected = case
        guideline = fibrolang.load(graph_of(symbol, b is not None, expected))
        patients = [patient_of(case), {}]
        table = tmp_path / f"case{index}.jsonl"
        engines.write_rows_jsonl(rows_of(guideline, patients), table)
        layout = Layout(guideline.graph)
        query = sql_query(guideline.graph, "duckdb")
        rows = engines.run_duckdb(query, engines.duckdb_jsonl_source(layout, table))
        by_id = {row["patient_id"]: row for row in rows}
        for number, patient in enumerate(patients):
            wanted, got = runtime_row(guideline, patient), sql_row(by_id[str(number)])
            assert same(wanted, got), (case, json.dumps(wanted), got)


@pytest.mark.parametrize(("a", "expected"), [(-7, 7), (3, 3), (0, 0), (-4.5, 4.5)])
def test_abs_is_the_max_of_a_value_and_its_negation_on_every_stage(a: float, expected: float) -> None:
    text = source("max", True, expected).replace("max(a, b)", "abs(a)")
    assert "abs(a) == " in text
    formatted, problems = format_text(text)
    assert formatted == text, problems  # written abs(x), read as max(x, -x), shown as abs(x) again
    result = api.check_source(SourceText("abs.fibro", text), Path("."))
    assert result.ok and not api.prove(result)
    graph = api.compile_checked(result)
    definition = graph["definitions"][0]["expr"]
    assert definition == {
        "op": "max",
        "left": {"op": "input", "name": "a"},
        "right": {"op": "neg", "operand": {"op": "input", "name": "a"}},
    }
    patient = {"a": a, "b": 0}
    for fuse in (True, False):
        assert evaluate(graph, patient, fuse).outputs["result"] == expected
    paths = PathConditions(without_invariants(read_graph(graph)))
    assert predicted_path(paths, Prover(paths), patient) == list(evaluate(graph, patient).trace.edges)
    assert "the absolute value of a" in plain_words(graph, definition).lower()
    assert render(fibrolang.load(graph).graph.definitions[0].expr) == "abs(a)"
