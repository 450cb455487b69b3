"""Compile ``count``/``any``/``all``/``sum`` and ``count_true`` into closures.

A quantifier walks the members of its collection in the enumeration's
declaration order (never in set-hash order, so sums of decimals are
deterministic), binding each to a slot of ``Context.bound``. Unknowns: the
result is unknown if the collection is unknown, or if a ``where`` (or a
``body``) that matters is unknown: for ``any`` an unknown matters only when
no member satisfies ``where``; for ``all`` only when none fails it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fibrolang import expressions as ex
from fibrolang.json_values import join_path
from fibrolang.operators import plus
from fibrolang.values import Context, Unknown, merge_unknown

if TYPE_CHECKING:
    from fibrolang.closures import ExpressionCompiler, Shape

Evaluator = Callable[[Context], Any]


def _bind(
    compiler: ExpressionCompiler, variable: str, over: ex.Expression, path: str
) -> tuple[Evaluator, tuple[str, ...], str, int] | None:
    """Compile the collection; open a scope for the variable. None if ill-typed."""
    read_over, shape = compiler.compile(over, join_path(path, "over"))
    if shape.kind == "invalid":
        return None
    if shape.kind not in ("set", "enumeration"):
        compiler.fail(
            join_path(path, "over"), f"a quantifier ranges over a set or an enumeration, not a {shape.kind}"
        )
        return None
    enum = shape.enum or ""
    members = compiler.enums.get(enum, ())
    slot = len(compiler.scope)
    compiler.scope.append((variable, enum))
    compiler.depth = max(compiler.depth, slot + 1)
    return read_over, members, enum, slot


def compile_quantifier(
    compiler: ExpressionCompiler, expr: ex.Quantifier, path: str
) -> tuple[Evaluator, Shape]:
    from fibrolang.closures import BOOLEAN, INVALID, Shape, never_evaluated

    result = Shape("number") if expr.kind == "count" else BOOLEAN
    bound = _bind(compiler, expr.variable, expr.over, path)
    if bound is None:
        if expr.where is not None:  # still report problems inside the filter
            compiler.scope.append((expr.variable, ""))
            compiler.condition(expr.where, join_path(path, "where"))
            compiler.scope.pop()
        return never_evaluated, INVALID
    read_over, members, _enum, slot = bound
    where = compiler.condition(expr.where, join_path(path, "where")) if expr.where is not None else None
    compiler.scope.pop()
    kind = expr.kind

    def quantify(context: Context) -> Any:
        collection = read_over(context)
        if collection.__class__ is Unknown:
            return collection
        holding = 0
        unknown = None
        bound_members = context.bound
        for member in members:
            if member not in collection:
                continue
            if where is None:
                holding += 1
                continue
            bound_members[slot] = member
            value = where(context)
            if value is True:
                if kind == "any":
                    return True
                holding += 1
            elif value is False:
                if kind == "all":
                    return False
            else:
                unknown = value if unknown is None else merge_unknown(unknown, value)
        if unknown is not None:
            return unknown
        if kind == "count":
            return holding
        if kind == "any":
            return holding > 0
        return True

    return quantify, result


def compile_sum(compiler: ExpressionCompiler, expr: ex.Sum, path: str) -> tuple[Evaluator, Shape]:
    from fibrolang.closures import INVALID, Shape, never_evaluated

    bound = _bind(compiler, expr.variable, expr.over, path)
    if bound is None:
        return never_evaluated, INVALID
    read_over, members, _enum, slot = bound
    body, shape = compiler.compile(expr.body, join_path(path, "body"))
    compiler.scope.pop()
    if shape.kind not in ("number", "invalid"):
        return never_evaluated, compiler.fail(
            join_path(path, "body"), f"sum needs a number to add up, not a {shape.kind}"
        )

    def add_up(context: Context) -> Any:
        collection = read_over(context)
        if collection.__class__ is Unknown:
            return collection
        total: Any = 0
        unknown = None
        bound_members = context.bound
        for member in members:
            if member in collection:
                bound_members[slot] = member
                value = body(context)
                if value.__class__ is Unknown:
                    unknown = value if unknown is None else merge_unknown(unknown, value)
                else:
                    total = plus(total, value)  # on the decimals as written, as `+`
        return total if unknown is None else unknown

    return add_up, Shape("number", unit=shape.unit)


def compile_count_true(operands: list[Evaluator]) -> Evaluator:
    def count_true(context: Context) -> Any:
        holding = 0
        unknown = None
        for operand in operands:
            value = operand(context)
            if value is True:
                holding += 1
            elif value.__class__ is Unknown:
                unknown = value if unknown is None else merge_unknown(unknown, value)
        return holding if unknown is None else unknown

    return count_true
