"""``fibrolang eval`` on JSON Lines evaluates through ``Guideline.evaluate_many``
(``compiler.commands.patients.iterate``): the same outcome, record by record and in order, as
evaluating each record on its own, bad lines answered in place."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import fibrolang
from compiler.commands import patients
from fibrolang.errors import Problem

ROOT = Path(__file__).resolve().parents[2]


def test_iterate_answers_every_record_in_order_as_evaluate_record_does() -> None:
    guideline = fibrolang.load(ROOT / "guidelines" / "fibromyalgia.graph.json")
    rng = random.Random(14)
    kinds: list[Any] = [
        lambda: {"age": rng.randint(10, 90), "egfr": rng.choice([10, 45, 90])},
        lambda: {},
        lambda: {"age": "old"},
        lambda: [1, 2],
        lambda: None,
    ]
    records: list[patients.PatientRecord] = []
    for line in range(1, 400):
        if rng.random() < 0.1:
            problem = Problem("", "not valid JSON", "invalid_json")
            records.append(patients.PatientRecord(line, None, "unreadable_patient", (problem,)))
        else:
            records.append(patients.PatientRecord(line, rng.choice(kinds)()))
    consumed: list[int] = []

    def lazily() -> Any:
        for record in records:
            consumed.append(record.line)
            yield record

    stream = patients.iterate(guideline, lazily())
    first = next(stream)
    assert consumed == [1] or all(
        records[i].error or not isinstance(records[i].patient, dict) for i in range(len(consumed) - 1)
    )
    outcomes = [first, *stream]
    expected = [patients.evaluate_record(guideline, record) for record in records]
    assert len(outcomes) == len(expected)
    for got, want in zip(outcomes, expected, strict=True):
        assert got.data == want.data
        assert got.result == want.result
    errors = {outcome.data.get("error") for outcome in outcomes}
    assert {None, "invalid_patient", "unreadable_patient"} <= errors
