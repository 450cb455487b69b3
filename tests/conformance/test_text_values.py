"""Texts (issue 20: a table cell that is a text) through every stage: the runtime, fused and
unfused, full and lean; a graph that reads a text refused at load; the z3 encoding (a
witness for every text cell, replayed through the runtime); the flowchart and the
explanation (escaped by construction, a bidirectional control still flagged by FIB014);
the formatter; the Python target (repr, never pasted) and the SQL target on DuckDB (a
literal sqlglot quotes), each giving the runtime's answer; the behavioural diff.
The checker's side (FIB142, FIB147) is tests/check/cases/text.fibro."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import z3

import fibrolang
from compiler import api
from compiler.analysis.encode import Plan, conj
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import Prover
from compiler.backends.flowchart.dot import render_dot
from compiler.backends.sql import engines
from compiler.backends.sql.compact import decoded
from compiler.backends.sql.layout import Layout
from compiler.backends.sql.query import result_dictionary, sql_query
from compiler.format.formatter import format_text
from compiler.review.behaviour import compare
from compiler.testgen.mutants import mutants
from compiler.testgen.suite import read_patients
from fibrolang.program import Program

sys.path.insert(0, str(Path(__file__).parents[1] / "backends"))
from sql_answers import rows_of, runtime_row, same, sql_row
from test_python_module import assert_same, build

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "fibrolang" / "schema" / "graph.schema.json").read_text(encoding="utf-8"))

# Every character a target could mistake for its own syntax: quotes of both kinds, a
# backslash, SQL's comment and statement end, Python's triple quotes, markup, a newline,
# and a right-to-left override written as an escape (visible in the source: no FIB014).
TEXTS = {
    0: 'Say "no" <b>bold</b> & more',
    1: "it's a \\ back'slash; DROP TABLE patients; --",
    2: "'''triple''' and \"\"\" too\nsecond line",
    3: "Ünïcødé ≥ 90 → refer",
    4: "abc\u202edef",
}
ELSE = "Refer to nephrology"

SOURCE = """guideline texts
  title "Texts"
  version "1.0"
end

input score "Score": integer 0 to 5 points
input pregnant "Pregnant": boolean

output advice "Advice" = table by score
  | 0 | "Say \\"no\\" <b>bold</b> & more" |
  | 1 | "it's a \\\\ back'slash; DROP TABLE patients; --" |
  | 2 | "'''triple''' and \\"\\"\\" too\\nsecond line" |
  | 3 | "Ünïcødé ≥ 90 → refer" |
  | 4 | "abc\\u202edef" |
  otherwise "Refer to nephrology"
end
output caution "Caution" = if pregnant then "Seek obstetric advice" else "None"

pathway
  start -> done
  outcome done ok
end
"""

PATIENTS: list[dict[str, Any]] = [
    *({"score": score, "pregnant": pregnant} for score in range(6) for pregnant in (True, False)),
    {"score": 2},
    {"pregnant": True},
    {},
]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("texts") / "texts.fibro"
    path.write_text(SOURCE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def graph(source: Path) -> dict[str, Any]:
    checked = api.check_file(source)
    assert checked.diagnostics == []
    return api.compile_file(source)


def test_the_graph_carries_each_text_and_validates_against_the_schema(graph: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(graph)
    written = json.dumps(graph)
    for text in TEXTS.values():
        assert json.dumps({"op": "text", "value": text})[1:-1] in written


def test_the_result_carries_the_string_fused_and_unfused_full_and_lean(graph: dict[str, Any]) -> None:
    fused = fibrolang.load(graph)
    unfused = fibrolang.load(graph)
    unfused._program = Program(unfused.graph, fuse=False)
    for patient in PATIENTS:
        for trace in (True, False):
            result = fused.evaluate(patient, trace)
            assert result.to_json() == unfused.evaluate(patient, trace).to_json()
            score = patient.get("score")
            expected = None if score is None else TEXTS.get(score, ELSE)
            assert result.outputs["advice"] == expected
            pregnant = patient.get("pregnant")
            caution = None if pregnant is None else ("Seek obstetric advice" if pregnant else "None")
            assert result.outputs["caution"] == caution
    assert fused.evaluate({"score": 4, "pregnant": False}).to_dict()["outputs"]["advice"] == "abc\u202edef"


@pytest.mark.parametrize(
    "expression",
    [
        {"op": "==", "left": {"op": "text", "value": "a"}, "right": {"op": "text", "value": "a"}},
        {"op": "not", "operand": {"op": "text", "value": "a"}},
        {"op": "+", "left": {"op": "text", "value": "a"}, "right": {"op": "const", "value": 1, "unit": None}},
        {
            "op": "if",
            "condition": {"op": "def", "name": "caution"},
            "then": {"op": "const", "value": 1, "unit": "points"},
            "else": {"op": "const", "value": 2, "unit": "points"},
        },
    ],
    ids=["equal", "not", "plus", "if-reads-a-text-output"],
)
def test_a_graph_that_reads_a_text_is_refused_at_load(
    graph: dict[str, Any], expression: dict[str, Any]
) -> None:
    forged = copy.deepcopy(graph)
    forged["definitions"].append(
        {**forged["definitions"][0], "name": "forged", "label": None, "output": True, "expr": expression}
    )
    with pytest.raises(fibrolang.GuidelineError) as raised:
        fibrolang.load(forged, verify=False)
    assert any(problem.code == "type_error" for problem in raised.value.problems)


def test_z3_finds_a_patient_for_every_text_cell_and_none_for_another_text(graph: dict[str, Any]) -> None:
    typed = fibrolang.read_graph(graph)
    paths = PathConditions(typed)
    prover = Prover(paths)
    runtime = fibrolang.load(graph)
    definition = next(d for d in typed.definitions if d.name == "advice")
    sym = paths.encoder.expr(definition.expr, Plan.empty([], []), {})
    assert sym.kind == "text"
    for text in [*TEXTS.values(), ELSE]:
        answer = prover.ask(conj(sym.known, sym.value == z3.StringVal(text)))
        assert answer.verdict == "sat", text
        patient = prover.patient(answer.model)
        assert runtime.evaluate(patient).outputs["advice"] == text  # replayed, not trusted
    assert prover.ask(conj(sym.known, sym.value == z3.StringVal("Refer to Nephrology"))).verdict == "unsat"


def test_the_committed_ckd_suite_has_a_patient_for_every_follow_up_cell() -> None:
    graph = api.compile_file(ROOT / "tests" / "fixtures" / "ckd-staging.fibro")
    guideline = fibrolang.load(graph)
    definition = next(d for d in graph["definitions"] if d["name"] == "follow_up")
    cells = set(_texts(definition["expr"]))
    assert len(cells) == 4
    suite = ROOT / "tests" / "generated" / "test_guideline_ckd_staging.py"
    seen = {guideline.evaluate(case.patient).outputs.get("follow_up") for case in read_patients(suite)}
    assert cells <= seen


def _texts(expr: Any) -> list[str]:
    if isinstance(expr, dict):
        found = [expr["value"]] if expr.get("op") == "text" else []
        return found + [t for value in expr.values() for t in _texts(value)]
    if isinstance(expr, list):
        return [t for value in expr for t in _texts(value)]
    return []


def test_the_flowchart_draws_each_text_escaped(graph: dict[str, Any]) -> None:
    dot = render_dot(graph)
    assert "&quot;Say &#92;&quot;no&#92;&quot; &lt;b&gt;bold&lt;/b&gt; &amp; more&quot;" in dot
    assert "<b>" not in dot and "\u202e" not in dot and "\n" not in _labels(dot)
    assert "&quot;it&#39;s a &#92;&#92; back&#39;slash; DROP TABLE patients; --&quot;" in dot


def _labels(dot: str) -> str:
    return "".join(line for line in dot.splitlines() if "label=" in line)


def test_a_hidden_character_in_a_text_cell_is_flagged_and_never_drawn_raw(tmp_path: Path) -> None:
    path = tmp_path / "bidi.fibro"
    path.write_text(SOURCE.replace("abc\\u202edef", "abc\u202edef"), encoding="utf-8")
    checked = api.check_file(path)
    assert [(d.code, d.span.line) for d in checked.diagnostics] == [("FIB014", 14)]
    dot = render_dot(api.compile_file(path))
    assert "\u202e" not in dot and "abc&#92;u202edef" in dot


def test_the_explanation_shows_each_text_printable(graph: dict[str, Any]) -> None:
    guideline = fibrolang.load(graph)
    explained = guideline.explain(guideline.evaluate({"score": 4, "pregnant": False}))
    assert "  advice = abc\\u202edef" in explained  # fibrolang.printable's escape
    assert "\u202e" not in explained
    explained = guideline.explain(guideline.evaluate({"score": 2, "pregnant": True}))
    assert "  caution = Seek obstetric advice" in explained
    assert "\nsecond line" not in explained  # one line per line of the account


def test_the_formatter_writes_each_text_back_as_it_reads(source: Path) -> None:
    formatted, problems = format_text(SOURCE, "texts.fibro")
    assert problems == [] and formatted is not None
    again, _ = format_text(formatted, "texts.fibro")
    assert again == formatted
    assert '  | 4 | "abc\\u202edef"                                  |\n' in formatted
    assert 'otherwise "Refer to nephrology"' in formatted


def test_the_python_target_writes_each_text_as_a_repr(source: Path, tmp_path: Path) -> None:
    guideline, module, text = build(source, tmp_path)
    for value in [*TEXTS.values(), ELSE]:
        assert repr(value) in text
    assert "DROP TABLE patients; --" not in text.replace(repr(TEXTS[1]), "")
    for patient in PATIENTS:
        assert_same(guideline, module, patient)


def _population(guideline: fibrolang.Guideline, directory: Path) -> Path:
    table = directory / "patients.jsonl"
    engines.write_rows_jsonl(rows_of(guideline, PATIENTS), table)
    return table


def _check_rows(guideline: fibrolang.Guideline, rows: list[dict[str, Any]]) -> None:
    by_id = {row["patient_id"]: row for row in rows}
    assert len(by_id) == len(PATIENTS)
    for index, patient in enumerate(PATIENTS):
        expected = runtime_row(guideline, patient)
        got = sql_row(by_id[str(index)])
        assert same(expected, got), (patient, expected, got)
    assert {sql_row(row)["outputs"]["advice"] for row in rows} == {*TEXTS.values(), ELSE, None}


def test_duckdb_gives_the_runtimes_texts_full_and_compact(graph: dict[str, Any], tmp_path: Path) -> None:
    guideline = fibrolang.load(graph)
    query = sql_query(guideline.graph, "duckdb")
    assert "'it''s a \\ back''slash; DROP TABLE patients; --'" in query  # one literal, quotes doubled
    source = engines.duckdb_jsonl_source(Layout(guideline.graph), _population(guideline, tmp_path))
    _check_rows(guideline, engines.run_duckdb(query, source))
    compact = engines.run_duckdb(sql_query(guideline.graph, "duckdb", form="compact"), source)
    dictionary = result_dictionary(guideline.graph)
    _check_rows(guideline, [decoded(row, dictionary) for row in compact])


@pytest.mark.slow
def test_spark_gives_the_runtimes_texts(graph: dict[str, Any], tmp_path: Path) -> None:
    guideline = fibrolang.load(graph)
    query = sql_query(guideline.graph, "spark")
    assert "'it\\'s a \\\\ back\\'slash; DROP TABLE patients; --'" in query  # Spark's escapes
    table = _population(guideline, tmp_path)
    _check_rows(
        guideline, engines.run_spark(query, engines.spark_frame_of_jsonl(Layout(guideline.graph), table))
    )


def test_the_behavioural_diff_tells_two_texts_apart(graph: dict[str, Any]) -> None:
    changed = copy.deepcopy(graph)
    text = json.dumps(changed).replace("Seek obstetric advice", "Seek obstetric advice today")
    comparison = compare(fibrolang.read_graph(graph), fibrolang.read_graph(json.loads(text)))
    assert comparison.verdict == "changes"
    assert any("output caution value" in witness.questions for witness in comparison.witnesses)
    assert (
        compare(fibrolang.read_graph(graph), fibrolang.read_graph(copy.deepcopy(graph))).verdict
        == "no_changes"
    )
    without = copy.deepcopy(graph)  # a version that did not have the text output yet
    without["definitions"] = [d for d in without["definitions"] if d["name"] != "caution"]
    added = compare(fibrolang.read_graph(without), fibrolang.read_graph(graph))
    assert added.verdict == "changes"
    assert any("output caution value" in witness.questions for witness in added.witnesses)


def test_a_text_cell_mutates_to_its_tables_next_other_text(graph: dict[str, Any]) -> None:
    changes = [
        m.change
        for m in mutants(fibrolang.read_graph(graph))
        if m.operator == "change-arm-value" and m.location.endswith("advice")
    ]
    order = [*TEXTS.values(), ELSE]
    assert changes == [
        f"#{index} {'else' if index == 6 else 'then'} {json.dumps(text)} → {json.dumps(order[index % 6])}"
        for index, text in enumerate(order, start=1)
    ]
    caution = [
        m.change
        for m in mutants(fibrolang.read_graph(graph))
        if m.location == "define caution" and m.operator == "change-arm-value"
    ]
    assert caution == ['#1 then "Seek obstetric advice" → "None"', '#2 else "None" → "Seek obstetric advice"']
