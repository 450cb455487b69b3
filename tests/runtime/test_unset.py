"""Outputs that may be unset by design (fibrolang/unset.py): left out of the result, distinct
from unknown (null); refused by the loader anywhere but an output's `if` arms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from fibrolang.integrity import with_graph_hash
from fibrolang.program import Program

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "news2-oxygen.fibro"


@pytest.fixture(scope="module")
def graph() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(api.compile_file(FIXTURE)))
    return loaded


@pytest.mark.parametrize("trace", [True, False])
@pytest.mark.parametrize("fuse", [True, False])
def test_the_scale_that_does_not_apply_is_left_out(graph: dict[str, Any], trace: bool, fuse: bool) -> None:
    guideline = fibrolang.load(graph)
    program = Program(guideline.graph, fuse=fuse)

    def evaluate(patient: dict[str, Any]) -> fibrolang.Result:
        return program.run(guideline.validate(patient), trace=trace)

    ordinary = evaluate({"spo2": 93, "breathing": "oxygen", "hypercapnic": False})
    assert dict(ordinary.outputs) == {"spo2_scale_1": 2, "oxygen_points": 2}
    hypercapnic = evaluate({"spo2": 93, "breathing": "oxygen", "hypercapnic": True})
    assert dict(hypercapnic.outputs) == {"spo2_scale_2": 1, "oxygen_points": 2}
    assert "spo2_scale_1" not in hypercapnic.to_dict()["outputs"]


def test_unset_is_not_unknown(graph: dict[str, Any]) -> None:
    guideline = fibrolang.load(graph)
    undecided = guideline.evaluate({"spo2": 93, "breathing": "oxygen"})
    assert undecided.to_dict()["outputs"] == {"spo2_scale_1": None, "spo2_scale_2": None, "oxygen_points": 2}
    scale_2 = guideline.evaluate({"spo2": 93, "hypercapnic": True})  # breathing missing
    assert scale_2.to_dict()["outputs"] == {"spo2_scale_2": None, "oxygen_points": None}


def test_explain_says_an_unset_output_is_not_set(graph: dict[str, Any]) -> None:
    guideline = fibrolang.load(graph)
    result = guideline.evaluate({"spo2": 84, "breathing": "air", "hypercapnic": True})
    text = guideline.explain(result)
    assert "  spo2_scale_1: not set (the guideline gives it no value here)" in text.splitlines()
    assert "  spo2_scale_2 = 2" in text.splitlines()


def _load_edited(graph: dict[str, Any], edit: Any) -> None:
    changed = json.loads(json.dumps(graph))
    edit(changed)
    fibrolang.load(with_graph_hash(changed))


def test_the_loader_refuses_unset_in_a_definition(graph: dict[str, Any]) -> None:
    def edit(changed: dict[str, Any]) -> None:
        scores = next(d for d in changed["definitions"] if d["name"] == "scores_3")
        scores["expr"] = {
            "op": "if",
            "condition": scores["expr"],
            "then": {"op": "unset"},
            "else": scores["expr"],
        }

    with pytest.raises(fibrolang.GuidelineError, match="misplaced_unset"):
        _load_edited(graph, edit)


def test_the_loader_refuses_unset_inside_an_operator(graph: dict[str, Any]) -> None:
    def edit(changed: dict[str, Any]) -> None:
        output = next(d for d in changed["definitions"] if d["name"] == "spo2_scale_1")
        output["expr"] = {
            "op": "+",
            "left": output["expr"],
            "right": {"op": "const", "value": 1, "unit": None},
        }

    with pytest.raises(fibrolang.GuidelineError, match="misplaced_unset"):
        _load_edited(graph, edit)


def test_the_loader_refuses_a_guard_that_reads_an_output_that_may_be_unset(graph: dict[str, Any]) -> None:
    def edit(changed: dict[str, Any]) -> None:
        branch = changed["nodes"]["saturation"]["branches"][0]
        branch["guard"] = {
            "op": "==",
            "left": {"op": "def", "name": "spo2_scale_1"},
            "right": {"op": "const", "value": 3, "unit": None},
        }

    with pytest.raises(fibrolang.GuidelineError, match="reads_unset_output"):
        _load_edited(graph, edit)


def test_explain_shows_the_table_an_output_is_read_from() -> None:
    guideline = fibrolang.load(api.compile_file(ROOT / "tests" / "fixtures" / "ckd-staging.fibro"))
    lines = guideline.explain(guideline.evaluate({"egfr": 50, "acr": 10})).splitlines()
    start = lines.index("  progression_risk = high")
    assert lines[start + 1 : start + 5] == [
        "    from the table by gfr_stage, albuminuria:",
        "      |     | a1        | a2        | a3        |",
        "      | g1  | low       | moderate  | high      |",
        "      | g2  | low       | moderate  | high      |",
    ]
    assert "      | < 3     | a1 |" in lines
