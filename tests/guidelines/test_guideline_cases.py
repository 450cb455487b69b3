"""The hand-written clinical cases of each guideline, run through the public runtime API.

Each case in cases_<guideline>.json names the source sentence it checks and
expects only the facts that sentence is about (not the whole result):

- ``status``: ok, not_applicable or insufficient_data;
- ``missing``: facts insufficient_data must name (``medications`` also matches
  ``medications[duloxetine].weeks``);
- ``recommendations``: each must be in the result; its fields (``intervention``,
  ``action``, ``dose``, ``titration``) are compared as a subset;
- ``not_recommended``: interventions with no recommendation other than ``stop``;
- ``avoid`` / ``not_avoided``, ``flags`` / ``no_flags``, ``monitoring`` (each a
  subset of a monitoring item) / ``no_monitoring``;
- ``outputs``: values of the guideline's outputs, compared exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
GUIDELINES = ("fibromyalgia", "acr2016", "bmi_who")


def _cases() -> list[Any]:
    params = []
    for guideline in GUIDELINES:
        document = json.loads((HERE / f"cases_{guideline}.json").read_text(encoding="utf-8"))
        for case in document["cases"]:
            params.append(pytest.param(guideline, case, id=f"{guideline}-{case['id']}"))
    return params


def _contains(actual: Any, expected: Any) -> bool:
    """Whether ``expected`` is a subset of ``actual`` (dicts by key, numbers by value)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(actual) == float(expected)
    return bool(actual == expected)


def _fact_name(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("fact", "name", "input", "path"):
            if key in item:
                return str(item[key])
    return str(item)


def _names(fact: str, missing: list[str]) -> bool:
    return any(m == fact or m.startswith((fact + "[", fact + ".")) for m in missing)


def check(result: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    """Every difference between the result and the expectation, in plain words."""
    problems: list[str] = []
    if result["status"] != expect["status"]:
        problems.append(f"status is {result['status']!r}, expected {expect['status']!r}")
    missing = [_fact_name(m) for m in result.get("missing", [])]
    for fact in expect.get("missing", []):
        if not _names(fact, missing):
            problems.append(f"missing facts {missing} do not name {fact!r}")
    recommendations = result.get("recommendations", [])
    for wanted in expect.get("recommendations", []):
        if not any(_contains(r, wanted) for r in recommendations):
            got = [(r.get("intervention"), r.get("action"), r.get("dose")) for r in recommendations]
            problems.append(f"no recommendation matches {wanted}; got {got}")
    for intervention in expect.get("not_recommended", []):
        found = [
            r["action"]
            for r in recommendations
            if r.get("intervention") == intervention and r.get("action") != "stop"
        ]
        if found:
            problems.append(f"{intervention} is recommended ({found}), expected not")
    avoided = {a.get("intervention") for a in result.get("avoid", [])}
    for intervention in expect.get("avoid", []):
        if intervention not in avoided:
            problems.append(f"{intervention} is not avoided; avoided: {sorted(avoided)}")
    for intervention in expect.get("not_avoided", []):
        if intervention in avoided:
            problems.append(f"{intervention} is avoided, expected not")
    flags = [f.get("id") for f in result.get("flags", [])]
    for flag in expect.get("flags", []):
        if flag not in flags:
            problems.append(f"flag {flag!r} not raised; flags: {flags}")
    for flag in expect.get("no_flags", []):
        if flag in flags:
            problems.append(f"flag {flag!r} raised, expected not")
    monitoring = result.get("monitoring", [])
    for wanted in expect.get("monitoring", []):
        if not any(_contains(m, wanted) for m in monitoring):
            problems.append(f"no monitoring matches {wanted}; got {[m.get('what') for m in monitoring]}")
    for what in expect.get("no_monitoring", []):
        if any(m.get("what") == what for m in monitoring):
            problems.append(f"monitoring {what!r} present, expected not")
    outputs = result.get("outputs", {})
    for name, value in expect.get("outputs", {}).items():
        if name not in outputs or not _contains(outputs[name], value):
            problems.append(f"output {name} is {outputs.get(name)!r}, expected {value!r}")
    return problems


@pytest.mark.parametrize(("guideline", "case"), _cases())
def test_case(guideline: str, case: dict[str, Any], guideline_graph: Callable[[str], Any]) -> None:
    graph = guideline_graph(guideline)
    result = graph.evaluate(case["patient"]).to_dict()
    problems = check(result, case["expect"])
    assert not problems, f"{case['id']}: {case['rule']}\n  source: {case['sentence']}\n  " + "\n  ".join(
        problems
    )


def test_case_ids_are_unique() -> None:
    for guideline in GUIDELINES:
        document = json.loads((HERE / f"cases_{guideline}.json").read_text(encoding="utf-8"))
        ids = [case["id"] for case in document["cases"]]
        assert len(ids) == len(set(ids)), guideline


@pytest.mark.parametrize("guideline", GUIDELINES)
def test_case_sentences_are_verbatim(guideline: str) -> None:
    """Each case's sentence is in the guideline's source (whitespace-insensitive)."""
    source = (HERE.parents[1] / "guidelines" / "sources").glob("*")
    texts = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in source)
    document = json.loads((HERE / f"cases_{guideline}.json").read_text(encoding="utf-8"))
    for case in document["cases"]:
        if case["sentence"] is not None:
            assert " ".join(case["sentence"].split()) in texts, case["id"]
