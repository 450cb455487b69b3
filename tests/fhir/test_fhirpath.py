"""The FHIRPath the compiler writes for bindings, evaluated by fhirpathpy."""

from __future__ import annotations

import json
from pathlib import Path

import fhirpathpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.lower_bindings import fhirpath_string

ROOT = Path(__file__).resolve().parents[2]
GRAPH = json.loads((ROOT / "guidelines" / "fibromyalgia.graph.json").read_text(encoding="utf-8"))


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40))
def test_a_quoted_string_is_read_back_as_itself(value: str) -> None:
    if "\\" in value:
        with pytest.raises(ValueError, match="backslash"):
            fhirpath_string(value)
    else:
        assert fhirpathpy.evaluate({}, fhirpath_string(value)) == [value]


def test_fhirpathpy_misreads_an_escaped_backslash_before_r() -> None:
    """Why fhirpath_string refuses backslashes: the engine undoes escapes kind by kind."""
    assert fhirpathpy.evaluate({}, "'\\\\r'") == ["\\\r"]


def test_every_binding_of_the_guideline_selects_only_resources_with_its_codes() -> None:
    for name, declared in GRAPH["inputs"].items():
        binding = declared["binding"]
        if binding["resource"] == "Patient":
            continue
        element = "medicationCodeableConcept" if binding["resource"] == "MedicationStatement" else "code"
        matching = {
            "resourceType": binding["resource"],
            "id": "in",
            element: {"coding": [binding["codes"][-1]]},
        }
        other_code = {
            "resourceType": binding["resource"],
            "id": "code",
            element: {"coding": [{"system": binding["codes"][0]["system"], "code": "0"}]},
        }
        other_type = {"resourceType": "Basic", "id": "type", "code": {"coding": [binding["codes"][0]]}}
        bundle = {
            "resourceType": "Bundle",
            "entry": [{"resource": r} for r in (matching, other_code, other_type)],
        }
        selected = fhirpathpy.evaluate(bundle, binding["fhirpath"])
        assert [r["id"] for r in selected] == ["in"], name
