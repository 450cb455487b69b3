"""The quick reading of the commonest graph shapes (``fibrolang.graph_quick``) gives exactly
the graph and the problems the field-by-field reading gives, or leaves the part to it."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphs as g
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fibrolang import graph_reader
from fibrolang.errors import Problem
from fibrolang.graph import Dose, Edge, Graph, SourcePosition, Traceability
from fibrolang.graph_quick import builder
from fibrolang.graph_reader import GraphReader

ROOT = Path(__file__).resolve().parents[2]
GRAPHS = sorted([*ROOT.glob("guidelines/*.graph.json"), *ROOT.glob("tests/fixtures/*.graph.json")])
ODD: list[Any] = [
    None,
    True,
    False,
    0,
    7,
    -1,
    2.5,
    1e308,
    float("inf"),
    "",
    "x",
    "ok",
    [],
    [1],
    {},
    {"op": "x"},
]


def _read(document: object, quick: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Graph, list[Problem]]:
    with monkeypatch.context() as patch:
        if not quick:
            for name in ("common_edge", "common_expression", "common_recommendation", "common_traceability"):
                patch.setattr(graph_reader, name, lambda *_args: None)
            patch.setattr(GraphReader, "_common_node", lambda *_args: None)
        reader = GraphReader()
        return reader.graph(document), reader.problems


def _same(document: object, monkeypatch: pytest.MonkeyPatch) -> None:
    quick, quick_problems = _read(document, True, monkeypatch)
    slow, slow_problems = _read(document, False, monkeypatch)
    assert quick == slow
    assert repr(quick) == repr(slow)  # also the kinds of numbers (1 and 1.0 are equal)
    assert quick_problems == slow_problems


@pytest.mark.parametrize("path", GRAPHS, ids=lambda path: path.name)
def test_every_committed_graph_reads_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(json.loads(path.read_text(encoding="utf-8")), monkeypatch)


def test_the_quick_reading_is_taken_for_committed_graphs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a test that cannot fail: the field-by-field reading is not used for the common
    parts of fibromyalgia's graph (it would be, were the quick functions to refuse all)."""
    document = json.loads((ROOT / "guidelines/fibromyalgia.graph.json").read_text(encoding="utf-8"))
    calls: list[str] = []
    original = GraphReader.string

    def counted(self: GraphReader, obj: Any, key: str, path: str) -> str:
        calls.append(path)
        return original(self, obj, key, path)

    monkeypatch.setattr(GraphReader, "string", counted)
    GraphReader().graph(document)
    assert not any(path.startswith("nodes.") and ".branches[" in path for path in calls)


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key or index inside ``value``, as the path to it."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield (*path, key)
            yield from _places(value[key], (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from _places(item, (*path, index))


def _mutated(document: dict[str, Any], place: tuple[Any, ...], replacement: Any, delete: bool) -> Any:
    changed = copy.deepcopy(document)
    holder: Any = changed
    for step in place[:-1]:
        holder = holder[step]
    if delete:
        del holder[place[-1]]
    else:
        holder[place[-1]] = copy.deepcopy(replacement)
    return changed


_SMALL = [g.tour_graph(), json.loads((ROOT / "tests/fixtures/qsofa.graph.json").read_text(encoding="utf-8"))]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.integers(0, len(_SMALL) - 1),
    choice=st.integers(0, 10**9),
    replacement=st.sampled_from(ODD),
    delete=st.booleans(),
)
def test_a_changed_graph_reads_the_same(
    which: int, choice: int, replacement: Any, delete: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One value anywhere in a graph replaced by an odd one, or its key or element
    removed: the same graph and the same problems, in the same order, either way."""
    document = _SMALL[which]
    places = list(_places(document))
    place = places[choice % len(places)]
    _same(_mutated(document, place, replacement, delete), monkeypatch)


def test_built_objects_are_the_dataclasses_own() -> None:
    trace = Traceability(("note",), "quote", (1,), SourcePosition(3, 4))
    made: list[tuple[Any, Any]] = [
        (builder(SourcePosition)(3, 4), SourcePosition(3, 4)),
        (builder(Traceability)(("note",), "quote", (1,), SourcePosition(3, 4)), trace),
        (builder(Edge)("a/1", None, "b", None, trace), Edge("a/1", None, "b", None, trace)),
        (builder(Dose)(1, 2, "mg", None), Dose(1, 2, "mg", None)),
    ]
    for built, constructed in made:
        assert type(built) is type(constructed)
        assert built == constructed and hash(built) == hash(constructed)
        assert repr(built) == repr(constructed)
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.__setattr__(dataclasses.fields(built)[0].name, None)
