"""The structural diff on typed graphs: the fields it names are the graph file's keys, an
unchanged graph has no edit, and each mutant is one edit, at its place, that reverts."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from compiler import api
from compiler.review.structure import facets, revert, revertible, same_edits, structural_diff
from compiler.testgen.mutants import mutants
from fibrolang import read_graph
from fibrolang.graph import ActionNode, DecisionNode, Graph
from fibrolang.graph_writer import write_graph

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["fibromyalgia", "acr2016", "news2-oxygen", "ckd-staging", "dates", "tour"]


@cache
def _graph(name: str) -> Graph:
    path = ROOT / "guidelines" / f"{name}.fibro"
    return read_graph(
        api.compile_file(path if path.exists() else ROOT / "tests" / "fixtures" / f"{name}.fibro")
    )


def _pairs(graph: Graph) -> list[tuple[Any, dict[str, Any]]]:
    """Every element and part of a graph with its JSON object (as the graph file has it)."""
    document = write_graph(graph, hashed=False)
    found: list[tuple[Any, dict[str, Any]]] = []
    for key, named_by in (("inputs", "name"), ("nodes", "id"), ("interventions", "id")):
        found += [(e, document[key][getattr(e, named_by)]) for e in getattr(graph, key)]
    for key in ("enums", "records"):
        found += [(e, document[key][e.name]) for e in getattr(graph, key)]
    found += list(zip(graph.definitions, document["definitions"], strict=True))
    found += list(zip(graph.invariants, document["invariants"], strict=True))
    for node in graph.nodes:
        written = document["nodes"][node.id]
        if isinstance(node, DecisionNode):
            found += list(zip(node.branches, written["branches"], strict=True))
        elif isinstance(node, ActionNode):
            found += list(zip(node.items, written["items"], strict=True))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_the_fields_a_diff_names_are_the_graph_files_keys(name: str) -> None:
    for element, written in _pairs(_graph(name)):
        named = facets(element)
        compared = set(written) - {"source", "items", "branches"}
        assert compared <= set(named), (element, compared - set(named))
        assert {key for key, value in named.items() if value is not None} <= compared, element


@pytest.mark.parametrize("name", NAMES)
def test_a_graph_has_no_edit_against_itself(name: str) -> None:
    graph = _graph(name)
    diff = structural_diff(graph, graph)
    assert diff.edits == [] and diff.header == {}


@pytest.mark.parametrize("name", ["acr2016", "news2-oxygen", "dates"])
def test_each_mutant_is_one_edit_at_its_place_and_reverting_it_gives_the_original(name: str) -> None:
    graph = _graph(name)
    for mutant in mutants(graph):
        diff = structural_diff(graph, mutant.model)
        top = revertible(diff)
        assert len(top) == 1, (mutant.id, diff.edits)
        (edit,) = top
        if mutant.location.startswith("define "):
            assert (edit.label, edit.fields) == (f"definition {mutant.location[7:]}", ("expr",)), mutant.id
        elif mutant.location.startswith("input "):
            assert (edit.label, edit.fields) == (mutant.location, ("default",)), mutant.id
        else:
            node = mutant.location.split("/")[0]
            assert edit.label == f"node {node}", mutant.id
            parts = [e for e in diff.edits if e.parent == node]
            (part,) = [e for e in parts if e.name == mutant.location]
            assert part.change == ("removed" if mutant.operator.startswith("drop-") else "changed")
            assert all(e.fields == ("position",) for e in parts if e is not part), parts  # moved up
        assert revert(mutant.model, graph, edit) == graph, mutant.id
        assert same_edits(top, graph, mutant.model) == [top]
