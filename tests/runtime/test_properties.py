"""Properties over random patients of the tour guideline."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import graphs as g
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fibrolang
from fibrolang.graph import BooleanType, EnumType, MapType, NumberType, SetType, ValueType

GUIDELINE = fibrolang.load(g.tour_graph())
ENUMS = {enum.name: enum.members for enum in GUIDELINE.graph.enums}
RECORDS = {record.name: record for record in GUIDELINE.graph.records}


def _valid(declared: ValueType) -> st.SearchStrategy[Any]:
    if isinstance(declared, BooleanType):
        return st.booleans()
    if isinstance(declared, NumberType):
        low, high = declared.minimum, declared.maximum
        whole_low = None if low is None else math.ceil(low)
        whole_high = None if high is None else math.floor(high)
        plain: st.SearchStrategy[Any] = (
            st.integers(whole_low, whole_high)
            if declared.integral
            else st.floats(low, high, allow_nan=False) | st.integers(whole_low, whole_high)
        )
        if declared.unit:
            return plain | plain.map(lambda v: {"value": v, "unit": declared.unit})
        return plain
    if isinstance(declared, EnumType):
        return st.sampled_from(ENUMS[declared.enum])
    if isinstance(declared, SetType):
        return st.lists(st.sampled_from(ENUMS[declared.enum]), max_size=4)
    assert isinstance(declared, MapType)
    record = RECORDS[declared.record]
    fields = {field.name: _valid(field.type) | st.none() for field in record.fields}
    trial = st.fixed_dictionaries({}, optional=fields)
    return st.dictionaries(st.sampled_from(ENUMS[declared.key]), trial | st.none(), max_size=3)


VALID_PATIENTS = st.fixed_dictionaries(
    {}, optional={name: _valid(declared.type) | st.none() for name, declared in GUIDELINE.inputs.items()}
)

JUNK = (
    st.text(max_size=5)
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.none()
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)


@st.composite
def invalid_patients(draw: st.DrawFn) -> dict[str, Any]:
    """A valid patient with at least one field replaced by something it does not accept."""
    patient = draw(VALID_PATIENTS)
    name = draw(st.sampled_from(sorted(GUIDELINE.inputs)) | st.text(min_size=1, max_size=8))
    bad = draw(JUNK)
    patient[name] = bad
    try:
        GUIDELINE.validate({name: bad})
    except fibrolang.InvalidPatient:
        return patient
    patient["not_an_input_" + name] = 1
    return patient


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(VALID_PATIENTS)
def test_valid_patients_always_get_a_result_with_a_status(patient: dict[str, Any]) -> None:
    try:
        result = GUIDELINE.evaluate(patient)
    except fibrolang.SafetyViolation as violation:
        # tour.fibro's "increase duloxetine when duloxetine in medications" ignores liver and
        # kidneys: its invariant catches exactly those patients
        egfr = patient.get("egfr")
        egfr = egfr["value"] if isinstance(egfr, dict) else egfr
        assert violation.invariant == "no_duloxetine_liver"
        assert patient.get("chronic_liver_disease") is True or (egfr is not None and egfr < 30)
        assert (patient.get("medications") or {}).get("duloxetine") is not None
        return
    assert result.status in ("ok", "not_applicable", "insufficient_data")
    assert (result.status == "insufficient_data") == bool(result.missing) or (
        result.status == "insufficient_data" and result.message
    )
    assert list(result.missing) == sorted(set(result.missing))
    for path in result.missing:  # every missing fact really is absent from the record
        head, *rest = path.split(".")
        value: Any = patient.get(head)
        for part in rest:
            value = value.get(part) if isinstance(value, dict) else None
        assert value is None, path
    text = result.to_json()
    assert json.loads(text) == result.to_dict()
    assert GUIDELINE.evaluate(patient).to_json() == text
    assert GUIDELINE.explain(result)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_patients())
def test_invalid_patients_always_raise_invalid_patient(patient: dict[str, Any]) -> None:
    with pytest.raises(fibrolang.InvalidPatient) as caught:
        GUIDELINE.evaluate(patient)
    assert caught.value.problems
    assert len(str(caught.value).splitlines()) == len(caught.value.problems) + 1


@settings(max_examples=50)
@given(VALID_PATIENTS)
def test_results_are_frozen(patient: dict[str, Any]) -> None:
    try:
        result = GUIDELINE.evaluate(patient)
    except fibrolang.SafetyViolation:
        return  # checked in test_valid_patients_always_get_a_result_with_a_status
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "ok"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.outputs["score"] = 1  # type: ignore[index]
    assert isinstance(result.recommendations, tuple)
    assert isinstance(result.trace.guards, tuple)


def test_to_json_is_byte_identical_across_hash_seeds() -> None:
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import fibrolang, graphs
guideline = fibrolang.load(graphs.tour_graph())
patient = {{"age": 50, "egfr": 80, "chronic_liver_disease": False, "pain_score": 8,
           "comorbidities": ["headache", "back_pain", "hypertension"],
           "medications": {{"pregabalin": {{"weeks": 6}}, "duloxetine": {{"weeks": 1}}}}}}
print(guideline.evaluate(patient).to_json())
print(guideline.evaluate({{"age": 50}}).to_json())
"""
    outputs = set()
    for seed in ("0", "1", "12345"):
        completed = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        )
        outputs.add(completed.stdout)
    assert len(outputs) == 1
    assert '"conditions": [\n      "back_pain",\n      "hypertension",\n      "headache"' in (outputs.pop())
