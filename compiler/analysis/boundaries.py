"""Boundary patients: for every numeric threshold a guard compares against, a
patient just below, at, and just above it, who reaches the guard.

Thresholds are found in branch and item guards with definitions inlined
(``refractory = failed_count >= 2`` gives the threshold 2 on
``failed_count`` wherever a guard reads ``refractory``), on comparisons whose
one side is a constant (a definition that is a constant, like
``minimum_trial = 4 weeks``, counts as one). Comparisons inside quantifiers
(over a bound variable) are skipped: they have no single value to move.

The step: 1 when the compared expression is an integer (integer inputs and
fields, counts, sums of integers); otherwise the precision of the threshold
literal (0.5 -> 0.1, 1.25 -> 0.01), at least 0.1 (``30`` on a decimal -> 0.1).
A value outside the input's declared range, or one no patient reaching the
guard can have, gives ``patient=None``. Every patient is replayed: the runtime
must reach the node whose guard holds the threshold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import z3

from compiler.analysis.encode import JSON, Plan
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover, step_of
from compiler.analysis.witnesses import ReplayMismatch
from fibrolang.operators import ARITHMETIC, COMPARISONS, binary, mirrored

Side = Literal["below", "at", "above"]
_ORDERING = COMPARISONS


@dataclass(frozen=True)
class Boundary:
    """One boundary patient (or None when no valid patient has that value there)."""

    node: str  # the decision or step whose guard compares
    guard_of: str  # the first edge id (branch) or item id of the node whose guard holds the comparison
    expression: JSON  # the compared side, definitions inlined
    operator: str
    threshold: int | float
    unit: str | None
    step: int | float
    side: Side
    value: int | float
    patient: dict[str, Any] | None
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Comparison:
    node: str
    guard_of: str
    expression: JSON
    operator: str
    threshold: int | float
    unit: str | None


def inline(expr: Any, definitions: dict[str, Any]) -> Any:
    """``expr`` with every definition reference replaced by its (inlined) expression."""
    if isinstance(expr, dict):
        if expr.get("op") == "def" and expr.get("name") in definitions:
            return inline(definitions[expr["name"]], definitions)
        return {key: inline(value, definitions) for key, value in expr.items()}
    if isinstance(expr, list):
        return [inline(value, definitions) for value in expr]
    return expr


def _mentions_variable(expr: Any) -> bool:
    if isinstance(expr, dict):
        return expr.get("op") == "var" or any(_mentions_variable(v) for v in expr.values())
    if isinstance(expr, list):
        return any(_mentions_variable(v) for v in expr)
    return False


def _is_number_constant(expr: JSON) -> bool:
    return expr.get("op") == "const" and not isinstance(expr.get("value"), bool)


def _comparisons(guard: JSON, node: str, guard_of: str, found: list[_Comparison]) -> None:
    def walk(expr: Any) -> None:
        if isinstance(expr, list):
            for value in expr:
                walk(value)
            return
        if not isinstance(expr, dict):
            return
        op = expr.get("op")
        if op in ("count", "any", "all", "sum"):
            walk(expr.get("over"))  # the body mentions the bound variable: skipped
            return
        if op in _ORDERING:
            left, right = expr["left"], expr["right"]
            for constant, other, operator in ((right, left, op), (left, right, _flip(op))):
                if _is_number_constant(constant) and not _is_number_constant(other):
                    if not _mentions_variable(other):
                        found.append(
                            _Comparison(
                                node, guard_of, other, operator, constant["value"], constant.get("unit")
                            )
                        )
                    break
        for value in expr.values():
            walk(value)

    walk(guard)


def _flip(operator: str) -> str:
    return mirrored(operator)


def integral(expr: Any, graph: JSON) -> bool:
    """Whether a numeric expression only ever takes integer values (its boundary step is then 1)."""
    op = expr.get("op")
    if op == "const":
        return isinstance(expr["value"], int)
    if op == "input":
        return bool(graph["inputs"][expr["name"]]["type"]["kind"] == "integer")
    if op == "field":
        record = expr["record"]
        if record.get("op") == "entry" and record["map"].get("op") == "input":
            map_type = graph["inputs"][record["map"]["name"]]["type"]
            return bool(graph["records"][map_type["record"]]["fields"][expr["name"]]["kind"] == "integer")
        return False
    if op in ("count", "count_true", "elapsed"):  # elapsed: whole years, months, weeks or days
        return True
    if op in ARITHMETIC:
        keeps = binary(op).keeps_integers
        return keeps and integral(expr["left"], graph) and integral(expr["right"], graph)
    if op == "neg":
        return integral(expr["operand"], graph)
    if op == "if":
        return integral(expr["then"], graph) and integral(expr["else"], graph)
    if op == "sum":
        return integral(expr["body"], graph)
    return False


def threshold_comparisons(graph: JSON) -> list[_Comparison]:
    definitions = {d["name"]: d["expr"] for d in graph["definitions"]}
    found: list[_Comparison] = []
    for node_id, node in graph["nodes"].items():
        for branch in node.get("branches", []):
            if branch["guard"] is not None:
                _comparisons(inline(branch["guard"], definitions), node_id, branch["id"], found)
        for item in node.get("items", []):
            if item["guard"] is not None:
                _comparisons(inline(item["guard"], definitions), node_id, item["id"], found)
    unique: dict[str, _Comparison] = {}
    for comparison in found:
        key = json.dumps([comparison.node, comparison.expression, comparison.threshold], sort_keys=True)
        unique.setdefault(key, comparison)
    return list(unique.values())


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def boundary_patients(graph: JSON, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> list[Boundary]:
    """Below / at / above patients for every threshold in every guard, replayed through the runtime.

    Raises ``SolverUnknown`` on a solver timeout and ``ReplayMismatch`` when the
    runtime does not reach the guard's node with a patient the solver says does.
    """
    paths = PathConditions(graph)
    prover = Prover(paths, timeout_ms)
    runtime = Runtime()
    boundaries: list[Boundary] = []
    for comparison in threshold_comparisons(graph):
        if comparison.node not in paths.reach:
            continue
        plan: Plan = paths.entry_plan[comparison.node]
        item = paths.items.get(comparison.guard_of)
        if item is not None:
            plan = item.plan_before
        sym = paths.encoder.expr(comparison.expression, plan, {})
        integer = integral(comparison.expression, graph)
        step = Fraction(1) if integer else step_of({"kind": "decimal"}, comparison.threshold)
        threshold = Fraction(str(comparison.threshold))
        for side, value in (("below", threshold - step), ("at", threshold), ("above", threshold + step)):
            target = (
                z3.Q(value.numerator, value.denominator) if value.denominator != 1 else z3.IntVal(int(value))
            )
            patient = prover.witness(paths.reach[comparison.node], sym.known, sym.value == target)
            route: tuple[str, ...] = ()
            if patient is not None:
                replay = runtime.run(graph, patient)
                if comparison.node not in replay.nodes:
                    raise ReplayMismatch(
                        f"boundary patient for {comparison.guard_of} ({side} {comparison.threshold}) "
                        f"does not reach {comparison.node}: {' -> '.join(replay.edges)} ({replay.outcome})"
                    )
                route = replay.edges
            boundaries.append(
                Boundary(
                    comparison.node,
                    comparison.guard_of,
                    comparison.expression,
                    comparison.operator,
                    comparison.threshold,
                    comparison.unit,
                    _number(step),
                    side,  # type: ignore[arg-type]
                    _number(value),
                    patient,
                    route,
                )
            )
    return boundaries
