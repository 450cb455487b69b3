"""Every bad value given to ``Guideline.evaluate``/``validate``, however it was built,
raises ``InvalidPatient`` (issue 21): never a bare ValueError, RecursionError or
TypeError, and no problem message echoes a value whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import fibrolang

GRAPH = Path(__file__).resolve().parents[2] / "guidelines" / "fibromyalgia.graph.json"
GUIDELINE = fibrolang.load(GRAPH)


def _deep_tuple(depth: int) -> Any:
    value: Any = ()
    for _ in range(depth):
        value = (value,)
    return value


def _cyclic() -> dict[str, Any]:
    trial: dict[str, Any] = {"weeks": 4}
    trial["self"] = trial
    return {"medications": {"duloxetine": trial}}


def _cyclic_list() -> dict[str, Any]:
    members: list[Any] = ["back_pain"]
    members.append(members)
    return {"comorbidities": members}


class _Exploding(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("a mapping that cannot be read")


HOSTILE: dict[str, Any] = {
    "huge integer": {"age": 10**5000},
    "huge negative integer": {"egfr": -(10**5000)},
    "huge integer in a quantity": {"egfr": {"value": 10**5000, "unit": "mL/min/1.73m2"}},
    "huge integer key": {10**5000: 1},
    "deep tuple key": {_deep_tuple(100_000): 1},
    "deep value": {"comorbidities": [_deep_tuple(100_000)]},
    "deep member": {"comorbidities": _deep_tuple(100_000)},
    "cyclic record": _cyclic(),
    "cyclic list": _cyclic_list(),
    "non-string key": {("age",): 1, None: 2},
    "non-string map key": {"medications": {7: {}}},
    "unreadable mapping": _Exploding(age=1),
    "unreadable record": {"medications": {"duloxetine": _Exploding(weeks=1)}},
    "huge string": {"comorbidities": ["z" * 1_000_000]},
    "surrogate key": {"\ud800": 1},
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_bad_value_raises_invalid_patient(name: str) -> None:
    with pytest.raises(fibrolang.InvalidPatient) as raised:
        GUIDELINE.evaluate(HOSTILE[name])
    assert raised.value.problems
    assert all(len(problem.message) < 400 and len(problem.path) < 400 for problem in raised.value.problems)
    assert len(str(raised.value)) < 10_000
    with pytest.raises(fibrolang.InvalidPatient):
        GUIDELINE.validate(HOSTILE[name])


def test_the_listing_of_many_problems_is_capped_but_every_problem_is_kept() -> None:
    with pytest.raises(fibrolang.InvalidPatient) as raised:
        GUIDELINE.evaluate({f"unknown_{i}": 1 for i in range(1000)})
    assert len(raised.value.problems) == 1000
    text = str(raised.value)
    assert text.startswith("invalid patient record (1000 problems):")
    assert "... and 980 more problems" in text
    assert len(text.splitlines()) == 22
