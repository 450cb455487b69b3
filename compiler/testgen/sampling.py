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

from fibrolang import expressions as ex
from fibrolang import graph_order
from fibrolang.expression_parts import subexpressions
from fibrolang.graph import (
    BooleanType,
    EnumType,
    Graph,
    MapType,
    NumberType,
    SetType,
    ValueType,
)


def _thresholds(graph: Graph) -> list[int | float]:
    """Every number the definitions and the guards mention (not the invariants)."""
    roots = [definition.expr for definition in graph.definitions]
    for node in graph.nodes:
        entries = graph_order.guarded_entries(node)
        roots += [entry.guard for entry in entries if entry.guard is not None]
    found: set[int | float] = set()
    for root in roots:
        for inner in subexpressions(root):
            if isinstance(inner, ex.Constant) and type(inner.value) in (int, float):
                found.add(inner.value)
    return sorted(found)


class PatientSampler:
    """Seeded random patients for one graph (module docstring)."""

    def __init__(self, graph: Graph, seed: int) -> None:
        self.graph = graph
        self.rng = random.Random(seed)
        self.thresholds = _thresholds(graph)
        self.members = {enum.name: enum.members for enum in graph.enums}
        self.records = {record.name: record for record in graph.records}

    def number(self, type_: NumberType) -> int | float:
        declared_low, declared_high = type_.minimum, type_.maximum
        low: int | float = declared_low if declared_low is not None else 0
        high: int | float = declared_high if declared_high is not None else low + 200
        integral = type_.integral
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

    def value(self, type_: ValueType) -> Any:
        if isinstance(type_, BooleanType):
            return self.rng.random() < 0.5
        if isinstance(type_, NumberType):
            return self.number(type_)
        if isinstance(type_, EnumType):
            return self.rng.choice(self.members[type_.enum])
        if not isinstance(type_, SetType | MapType):
            raise TypeError(f"no sampled value for a {type(type_).__name__}")
        members = self.members[type_.enum if isinstance(type_, SetType) else type_.key]
        chosen = self.rng.sample(members, self.rng.randint(0, len(members)))
        if isinstance(type_, SetType):
            return chosen
        fields = self.records[type_.record].fields
        return {
            key: {field.name: self.value(field.type) for field in fields if self.rng.random() >= 0.1}
            for key in chosen
        }

    def patient(self) -> dict[str, Any]:
        return {
            declared.name: self.value(declared.type)
            for declared in self.graph.inputs
            if self.rng.random() >= 0.1
        }


def _step(value: float) -> float:
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return float(Decimal(1).scaleb(-places))
