"""Seeded random patients for a decision graph, aimed where mutants act.

Used by ``mutate`` to cross-check every equivalence verdict at run time and by
tests/testgen/test_equivalence_sampling.py (10,000 per verdict). Each fact (and
each field of a map entry) is left out with probability 0.1, so patients with
missing data are drawn too: the z3 encoding covers complete patients only.
Numbers are drawn half the time uniformly in the declared range and half the
time from the guideline's own numbers, one step either side or on it.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

JSON = dict[str, Any]


def _thresholds(graph: dict[str, Any]) -> list[int | float]:
    found: set[int | float] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("op") == "const" and type(value.get("value")) in (int, float):
                found.add(value["value"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(graph["definitions"])
    walk(graph["nodes"])
    return sorted(found)


class PatientSampler:
    """Seeded random patients for one graph (module docstring)."""

    def __init__(self, graph: dict[str, Any], seed: int) -> None:
        self.graph = graph
        self.rng = random.Random(seed)
        self.thresholds = _thresholds(graph)

    def number(self, type_: dict[str, Any]) -> int | float:
        declared_low, declared_high = type_.get("min"), type_.get("max")
        low: int | float = declared_low if declared_low is not None else 0
        high: int | float = declared_high if declared_high is not None else low + 200
        integral = type_["kind"] == "integer"
        if self.thresholds and self.rng.random() < 0.5:
            threshold = self.rng.choice(self.thresholds)
            step = 1 if integral or isinstance(threshold, int) else _step(threshold)
            value: int | float = threshold + self.rng.choice((-1, 0, 1)) * step
            if integral:
                value = round(value)
            elif isinstance(value, float):
                value = round(value, 6)
            if low <= value <= high:
                return value
        if integral:
            return self.rng.randint(int(low), int(high))
        return round(self.rng.uniform(low, high), self.rng.choice((0, 1, 2)))

    def value(self, type_: dict[str, Any]) -> Any:
        kind = type_["kind"]
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "decimal"):
            return self.number(type_)
        if kind == "enum":
            return self.rng.choice(self.graph["enums"][type_["enum"]]["members"])
        members = self.graph["enums"][type_["enum" if kind == "set" else "key"]]["members"]
        chosen = self.rng.sample(members, self.rng.randint(0, len(members)))
        if kind == "set":
            return chosen
        fields = self.graph["records"][type_["record"]]["fields"]
        return {
            key: {name: self.value(field) for name, field in fields.items() if self.rng.random() >= 0.1}
            for key in chosen
        }

    def patient(self) -> dict[str, Any]:
        return {
            name: self.value(declared["type"])
            for name, declared in self.graph["inputs"].items()
            if self.rng.random() >= 0.1
        }


def _step(value: float) -> float:
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return float(Decimal(1).scaleb(-places))
