"""The analysis on the real guidelines: they prove clean, the proofs are not
vacuous (a one-line mutation is caught with a replayed counterexample),
witnesses and boundary patients replay, and docs/safety.md is current."""

from __future__ import annotations

import copy
import time
from functools import cache
from pathlib import Path
from typing import Any

import fibrolang
from compiler import api
from compiler.analysis import analyse
from compiler.analysis.boundaries import boundary_patients
from compiler.analysis.report import safety_markdown
from compiler.analysis.witnesses import edge_witnesses
from fibrolang import read_graph
from fibrolang.expressions import InputReference

ROOT = Path(__file__).resolve().parents[2]


@cache
def _graph(name: str) -> dict[str, Any]:
    return api.compile_file(ROOT / "guidelines" / f"{name}.fibro")


def _item(graph: dict[str, Any], node: str, intervention: str, action: str) -> dict[str, Any]:
    return next(
        i
        for i in graph["nodes"][node]["items"]
        if i.get("intervention") == intervention and i.get("action") == action
    )


def test_guidelines_prove_clean_quickly() -> None:
    for name in ("fibromyalgia", "acr2016"):
        started = time.perf_counter()
        assert analyse(read_graph(_graph(name))) == []
        assert time.perf_counter() - started < 5


def test_dropping_a_contraindication_guard_is_caught() -> None:
    graph = copy.deepcopy(_graph("fibromyalgia"))
    _item(graph, "combination", "duloxetine", "add")["guard"] = None
    found = analyse(read_graph(graph))
    codes = {d.code for d in found}
    assert {"FIB206", "FIB207"} <= codes
    refuted = next(d for d in found if d.code == "FIB207")
    assert "no_duloxetine_liver_or_renal" in refuted.message
    patient = dict(refuted.data)["counterexample"]
    assert isinstance(patient, dict)
    try:
        fibrolang.load(graph, verify=False).evaluate(patient)  # changed on purpose above
    except fibrolang.SafetyViolation as violation:
        assert " -> ".join(violation.edges) == dict(refuted.data)["path"]
        assert "combination/next" in violation.edges
    else:
        raise AssertionError("the counterexample should break an invariant")


def test_dropping_the_avoid_list_is_caught() -> None:
    graph = copy.deepcopy(_graph("fibromyalgia"))
    items = graph["nodes"]["baseline"]["items"]
    graph["nodes"]["baseline"]["items"] = [i for i in items if i.get("intervention") != "nsaid"]
    found = analyse(read_graph(graph))
    assert [d.code for d in found] == ["FIB207"]
    assert "avoid_list_in_every_plan" in found[0].message


def test_edge_witnesses_cover_every_edge_and_replay() -> None:
    graph = _graph("fibromyalgia")
    witnesses = edge_witnesses(read_graph(graph))
    edges = [b["id"] for n in graph["nodes"].values() for b in n.get("branches", [])]
    edges += [n["next"]["id"] for n in graph["nodes"].values() if n["kind"] == "action"]
    assert sorted(witnesses) == sorted(edges)
    guideline = fibrolang.load(graph)
    for edge_id, patient in witnesses.items():
        assert set(patient) == set(graph["inputs"])  # complete patients
        assert edge_id in guideline.evaluate(patient).trace.edges
    assert witnesses["adult/1"]["age"] == 17
    assert witnesses["adult/otherwise"] == {
        "age": 40,
        "chronic_liver_disease": False,
        "comorbidities": [],
        "depression": False,
        "ecg_done": False,
        "egfr": 90,
        "fatigue": False,
        "medications": {},
        "pain_score": 0,
        "sleep_disturbance": False,
    }


def test_boundary_patients_straddle_each_threshold() -> None:
    boundaries = boundary_patients(read_graph(_graph("fibromyalgia")))
    age = [b for b in boundaries if b.guard_of == "adult/1"]
    assert [(b.side, b.value, b.patient["age"] if b.patient else None) for b in age] == [
        ("below", 17, 17),
        ("at", 18, 18),
        ("above", 19, 19),
    ]
    egfr = [b for b in boundaries if b.expression == InputReference("egfr")]
    assert {b.step for b in egfr} == {0.1}
    assert {b.value for b in egfr} >= {29.9, 30, 30.1}
    assert all(b.patient is not None for b in boundaries)


def test_safety_report_is_current() -> None:
    expected = safety_markdown(read_graph(_graph("fibromyalgia")), "guidelines/fibromyalgia.fibro")
    assert (ROOT / "docs" / "safety.md").read_text(encoding="utf-8") == expected
    for invariant in _graph("fibromyalgia")["invariants"]:
        assert f"| `{invariant['name']}` |" in expected
    assert "**refuted**" not in expected and "**unknown**" not in expected and "**fails**" not in expected
