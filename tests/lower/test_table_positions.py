"""Where each lookup table's `if` chain is in its definition (graph tables' `at`,
compiler/lower_table_positions.py): a JSON Pointer into `expr` that explain follows to mark
the cell a patient's values select; the lowering's mark never reaches the graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

import fibrolang
from compiler import api
from compiler.front.parse import SourceText

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "fibrolang" / "schema" / "graph.schema.json").read_text(encoding="utf-8"))
HEADER = 'guideline positions\n  title "Table positions"\n  version "1"\nend\n\n'
HEADER += 'input score "Score": integer 0 to 5 points\n'
PATHWAY = "\npathway\n  start -> done\n\n  outcome done ok\nend\n"


def _graph(body: str, pathway: str = PATHWAY) -> dict[str, Any]:
    checked = api.check_source(SourceText("positions.fibro", HEADER + body + pathway), ROOT)
    assert checked.ok, checked.diagnostics
    graph = api.compile_checked(checked)
    assert "__table__" not in json.dumps(graph)
    assert not list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(graph))
    return graph


def _at(graph: dict[str, Any], name: str) -> list[str]:
    definition = next(d for d in graph["definitions"] if d["name"] == name)
    return [table["at"] for table in definition["tables"]]


def test_a_table_inside_arithmetic_is_found_and_marked() -> None:
    graph = _graph("output total = 1 + (table by score\n  | 0 to 2 | 1 |\n  | 3 to 5 | 2 |\nend)\n")
    assert _at(graph, "total") == ["/right"]
    guideline = fibrolang.load(graph)
    patient = {"score": 4}
    lines = guideline.explain(guideline.evaluate(patient), patient).splitlines()
    assert "  total = 3" in lines and "      | 3 to 5 | [2] |  <- this patient (3 to 5)" in lines


def test_two_tables_of_one_output_are_placed_in_source_order() -> None:
    body = (
        "input low: boolean\n"
        "output band = if low then table by score\n  | 0 to 2 | 1 |\n  | 3 to 5 | 2 |\nend"
        " else table by score\n  | 0 to 1 | 3 |\n  | 2 to 5 | 4 |\nend\n"
    )
    graph = _graph(body)
    assert _at(graph, "band") == ["/then", "/else"]
    guideline = fibrolang.load(graph)
    patient = {"low": False, "score": 1}
    lines = guideline.explain(guideline.evaluate(patient), patient).splitlines()
    assert "      | 0 to 1 | [3] |  <- this patient (0 to 1)" in lines
    assert sum("<- this patient" in line for line in lines) == 1
    assert sum("(not used for this patient)" in line for line in lines) == 1  # the `then` table


def test_a_table_of_one_row_is_its_cell() -> None:
    graph = _graph("output only = table by score\n  | 0 to 5 | 7 |\nend\n")
    assert _at(graph, "only") == [""]
    guideline = fibrolang.load(graph)
    lines = guideline.explain(guideline.evaluate({"score": 3}), {"score": 3}).splitlines()
    assert "      | 0 to 5 | [7] |  <- this patient (0 to 5)" in lines


def test_a_table_in_a_guard_leaves_no_mark() -> None:
    pathway = (
        '\npathway\n  start -> d\n\n  decide d "High?"\n    when table by score\n'
        "      | 0 to 2 | false |\n      | 3 to 5 | true  |\n    end -> done\n    otherwise -> done\n"
        "  end\n\n  outcome done ok\nend\n"
    )
    graph = _graph("", pathway)
    assert graph["nodes"]["d"]["branches"][0]["guard"]["op"] == "if"
