"""The runtime and the z3 encoding agree: for random complete patients the path the
path conditions predict is the path the runtime takes, and the plan the encoding
predicts at the outcome is the plan the runtime returns."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import api
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Runtime, without_invariants
from compiler.analysis.solve import Prover
from compiler.analysis.witnesses import patient_constraints, predicted_path
from fibrolang import read_graph

GUIDELINES = Path(__file__).resolve().parents[2] / "guidelines"


@cache
def _setup(name: str) -> tuple[dict[str, Any], PathConditions, Prover]:
    """The graph JSON (whose declarations the patients are drawn from), and the path
    conditions and prover of its typed graph without invariants."""
    document = api.compile_file(GUIDELINES / f"{name}.fibro")
    paths = PathConditions(without_invariants(read_graph(document)))
    return document, paths, Prover(paths)


def _scalar(type_: dict[str, Any], graph: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = type_["kind"]
    if kind == "boolean":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(graph["enums"][type_["enum"]]["members"])
    low, high = type_.get("min"), type_.get("max")
    low = -1000 if low is None else low
    high = 1000 if high is None else high
    # thresholds are round numbers: draw near them often
    if kind == "integer":
        return st.integers(low, high)
    return st.one_of(st.integers(low, min(high, 600)), st.decimals(low, high, places=1).map(float))


def _patients(graph: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, declared in graph["inputs"].items():
        type_ = declared["type"]
        if type_["kind"] == "set":
            fields[name] = st.lists(st.sampled_from(graph["enums"][type_["enum"]]["members"]), unique=True)
        elif type_["kind"] == "map":
            record = graph["records"][type_["record"]]["fields"]
            entry = st.fixed_dictionaries({f: _scalar(t, graph) for f, t in record.items()})
            keys = graph["enums"][type_["key"]]["members"]
            fields[name] = st.dictionaries(st.sampled_from(keys), entry, max_size=len(keys))
        else:
            fields[name] = _scalar(type_, graph)
    return st.fixed_dictionaries(fields)


def _check(name: str, patient: dict[str, Any]) -> None:
    _document, paths, prover = _setup(name)
    replay = Runtime().run(paths.graph, patient)
    predicted = predicted_path(paths, prover, patient)
    assert list(replay.edges) == predicted[: len(replay.edges)]
    if replay.outcome in ("ok", "not_applicable"):
        assert list(replay.edges) == predicted
    if replay.outcome != "ok":
        return
    terminal = replay.nodes[-1]
    answer = prover.decide(*patient_constraints(paths, patient))
    plan = paths.entry_plan[terminal]
    expected = {x for x, term in plan.recommended.items() if z3.is_true(answer.model.eval(term, True))}
    avoided = {x for x, term in plan.avoided.items() if z3.is_true(answer.model.eval(term, True))}
    assert set(replay.recommended) == expected
    assert set(replay.avoided) == avoided


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fibromyalgia_runtime_agrees_with_path_conditions(data: st.DataObject) -> None:
    graph, _paths, _prover = _setup("fibromyalgia")
    _check("fibromyalgia", data.draw(_patients(graph)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_acr2016_runtime_agrees_with_path_conditions(data: st.DataObject) -> None:
    graph, _paths, _prover = _setup("acr2016")
    _check("acr2016", data.draw(_patients(graph)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_bmi_who_runtime_agrees_with_path_conditions(data: st.DataObject) -> None:
    """Non-linear arithmetic, a unit conversion and rounding: z3's exact rationals and
    the runtime's decimal arithmetic take the same branch."""
    graph, _paths, _prover = _setup("bmi_who")
    _check("bmi_who", data.draw(_patients(graph)))


@pytest.mark.parametrize("weight", [99.76, 99.8, 99.84, 99.4, 73.76, 73.8, 159.84, 76.5625])
def test_bmi_who_boundaries_agree_with_path_conditions(weight: float) -> None:
    _check("bmi_who", {"weight": weight, "height": 200 if weight != 76.5625 else 175})
