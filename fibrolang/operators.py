"""The binary operators of fibrolang expressions: one table every stage reads.

An operator's symbol (as written in the source and as the graph's ``op``), its
binding strength, what its operands and its result are, how units combine
through it, how it computes on known values, and the words the flowchart and
the explanations use for it live here and nowhere else. The compiler
(grammar aside) and the runtime look operators up in ``BINARY`` and dispatch
on ``Operator.family`` and ``Operator.unit_rule`` with ``match`` statements
that end in ``typing.assert_never``, so adding a family or a unit rule makes
mypy name every place that must handle it.

``apply`` works on Python numbers and on z3 terms alike (it only uses the
arithmetic and comparison dunders), so the runtime, the fused closures and
the z3 encoding compute with the same function. Unknown operands never reach
``apply``: every caller merges unknowns first (Kleene's strong logic, see
graph-format.md).

Standard library only: the runtime imports it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, assert_never

# Binding strength, loosest first (mirrors compiler/grammar.lark).
OPEN, OR, AND, NOT, COMPARE, SUM, PRODUCT, UNARY, POSTFIX = range(9)

ComparisonSymbol = Literal["<", "<=", ">", ">=", "==", "!="]
ArithmeticSymbol = Literal["+", "-", "*"]
Family = Literal["comparison", "arithmetic"]
# How the units of the two operands combine:
#   same     both sides carry the same unit (or one side none); the result carries it
#   compare  both sides carry the same unit (or one side none); the result is a boolean
#   scale    at most one side carries a unit (a quantity times a plain number)
UnitRule = Literal["same", "compare", "scale"]


@dataclass(frozen=True, slots=True)
class Operator:
    """One binary operator and everything a stage needs to know about it."""

    symbol: str  # as written in the source, and the graph's "op"
    family: Family
    strength: int  # COMPARE, SUM or PRODUCT
    left_needs: int  # the binding strength its left operand needs without parentheses
    right_needs: int  # ... and its right operand
    unit_rule: UnitRule
    apply: Callable[[Any, Any], Any]  # on known values (numbers, members, booleans, z3 terms)
    sign: str  # in the flowchart and the generated suite's names: "≤", "×"
    words: str  # in prose: "is at most", "times"
    python: str  # the Python target's spelling
    sql: str  # the SQL target's spelling (standard SQL, as sqlglot writes it)
    negation: str | None = None  # comparisons: the operator of ``not (a op b)``
    mirror: str | None = None  # comparisons: ``b mirror a`` means ``a op b``
    mutants: tuple[str, ...] = ()  # comparisons: what mutation testing flips it to
    equality: bool = False  # comparisons: also compares members and booleans
    numbers_only: bool = True  # operands must be numbers
    keeps_integers: bool = True  # arithmetic: integer operands give an integer


def _comparison(
    symbol: str,
    apply: Callable[[Any, Any], Any],
    sign: str,
    words: str,
    negation: str,
    mirror: str,
    mutants: tuple[str, ...],
    sql: str | None = None,
) -> Operator:
    equality = symbol in ("==", "!=")
    return Operator(
        symbol,
        "comparison",
        COMPARE,
        SUM,
        SUM,
        "compare",
        apply,
        sign,
        words,
        symbol,
        sql or symbol,
        negation,
        mirror,
        mutants,
        equality=equality,
        numbers_only=not equality,
    )


def _arithmetic(
    symbol: str, strength: int, unit_rule: UnitRule, apply: Callable[[Any, Any], Any], sign: str, words: str
) -> Operator:
    return Operator(
        symbol, "arithmetic", strength, strength, strength + 1, unit_rule, apply, sign, words, symbol, symbol
    )


BINARY: dict[str, Operator] = {
    op.symbol: op
    for op in (
        _comparison("<", operator.lt, "<", "is below", ">=", ">", ("<=", ">=")),
        _comparison("<=", operator.le, "≤", "is at most", ">", ">=", ("<", ">")),
        _comparison(">", operator.gt, ">", "is above", "<=", "<", (">=", "<=")),
        _comparison(">=", operator.ge, "≥", "is at least", "<", "<=", (">", "<")),
        _comparison("==", operator.eq, "=", "equals", "!=", "==", ("!=",), sql="="),
        _comparison("!=", operator.ne, "≠", "differs from", "==", "!=", ("==",), sql="<>"),
        _arithmetic("+", SUM, "same", operator.add, "+", "plus"),
        _arithmetic("-", SUM, "same", operator.sub, "−", "minus"),
        _arithmetic("*", PRODUCT, "scale", operator.mul, "×", "times"),
    )
}
COMPARISONS: tuple[str, ...] = tuple(op.symbol for op in BINARY.values() if op.family == "comparison")
ARITHMETIC: tuple[str, ...] = tuple(op.symbol for op in BINARY.values() if op.family == "arithmetic")


def binary(symbol: str) -> Operator:
    """The operator written ``symbol``; KeyError names it when there is none."""
    found = BINARY.get(symbol)
    if found is None:
        raise KeyError(f"no binary operator {symbol!r} (fibrolang.operators.BINARY)")
    return found


def mirrored(symbol: str) -> str:
    """The comparison that says the same with its sides swapped: ``<`` → ``>``."""
    mirror = binary(symbol).mirror
    if mirror is None:
        raise KeyError(f"{symbol!r} is not a comparison")
    return mirror


def result_kind(op: Operator) -> Literal["boolean", "number"]:
    """What the operator yields."""
    match op.family:
        case "comparison":
            return "boolean"
        case "arithmetic":
            return "number"
        case unreachable:
            assert_never(unreachable)


def result_unit(op: Operator, left: str | None, right: str | None) -> tuple[str | None, str | None]:
    """``(unit, problem)``: the unit of ``left op right`` from its operands' units
    (canonical spellings, None for a plain number), or why they do not combine."""
    match op.unit_rule:
        case "same" | "compare":
            if left is not None and right is not None and left != right:
                return None, f"units differ: {left} and {right}"
            unit = left or right
            return (None if op.unit_rule == "compare" else unit), None
        case "scale":
            if left is not None and right is not None:
                return None, f"both sides carry a unit ({left} and {right})"
            return left or right, None
        case unreachable:
            assert_never(unreachable)
