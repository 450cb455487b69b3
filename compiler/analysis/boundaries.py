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

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import z3

from compiler.analysis.encode import Plan
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover, step_of
from compiler.analysis.witnesses import ReplayMismatch
from fibrolang import expressions as ex
from fibrolang import graph_order
from fibrolang.expression_parts import inline, mentions, parts
from fibrolang.graph import Graph, MapType, NumberType
from fibrolang.operators import binary, mirrored

Side = Literal["below", "at", "above"]


@dataclass(frozen=True)
class Boundary:
    """One boundary patient (or None when no valid patient has that value there)."""

    node: str  # the decision or step whose guard compares
    guard_of: str  # the first edge id (branch) or item id of the node whose guard holds the comparison
    expression: ex.Expression  # the compared side, definitions inlined
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
    expression: ex.Expression
    operator: str
    threshold: int | float
    unit: str | None


def _number_constant(expr: ex.Expression) -> ex.Constant | None:
    return expr if isinstance(expr, ex.Constant) and not isinstance(expr.value, bool) else None


def _comparisons(guard: ex.Expression, node: str, guard_of: str, found: list[_Comparison]) -> None:
    def walk(expr: ex.Expression) -> None:
        if isinstance(expr, ex.Quantifier | ex.Sum):
            walk(expr.over)  # the body mentions the bound variable: skipped
            return
        if isinstance(expr, ex.Comparison):
            op = expr.operator
            for constant_side, other, operator in (
                (expr.right, expr.left, op),
                (expr.left, expr.right, mirrored(op)),
            ):
                constant = _number_constant(constant_side)
                if constant is not None and _number_constant(other) is None:
                    if not mentions(other, ex.VariableReference):
                        found.append(
                            _Comparison(node, guard_of, other, operator, constant.value, constant.unit)
                        )
                    break
        for _, part in parts(expr):
            walk(part)

    walk(guard)


def integral(expr: ex.Expression, graph: Graph) -> bool:
    """Whether a numeric expression only ever takes integer values (its boundary step is then 1)."""
    match expr:
        case ex.Constant(value=value):
            return isinstance(value, int)
        case ex.InputReference(name=name):
            declared = next((d.type for d in graph.inputs if d.name == name), None)
            return isinstance(declared, NumberType) and declared.integral
        case ex.Field(record=ex.Entry(map=ex.InputReference(name=name)), name=field_name):
            map_type = next((d.type for d in graph.inputs if d.name == name), None)
            if not isinstance(map_type, MapType):
                return False
            record = next(r for r in graph.records if r.name == map_type.record)
            field_type = next(f.type for f in record.fields if f.name == field_name)
            return isinstance(field_type, NumberType) and field_type.integral
        case (
            ex.Quantifier(kind="count") | ex.CountTrue() | ex.Elapsed()
        ):  # whole years, months, weeks or days
            return True
        case ex.Arithmetic(operator=operator, left=left, right=right):
            return binary(operator).keeps_integers and integral(left, graph) and integral(right, graph)
        case ex.UnaryMinus(operand=operand):
            return integral(operand, graph)
        case ex.Conditional(then=then, otherwise=otherwise):
            return integral(then, graph) and integral(otherwise, graph)
        case ex.Sum(body=body):
            return integral(body, graph)
    return False


def threshold_comparisons(graph: Graph) -> list[_Comparison]:
    definitions = {d.name: d.expr for d in graph.definitions}
    found: list[_Comparison] = []
    for node in graph.nodes:
        entries = graph_order.guarded_entries(node)
        for entry in entries:
            if entry.guard is not None:
                _comparisons(inline(entry.guard, definitions), node.id, entry.id, found)
    unique: dict[tuple[str, str, str], _Comparison] = {}
    for comparison in found:  # by repr, which tells 1 from 1.0 as the graph JSON does
        key = (comparison.node, repr(comparison.expression), repr(comparison.threshold))
        unique.setdefault(key, comparison)
    return list(unique.values())


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def boundary_patients(graph: Graph, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> list[Boundary]:
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
        step = Fraction(1) if integer else step_of(False, comparison.threshold)
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
