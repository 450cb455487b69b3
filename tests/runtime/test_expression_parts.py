"""fibrolang.expression_parts: the parts of a typed expression, each with the JSON keys that
lead to it, in the graph file's sorted-key order; replacing a part; inlining definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fibrolang import expressions as ex
from fibrolang import graph_order, read_graph
from fibrolang.expression_parts import inline, mentions, parts, replaced, subexpressions
from fibrolang.expression_reader import read_expression
from fibrolang.graph import DecisionNode
from fibrolang.graph_reader import GraphReader

ROOT = Path(__file__).resolve().parents[2]
GRAPHS = sorted([*ROOT.glob("guidelines/*.graph.json"), *ROOT.glob("tests/fixtures/**/*.graph.json")])


def _typed(document: Any) -> ex.Expression:
    reader = GraphReader()
    expr = read_expression(reader, document, "expression")
    assert not reader.problems
    return expr


def _json_walk(document: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """Every expression object of a JSON expression with its path, depth first, keys sorted."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(document, dict):
        if "op" in document:
            found.append((path, document["op"]))
        for key in sorted(document):
            found += _json_walk(document[key], (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _json_walk(value, (*path, index))
    return found


def _typed_walk(
    expr: ex.Expression, path: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    found = [(path, type(expr).__name__)]
    for step, part in parts(expr):
        found += _typed_walk(part, (*path, *step))
    return found


def _expressions(path: Path) -> list[tuple[Any, ex.Expression]]:
    """(JSON, typed) of every definition, guard and invariant of a committed graph."""
    document = json.loads(path.read_text(encoding="utf-8"))
    graph = read_graph(document)
    found = [
        (raw["expr"], typed.expr)
        for raw, typed in zip(document["definitions"], graph.definitions, strict=True)
    ]
    for node in graph.nodes:
        raw_node = document["nodes"][node.id]
        entries = graph_order.guarded_entries(node)
        key = "branches" if isinstance(node, DecisionNode) else "items"
        for raw, entry in zip(raw_node.get(key, []), entries, strict=True):
            if entry.guard is not None:
                found.append((raw["guard"], entry.guard))
    found += [
        (raw["condition"], typed.condition)
        for raw, typed in zip(document["invariants"], graph.invariants, strict=True)
    ]
    return found


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.name)
def test_parts_meet_the_expressions_of_the_file_in_its_order_at_its_paths(path: Path) -> None:
    for document, expr in _expressions(path):
        json_paths = [found for found, _ in _json_walk(document)]
        typed_paths = [found for found, _ in _typed_walk(expr)]
        assert typed_paths == json_paths
        assert len(list(subexpressions(expr))) == len(json_paths)


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.name)
def test_replacing_the_part_at_a_path_replaces_what_the_file_holds_there(path: Path) -> None:
    marker = ex.Constant(123456789, "marker")
    for document, expr in _expressions(path):
        for at, _ in _json_walk(document):
            edited: Any = json.loads(json.dumps(document))
            if not at:
                edited = {"op": "const", "value": 123456789, "unit": "marker"}
            else:
                holder = edited
                for step in at[:-1]:
                    holder = holder[step]
                holder[at[-1]] = {"op": "const", "value": 123456789, "unit": "marker"}
            assert replaced(expr, at, marker) == _typed(edited)


def test_replacing_at_a_path_that_is_not_there_is_an_error() -> None:
    with pytest.raises(KeyError):
        replaced(ex.Negation(ex.InputReference("a")), ("left",), ex.Constant(True, None))


def test_inline_replaces_definitions_through_definitions_and_keeps_the_rest() -> None:
    doubled = ex.Arithmetic("*", ex.DefinitionReference("base"), ex.Constant(2, None))
    definitions: dict[str, ex.Expression] = {"base": ex.InputReference("age"), "doubled": doubled}
    expr = ex.Comparison(">", ex.DefinitionReference("doubled"), ex.DefinitionReference("unknown"))
    assert inline(expr, definitions) == ex.Comparison(
        ">",
        ex.Arithmetic("*", ex.InputReference("age"), ex.Constant(2, None)),
        ex.DefinitionReference("unknown"),
    )
    unchanged = ex.Comparison("<", ex.InputReference("age"), ex.Constant(18, None))
    assert inline(unchanged, definitions) is unchanged
    assert mentions(inline(expr, definitions), ex.InputReference)
    assert not mentions(unchanged, ex.VariableReference)
