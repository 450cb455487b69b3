"""``fibrolang compile --target fhir``: a CPG-on-FHIR PlanDefinition that validates
against the FHIR R4(B) structure (fhir.resources' pydantic models: every element
name, type, cardinality and primitive pattern), and that says what the graph says."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.plandefinition import PlanDefinition
from pydantic import ValidationError

from compiler.backends.fhir.plan_definition import fhir_id, plan_definition

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = ["fibromyalgia", "acr2016"]


def graph_of(name: str) -> dict[str, Any]:
    text = (ROOT / "guidelines" / f"{name}.graph.json").read_text(encoding="utf-8")
    graph: dict[str, Any] = json.loads(text)
    return graph


def all_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for action in actions:
        found.append(action)
        found += all_actions(action.get("action", []))
    return found


@pytest.mark.parametrize("name", GUIDELINES)
def test_the_plan_definition_validates_against_fhir_r4(name: str) -> None:
    plan = plan_definition(graph_of(name))
    PlanDefinition.model_validate(plan)


@pytest.mark.parametrize(
    "break_it",
    [
        lambda plan: plan["action"][1].update({"selectionBehaviour": "all"}),
        lambda plan: plan.pop("status"),
        lambda plan: plan["action"][1].update({"id": 5}),
        lambda plan: plan["contained"][0].update({"dataRequirement": {"type": "Observation"}}),
        lambda plan: plan["contained"][0]["dataRequirement"][1]["codeFilter"][0].update({"kode": []}),
    ],
    ids=[
        "misspelt element",
        "required status missing",
        "id not a string",
        "list as an object",
        "in contained",
    ],
)
def test_the_validator_rejects_a_broken_plan_definition(break_it: Any) -> None:
    plan = copy.deepcopy(plan_definition(graph_of("fibromyalgia")))
    break_it(plan)
    with pytest.raises(ValidationError):
        PlanDefinition.model_validate(plan)


def test_every_node_branch_and_binding_is_carried() -> None:
    graph = graph_of("fibromyalgia")
    plan = plan_definition(graph)
    actions = all_actions(plan["action"])
    ids = [a["id"] for a in actions]
    assert len(ids) == len(set(ids))
    top = {a["id"] for a in plan["action"]}
    assert {fhir_id(node) for node in graph["nodes"]} | {"start"} == top
    for action in actions:
        for related in action.get("relatedAction", []):
            assert related["actionId"] in top
    guards = sum(1 for n in graph["nodes"].values() for b in n.get("branches", []) if b["guard"] is not None)
    guards += sum(1 for n in graph["nodes"].values() for i in n.get("items", []) if i["guard"] is not None)
    conditions = [c for a in actions for c in a.get("condition", [])]
    assert len(conditions) == guards
    assert all(c["expression"]["language"] == "text/x-fibrolang" for c in conditions)
    assert "age < 18 years" in [c["expression"]["expression"] for c in conditions]
    (library,) = [r for r in plan["contained"] if r["resourceType"] == "Library"]
    requirements = {r["id"]: r for r in library["dataRequirement"]}
    for name, declared in graph["inputs"].items():
        requirement = requirements[fhir_id(name)]
        assert requirement["type"] == declared["binding"]["resource"]
        if declared["binding"]["resource"] != "Patient":
            codes = requirement["codeFilter"][0]["code"]
            assert codes == declared["binding"]["codes"]
    canonical = {f"#{r['id']}" for r in plan["contained"]}
    for action in actions:
        if "definitionCanonical" in action:
            assert action["definitionCanonical"] in canonical


def test_the_export_is_byte_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"plan-{seed}.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compiler.cli",
                "compile",
                "guidelines/fibromyalgia.fibro",
                "--target",
                "fhir",
                "-o",
                str(target),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            capture_output=True,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    PlanDefinition.model_validate_json(outputs[0])
