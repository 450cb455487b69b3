"""Witness patients for the test generator: one per reachable edge, each replayed.

``edge_witnesses(graph)`` maps every edge a patient can take to a readable,
complete patient (see ``solve`` for what readable and complete mean) whose
walk takes that edge. Unreachable edges are left out (the analysis reports
them). Each witness is replayed through the runtime, and the runtime's path
must equal the path the z3 encoding predicts for that patient; a mismatch
raises ``ReplayMismatch`` rather than hand the generator a wrong test.

``predicted_path(paths, prover, patient)`` is the differential oracle: the
path the encoding says a given patient takes, for comparison with the
runtime's trace (tests/analysis/test_differential.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from compiler.analysis import dates
from compiler.analysis.encode import Term
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover, SolverUnknown
from fibrolang.graph import BooleanType, DateType, EnumType, Graph, MapType, SetType, ValueType


class ReplayMismatch(Exception):
    """The runtime did not take the path the encoding predicted (an internal error)."""


@dataclass(frozen=True)
class EdgeWitness:
    edge: str
    patient: dict[str, Any]
    path: tuple[str, ...]  # the runtime's trace edges (from "start")
    outcome: str  # the runtime's status, or "violation" when an invariant stopped the plan


def patient_constraints(paths: PathConditions, patient: dict[str, Any]) -> list[Term]:
    """Equalities fixing the patient model's variables to a complete patient's values."""
    patient_model = paths.encoder.patient
    variables = patient_model.variables
    constraints: list[Term] = []

    def scalar(variable: Term, type_: ValueType, value: Any) -> None:
        if isinstance(type_, BooleanType):
            constraints.append(variable == z3.BoolVal(bool(value)))
        elif isinstance(type_, EnumType):
            constraints.append(variable == patient_model.members(type_.enum).index(value))
        elif isinstance(type_, DateType):
            constraints.append(variable == dates.from_iso(value))
        else:
            exact = Fraction(str(value))
            constraints.append(variable == z3.Q(exact.numerator, exact.denominator))

    for declared in paths.graph.inputs:
        name, type_ = declared.name, declared.type
        if name not in patient:
            raise ValueError(f"the patient has no {name}: the oracle needs complete patients")
        value = patient[name]
        if isinstance(type_, SetType):
            for member, variable in variables[name].items():
                constraints.append(variable == z3.BoolVal(member in value))
        elif isinstance(type_, MapType):
            model = variables[name]
            fields = patient_model.records[type_.record].fields
            for key, present in model.present.items():
                constraints.append(present == z3.BoolVal(key in value))
                if key in value:
                    for field in fields:
                        scalar(model.fields[key][field.name], field.type, value[key][field.name])
        else:
            scalar(variables[name], type_, value)
    return constraints


def predicted_path(paths: PathConditions, prover: Prover, patient: dict[str, Any]) -> list[str]:
    """The edges the encoding says ``patient`` takes (the runtime's ``trace.edges``)."""
    answer = prover.decide(*patient_constraints(paths, patient))
    if answer.verdict != "sat":
        raise ReplayMismatch("the encoding admits no model for this patient (outside the declared ranges?)")
    return paths.path_of(answer.model)


def witness_report(graph: Graph, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> list[EdgeWitness]:
    """A replayed witness for every reachable edge, in the graph's topological order."""
    paths = PathConditions(graph)
    prover = Prover(paths, timeout_ms)
    runtime = Runtime()
    found = []
    for edge_id, edge in paths.edges.items():
        patient = prover.witness(edge.taken)
        if patient is None:
            continue
        replay = runtime.run(graph, patient)
        expected = predicted_path(paths, prover, patient)
        complete = replay.outcome in ("ok", "not_applicable", "violation")
        agrees = list(replay.edges) == (expected if complete else expected[: len(replay.edges)])
        if edge_id not in replay.edges or not agrees:
            raise ReplayMismatch(
                f"witness for edge {edge_id}: the encoding predicts {' -> '.join(expected)}, "
                f"the runtime took {' -> '.join(replay.edges)} ({replay.outcome}; {replay.detail})"
            )
        found.append(EdgeWitness(edge_id, patient, replay.edges, replay.outcome))
    return found


def edge_witnesses(graph: Graph, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> dict[str, dict[str, Any]]:
    """Edge id -> a complete patient whose walk takes that edge (reachable edges only).

    Raises ``SolverUnknown`` when the solver cannot decide an edge within
    ``timeout_ms``, and ``ReplayMismatch`` when the runtime disagrees.
    """
    return {witness.edge: witness.patient for witness in witness_report(graph, timeout_ms)}


__all__ = [
    "EdgeWitness",
    "ReplayMismatch",
    "SolverUnknown",
    "edge_witnesses",
    "patient_constraints",
    "predicted_path",
    "witness_report",
]
