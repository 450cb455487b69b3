"""The validator's one-pass acceptance of common records (``validate.one_pass``), and its
acceptance of whole records (``validate.every_field_given``), give exactly what the
field-by-field check gives, or leave the record to it."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import graphs as g
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fibrolang
from fibrolang.errors import Problem
from fibrolang.validate import (
    _BOOLEAN,
    _DECIMAL,
    _INTEGER,
    _MEMBER,
    _check_fields,
    every_field_given,
    one_pass,
)

ROOT = Path(__file__).resolve().parents[2]
ODD: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2.5,
    18.0,
    1e308,
    float("nan"),
    float("inf"),
    "x",
    "",
    [],
    {},
    10**30,
]


def field_by_field(guideline: fibrolang.Guideline, patient: dict[str, Any]) -> dict[str, Any] | None:
    problems: list[Problem] = []
    inputs: dict[str, Any] = {}
    _check_fields(patient, guideline._validate.fields, inputs, "", problems)
    return None if problems else inputs


def records(guideline: fibrolang.Guideline, rng: random.Random, count: int) -> list[dict[str, Any]]:
    valid: list[dict[str, Any]] = []
    if guideline.id in ("fibromyalgia", "acr2016"):
        from compiler.testgen.suite import read_patients

        suite = ROOT / "tests" / "generated" / f"test_guideline_{guideline.id}.py"
        valid = [dict(case.patient) for case in read_patients(suite)]
    else:
        valid = [{"age": 50, "egfr": 80, "chronic_liver_disease": False, "medications": {}}]
    names = [*list(guideline.inputs), "not_declared"]
    found = []
    for _ in range(count):
        patient = dict(rng.choice(valid))
        for _change in range(rng.randrange(3)):
            name = rng.choice(names)
            roll = rng.random()
            if roll < 0.3:
                patient.pop(name, None)
            elif roll < 0.5:
                patient[name] = None
            elif roll < 0.6 and valid:
                patient[name] = rng.choice(valid).get(name)
            else:
                patient[name] = rng.choice(ODD)
        if rng.random() < 0.5:  # the same fields in another order
            keys = list(patient)
            rng.shuffle(keys)
            patient = {key: patient[key] for key in keys}
        found.append(patient)
    return found


@pytest.mark.parametrize("name", ["fibromyalgia", "acr2016", "tour"])
def test_common_records_are_accepted_as_the_field_by_field_check_accepts_them(name: str) -> None:
    if name == "tour":
        guideline = fibrolang.load(g.tour_graph())
    else:
        guideline = fibrolang.load(ROOT / "guidelines" / f"{name}.graph.json")
    left: list[object] = []

    def leave(patient: object) -> dict[str, Any]:
        left.append(patient)
        return {}

    check = one_pass(guideline._validate.fields, leave)
    accepted = 0
    for patient in records(guideline, random.Random(14), 4000):
        fast = check(patient)
        if left and left[-1] is patient:
            continue
        accepted += 1
        slow = field_by_field(guideline, patient)
        assert slow is not None, patient
        assert list(fast.items()) == list(slow.items())
        assert [type(value) for value in fast.values()] == [type(value) for value in slow.values()]
    assert accepted > 500  # the one pass is what most records take


WHOLE_RECORD_GUIDELINES = ("fibromyalgia", "acr2016", "tour", "bench_spec")


def _guideline(name: str) -> fibrolang.Guideline:
    if name == "tour":
        return fibrolang.load(g.tour_graph())
    if name == "bench_spec":
        from compiler import api

        return fibrolang.load(api.compile_file(ROOT / "benchmarks" / "spec.fibro"))
    return fibrolang.load(ROOT / "guidelines" / f"{name}.graph.json")


_WHOLE: dict[str, tuple[fibrolang.Guideline, list[list[Any]]]] = {}


def _whole_records(name: str) -> tuple[fibrolang.Guideline, list[list[Any]]]:
    """The guideline, and valid values of each of its fields, in declaration order: from the
    declaration for booleans, members and numbers (the bounds and a value between), from the
    records ``records`` makes for the other fields (an empty list when none was found)."""
    if name not in _WHOLE:
        guideline = _guideline(name)
        fields = guideline._validate.fields
        found: dict[str, list[Any]] = {field: [] for field in fields}
        for patient in records(guideline, random.Random(3), 400):
            for field, value in patient.items():
                if field in found and value is not None and field_by_field(guideline, {field: value}):
                    found[field].append(value)
        samples: list[list[Any]] = []
        for field, (kind, low, high, _unit, _checker) in fields.items():
            if kind == _BOOLEAN:
                samples.append([True, False])
            elif kind == _MEMBER:
                samples.append(sorted(low))
            elif kind in (_INTEGER, _DECIMAL):
                low = low if low > -1e300 else -7
                high = high if high < 1e300 else 1000
                numbers = [math.ceil(low), math.floor(high), math.ceil((low + high) / 2)]
                samples.append([float(number) for number in numbers] if kind == _DECIMAL else numbers)
            else:
                samples.append(found[field])
        _WHOLE[name] = (guideline, samples)
    return _WHOLE[name]


@pytest.mark.parametrize("name", WHOLE_RECORD_GUIDELINES)
@given(data=st.data())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_whole_records_are_accepted_as_the_field_by_field_check_accepts_them(
    name: str, data: st.DataObject
) -> None:
    """``every_field_given`` accepts a record only when the field-by-field check accepts it,
    with the same inputs (keys, order, values and their classes); whatever it does not
    accept it leaves, unchanged, to the validator after it."""
    guideline, samples = _whole_records(name)
    fields = guideline._validate.fields
    patient: dict[str, Any] = {}
    for index, field in enumerate(fields):
        if data.draw(st.integers(0, 19), label="change") == 0:
            choice = data.draw(st.sampled_from([*ODD, "drop", True, 18.0, {"value": 1, "unit": "x"}]))
            if choice == "drop":
                continue
            patient[field] = choice
        elif samples[index]:
            patient[field] = data.draw(st.sampled_from(samples[index]), label=field)
    if data.draw(st.integers(0, 9)) == 0:
        patient["not_declared"] = True
    keys = data.draw(st.permutations(list(patient)))
    patient = {key: patient[key] for key in keys}
    left: list[object] = []

    def leave(record: object) -> dict[str, Any]:
        left.append(record)
        return {"left": True}

    fast = every_field_given(fields, leave)(patient)
    slow = field_by_field(guideline, patient)
    if left:
        assert left == [patient] and fast == {"left": True}
        return
    assert slow is not None, patient
    assert list(fast.items()) == list(slow.items())
    assert [type(value) for value in fast.values()] == [type(value) for value in slow.values()]
    assert fast is not patient  # a copy: the caller's record is never the inputs


@pytest.mark.parametrize("name", ["fibromyalgia", "acr2016", "bench_spec"])
def test_whole_records_take_the_fast_path(name: str) -> None:
    """The records that give every field validly are what ``every_field_given`` accepts
    itself (the test above cannot pass by leaving everything to the slower check)."""
    guideline, samples = _whole_records(name)
    fields = guideline._validate.fields
    assert all(samples), samples
    rng = random.Random(7)
    left: list[object] = []
    accepted = 0
    for _ in range(200):
        patient = {field: rng.choice(samples[index]) for index, field in enumerate(fields)}
        every_field_given(fields, left.append)(patient)  # type: ignore[arg-type]
        accepted += not left
        left.clear()
    assert accepted == 200
