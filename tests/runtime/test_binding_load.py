"""FHIR bindings (``inputs.*.binding``) read into the typed graph; a malformed one
is a load error listing each problem, like any other field."""

import copy
import json
from pathlib import Path

import graphs as g
import pytest

import fibrolang
from fibrolang.graph import BindingField, FhirCode, MemberCodes

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads((ROOT / "guidelines" / "fibromyalgia.graph.json").read_text(encoding="utf-8"))


def _inputs(document: dict) -> dict[str, fibrolang.graph.InputDeclaration]:  # type: ignore[type-arg]
    return {declared.name: declared for declared in fibrolang.load(g.hashed(document)).graph.inputs}


def test_every_binding_is_read_as_the_json_carries_it() -> None:
    inputs = _inputs(DOCUMENT)
    for name, declared in DOCUMENT["inputs"].items():
        binding, raw = inputs[name].binding, declared["binding"]
        assert binding is not None
        assert binding.resource == raw["resource"]
        assert binding.value_set == raw["value_set"]
        assert binding.codes == tuple(FhirCode(c["system"], c["code"]) for c in raw["codes"])
        assert binding.latest_value == raw["latest_value"]
        assert binding.unit == raw["unit"]
        assert binding.ucum == (tuple(raw["ucum"]) if raw["ucum"] is not None else None)
        assert binding.within_days == raw["within_days"]
        assert binding.fhirpath == raw["fhirpath"]
        assert binding.prefetch == raw["prefetch"]
        assert binding.fields == tuple(
            BindingField(field, how["role"], how["url"]) for field, how in sorted(raw["fields"].items())
        )
    medications = inputs["medications"].binding
    assert medications is not None and medications.member_codes is not None
    duloxetine = DOCUMENT["inputs"]["medications"]["binding"]["member_codes"]["duloxetine"]
    assert MemberCodes("duloxetine", tuple(FhirCode(c["system"], c["code"]) for c in duloxetine)) in (
        medications.member_codes
    )
    assert medications.codes_of("duloxetine") == tuple(FhirCode(c["system"], c["code"]) for c in duloxetine)
    assert medications.codes_of("no_such_agent") is None


def test_an_input_without_a_binding_has_none() -> None:
    assert all(declared.binding is None for declared in fibrolang.load(g.tour_graph()).graph.inputs)


def test_a_malformed_binding_is_a_load_error_listing_every_problem() -> None:
    document = copy.deepcopy(DOCUMENT)
    binding = document["inputs"]["egfr"]["binding"]
    binding["resource"] = "Encounter"
    binding["codes"][0].pop("system")
    binding["within_days"] = "a year"
    del binding["fhirpath"]
    medication = document["inputs"]["medications"]["binding"]
    medication["fields"]["response"]["url"] = None
    medication["member_codes"]["duloxetine"] = "rxnorm"
    with pytest.raises(fibrolang.GuidelineError) as caught:
        fibrolang.load(g.hashed(document))
    problems = {(p.path, p.code) for p in caught.value.problems}
    assert problems == {
        ("inputs.egfr.binding.resource", "unknown_value"),
        ("inputs.egfr.binding.codes[0].system", "missing_key"),
        ("inputs.egfr.binding.within_days", "wrong_type"),
        ("inputs.egfr.binding.fhirpath", "missing_key"),
        ("inputs.medications.binding.fields.response.url", "malformed"),
        ("inputs.medications.binding.member_codes.duloxetine", "wrong_type"),
    }


def test_a_binding_that_is_not_an_object_is_a_load_error() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["inputs"]["age"]["binding"] = ["Patient"]
    with pytest.raises(fibrolang.GuidelineError) as caught:
        fibrolang.load(g.hashed(document))
    assert ("inputs.age.binding", "wrong_type") in {(p.path, p.code) for p in caught.value.problems}
