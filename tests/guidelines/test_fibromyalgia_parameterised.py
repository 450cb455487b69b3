"""The fibromyalgia guideline written with parameterised definitions
(guidelines/fibromyalgia.fibro: `define failed(a: titrated)`, `constant
ceiling(a: titrated)`) behaves exactly as the flat version it replaced
(tests/fixtures/fibromyalgia_v1_flat.fibro, every agent's definitions written
out one by one).

Three proofs: the decision graphs are the same once the flat names are mapped
onto the expanded ones (`duloxetine_failed` → `failed__duloxetine`); both
graphs give the same whole result (status, recommendations, avoid items,
flags, monitoring, missing facts, the trace with every guard that decided)
on 10,000 seeded random patients; and `fibrolang diff`'s z3 comparison proves
it for every patient.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from test_reference_fibromyalgia import random_patient

import fibrolang
from compiler import api
from compiler.backends.graph_json import dumps
from compiler.front.parse import SourceText

ROOT = Path(__file__).resolve().parents[2]
NEW = ROOT / "guidelines" / "fibromyalgia.fibro"
OLD = ROOT / "tests" / "fixtures" / "fibromyalgia_v1_flat.fibro"

# The flat names and the calls that replaced them.
RENAMED = {
    **{
        f"{agent}_{rule}": f"{rule}__{agent}"
        for agent in ("duloxetine", "milnacipran", "amitriptyline", "pregabalin")
        for rule in ("on", "failed", "optimisable", "keep", "available", "too_early", "above_range")
    },
    **{
        f"{agent}_{rule}": f"{template}__{agent}"
        for agent in ("tramadol", "paracetamol", "tropisetron", "pramipexole")
        for rule, template in (("on", "on"), ("failed", "failed_at_any_dose"))
    },
    "naltrexone_on": "on__low_dose_naltrexone",
    "naltrexone_failed": "failed__low_dose_naltrexone",
}


def _graph(path: Path) -> dict[str, Any]:
    checked = api.check_source(SourceText(str(path), path.read_text(encoding="utf-8")), path.parent)
    assert checked.ok, [d.message for d in checked.diagnostics]
    return api.compile_checked(checked)


@pytest.fixture(scope="module")
def graphs() -> tuple[dict[str, Any], dict[str, Any]]:
    return _graph(OLD), _graph(NEW)


def _renamed(value: Any) -> Any:
    """The flat graph in the new names, without source positions (the files differ in length)."""
    if isinstance(value, dict):
        return {key: _renamed(item) for key, item in value.items() if key != "source"}
    if isinstance(value, list):
        return [_renamed(item) for item in value]
    if isinstance(value, str):
        return RENAMED.get(value, value)
    return value


def test_the_definitions_are_the_flat_ones_renamed(graphs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = (_renamed(graph) for graph in graphs)
    old_definitions = {d["name"]: d for d in old.pop("definitions")}
    new_definitions = {d["name"]: d for d in new.pop("definitions")}
    # `titrated` is new: the type of `failed` and `ceiling`, read by no expression.
    assert set(new_definitions) - set(old_definitions) == {"titrated"}
    assert set(old_definitions) <= set(new_definitions)
    for name, definition in old_definitions.items():
        assert new_definitions[name]["expr"] == definition["expr"], name
        assert new_definitions[name]["label"] == definition["label"], name
        assert new_definitions[name]["output"] == definition["output"], name
    # Everything else (nodes, edges, guards, items, invariants, enums, inputs) is the same.
    for key in ("guideline", "graph_hash"):
        old.pop(key, None)
        new.pop(key, None)
    assert new == old


def _answer(guideline: fibrolang.Guideline, patient: dict[str, Any]) -> dict[str, Any]:
    try:
        result = guideline.evaluate(patient)
    except fibrolang.SafetyViolation as violation:
        return {"violation": violation.invariant}
    answer = result.to_dict()
    answer.pop("guideline")  # the content hashes differ
    return answer


def test_the_same_result_for_10000_random_patients(
    graphs: tuple[dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    loaded = []
    for name, graph in zip(("old", "new"), graphs, strict=True):
        path = tmp_path / f"{name}.graph.json"
        path.write_text(dumps(graph), encoding="utf-8")
        loaded.append(fibrolang.load(path))
    old, new = loaded
    rng = random.Random(20261206)
    statuses: dict[str, int] = {}
    for _ in range(10_000):
        patient = random_patient(rng)
        expected = _answer(old, patient)
        assert _answer(new, patient) == expected, patient
        status = str(expected.get("status", "violation"))
        statuses[status] = statuses.get(status, 0) + 1
    # the patients reach every outcome
    assert set(statuses) == {"ok", "not_applicable", "insufficient_data"}, statuses


def test_z3_proves_every_patient_gets_the_same_result() -> None:
    # `fibrolang diff` compares the two whole graphs symbolically.
    from compiler.review.diff import diff_versions, load_version

    report = diff_versions(load_version(str(OLD)), load_version(str(NEW)))
    assert report.verdict == "no_changes"
