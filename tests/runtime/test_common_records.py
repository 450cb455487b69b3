"""The validator's one-pass acceptance of common records (``validate.one_pass``) gives
exactly what the field-by-field check gives, or leaves the record to it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import graphs as g
import pytest

import fibrolang
from fibrolang.errors import Problem
from fibrolang.validate import _check_fields, one_pass

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
