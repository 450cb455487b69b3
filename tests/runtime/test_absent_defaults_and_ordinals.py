"""Defaults for absent facts and ordinal scores in the runtime (fibrolang/absent_defaults.py):
a default stands in only for an absent (or null) fact and every result that used one says
so (``assumed``, in the result JSON and in ``explain``); ``points of`` gives each band's
points, the same through the fused and the unfused evaluator, in full and lean mode."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import fibrolang
from compiler import api
from compiler.backends.flowchart.dot import render_dot
from fibrolang.program import Program

ROOT = Path(__file__).resolve().parents[2]
NEWS2 = ROOT / "tests" / "fixtures" / "news2.fibro"
VITALS = {
    "respiration_rate": 16,
    "saturation": 97,
    "systolic_bp": 120,
    "pulse": 70,
    "level_of_consciousness": "alert",
    "temperature": 37.0,
}


@pytest.fixture(scope="module")
def news2() -> fibrolang.Guideline:
    return fibrolang.load(api.compile_file(NEWS2))


def test_an_absent_fact_takes_its_default_and_the_result_says_so(news2: fibrolang.Guideline) -> None:
    absent = news2.evaluate(VITALS)
    given = news2.evaluate({**VITALS, "supplemental_oxygen": False})
    null = news2.evaluate({**VITALS, "supplemental_oxygen": None})
    assert absent.assumed == null.assumed == ("supplemental_oxygen",)
    assert given.assumed == ()
    assert absent.outputs == given.outputs == {"score": 0, "single_parameter_3": False, "risk": "low"}
    assert absent.to_dict()["assumed"] == ["supplemental_oxygen"]
    assert "assumed" not in given.to_dict()  # key present only when something was assumed
    assert news2.evaluate(VITALS, trace=False).assumed == ("supplemental_oxygen",)
    on_oxygen = news2.evaluate({**VITALS, "supplemental_oxygen": True})
    assert on_oxygen.outputs["score"] == 2 and on_oxygen.assumed == ()


def test_the_default_is_named_in_the_explanation(news2: fibrolang.Guideline) -> None:
    text = news2.explain(news2.evaluate(VITALS))
    assert "Assumed (not recorded): On supplemental oxygen = no\n" in text
    assert "Assumed" not in news2.explain(news2.evaluate({**VITALS, "supplemental_oxygen": True}))


def test_an_absent_fact_without_default_is_still_missing(news2: fibrolang.Guideline) -> None:
    partial = {name: value for name, value in VITALS.items() if name != "pulse"}
    result = news2.evaluate(partial)
    assert result.status == "insufficient_data" and result.missing == ("pulse",)
    assert result.assumed == ("supplemental_oxygen",)


def test_evaluate_many_assumes_as_evaluate_does(news2: fibrolang.Guideline) -> None:
    patients: list[dict[str, object]] = [VITALS, {**VITALS, "supplemental_oxygen": True}, {"pulse": "fast"}]
    many = list(news2.evaluate_many(patients))
    results = [r for r in many[:2] if isinstance(r, fibrolang.Result)]
    assert [r.assumed for r in results] == [("supplemental_oxygen",), ()]
    assert isinstance(many[2], fibrolang.InvalidPatient)


@pytest.mark.parametrize(
    ("vital", "value", "points"),
    [
        ("respiration_rate", 8, 3),
        ("respiration_rate", 9, 1),
        ("respiration_rate", 21, 2),
        ("respiration_rate", 25, 3),
        ("saturation", 91, 3),
        ("saturation", 93, 2),
        ("saturation", 95, 1),
        ("systolic_bp", 90, 3),
        ("systolic_bp", 100, 2),
        ("systolic_bp", 110, 1),
        ("systolic_bp", 220, 3),
        ("pulse", 40, 3),
        ("pulse", 50, 1),
        ("pulse", 110, 1),
        ("pulse", 130, 2),
        ("pulse", 131, 3),
        ("level_of_consciousness", "cvpu", 3),
        ("temperature", 35.0, 3),
        ("temperature", 36.0, 1),
        ("temperature", 38.5, 1),
        ("temperature", 39.1, 2),
    ],
)
def test_each_band_gives_its_points(
    news2: fibrolang.Guideline, vital: str, value: object, points: int
) -> None:
    assert news2.evaluate({**VITALS, vital: value}).outputs["score"] == points


def test_the_graph_carries_the_points_and_the_default() -> None:
    document = api.compile_file(NEWS2)
    assert document["enums"]["respiration_band"]["points"] == {
        "r_8_or_less": 3,
        "r_9_to_11": 1,
        "r_12_to_20": 0,
        "r_21_to_24": 2,
        "r_25_or_more": 3,
    }
    assert document["inputs"]["supplemental_oxygen"]["default"] is False
    graph = fibrolang.load(document).graph
    assert dict(next(e for e in graph.enums if e.name == "oxygen_band").points) == {
        "on_oxygen": 2,
        "on_air": 0,
    }


def test_fused_and_unfused_evaluators_agree() -> None:
    document = api.compile_file(NEWS2)
    fused = fibrolang.load(document)
    unfused = fibrolang.load(document)
    unfused._program = Program(unfused.graph, fuse=False)
    rng = random.Random(20)
    values = {
        "respiration_rate": (0, 8, 9, 11, 12, 20, 21, 24, 25, 80),
        "saturation": (50, 91, 92, 93, 94, 95, 96, 100),
        "supplemental_oxygen": (True, False, None),
        "systolic_bp": (40, 90, 91, 100, 101, 110, 111, 219, 220, 300),
        "pulse": (20, 40, 41, 50, 51, 90, 91, 110, 111, 130, 131, 250),
        "level_of_consciousness": ("alert", "cvpu", None),
        "temperature": (30, 35.0, 35.05, 35.1, 36.0, 36.1, 38.0, 38.1, 39.0, 39.1, 45),
    }
    for _ in range(3000):
        patient = {name: rng.choice(options) for name, options in values.items() if rng.random() < 0.95}
        for trace in (True, False):
            assert fused.evaluate(patient, trace).to_json() == unfused.evaluate(patient, trace).to_json()


def test_the_flowchart_key_shows_the_default_and_the_bands() -> None:
    dot = render_dot(api.compile_file(NEWS2))
    assert "Assumed when not recorded" in dot
    assert "On supplemental oxygen: assumed no when not recorded" in dot
    assert "Respiration rate (per minute): 8 or less: 3 points; 9 to 11: 1 point;" in dot


def test_a_guideline_without_defaults_or_ordinals_has_the_same_key() -> None:
    dot = render_dot(api.compile_file(ROOT / "tests" / "fixtures" / "qsofa.fibro"))
    assert "Assumed when not recorded" not in dot and "bands and points" not in dot
