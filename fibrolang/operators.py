"""The binary operators of fibrolang expressions: one table every stage reads.

An operator's symbol (as written in the source and as the graph's ``op``), its
binding strength, what its operands and its result are, how units combine
through it, how it computes on known values, and the words the flowchart and
the explanations use for it live here and nowhere else. The compiler
(grammar aside) and the runtime look operators up in ``BINARY`` and dispatch
on ``Operator.family`` and ``Operator.unit_rule`` with ``match`` statements
that end in ``typing.assert_never``, so adding a family or a unit rule makes
mypy name every place that must handle it.

``formula(a, b, kit)`` is the one definition of what an operator computes:
the runtime calls it (as ``apply``) with Python numbers and ``PYTHON``, the
z3 encoding with z3 terms and its own ``Kit`` (``z3.If`` for a choice,
``z3.ToInt`` for a floor). Unknown operands never reach it: every caller
merges unknowns first (Kleene's strong logic, see graph-format.md).

Exactness: arithmetic on decimals is exact on the decimals as written; the
results are then stored as binary floats. ``+``, ``-``, ``*``, ``/`` and
``round`` compute on the decimal each number prints as (``Fraction(repr(x))``),
then give the nearest float, so that 0.1 + 0.2 is 0.3 (at most 0.3, as z3's
exact rationals say) and a body-mass index of exactly 25.0 is 25.0 in the
runtime as in z3; two integers stay integers, computed directly. Unary minus,
``min`` and ``max`` pick or flip a value and never round; ``sum`` adds with
``plus``. ``round`` rounds half away from zero (half up, for the
positive values of clinical measurements), as clinical calculators, Excel's
ROUND and DuckDB's ROUND do: ``round(24.95, 1)`` is 25.0, ``round(24.85, 1)``
is 24.9.

Standard library only: the runtime imports it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Literal, assert_never

from fibrolang import unit_algebra
from fibrolang.records import record

# Binding strength, loosest first (mirrors compiler/front/grammar.lark).
OPEN, OR, AND, NOT, COMPARE, SUM, PRODUCT, UNARY, POSTFIX = range(9)

ComparisonSymbol = Literal["<", "<=", ">", ">=", "==", "!="]
ArithmeticSymbol = Literal["+", "-", "*", "/", "round", "min", "max"]
# comparison: infix, yields a boolean; arithmetic: infix, yields a number;
# function: written ``name(left, right)``, yields a number
Family = Literal["comparison", "arithmetic", "function"]
# How the units of the two operands combine:
#   same      both sides carry the same unit (or one side none); the result carries it
#   compare   both sides carry the same unit (or one side none); the result is a boolean
#   product   the units multiply: kg * m → kg*m, mg/day * days → mg
#   quotient  the units divide: kg / m2 → kg/m2
#   left      the right operand is a plain constant (round's digits); the result keeps the left's unit
UnitRule = Literal["same", "compare", "product", "quotient", "left"]


@record
class Kit:
    """How a stage chooses and floors: plain Python, or z3 terms."""

    choose: Callable[[Any, Any, Any], Any]  # (condition, then, else)
    floor: Callable[[Any], Any]  # the greatest integer at most x
    constant: Callable[[Any], Any]  # the Python value of a constant operand


def _exact(value: Any) -> Any:
    """The decimal a number prints as, exactly (ints stay ints)."""
    return Fraction(repr(value)) if value.__class__ is float else value


PYTHON = Kit(lambda c, a, b: a if c else b, math.floor, lambda value: value)


def plus(a: Any, b: Any) -> Any:
    """``a + b`` on the decimals they print as (two integers: directly, an integer)."""
    if a.__class__ is float or b.__class__ is float:
        return float(_exact(a) + _exact(b))
    return a + b


def minus(a: Any, b: Any) -> Any:
    """``a - b`` on the decimals they print as (two integers: directly, an integer)."""
    if a.__class__ is float or b.__class__ is float:
        return float(_exact(a) - _exact(b))
    return a - b


def _multiply(a: Any, b: Any, kit: Kit) -> Any:
    if a.__class__ is float or b.__class__ is float:
        return float(_exact(a) * _exact(b))
    return a * b


def _divide(a: Any, b: Any, kit: Kit) -> Any:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(Fraction(_exact(a)) / Fraction(_exact(b)))  # the checker proved b is never 0
    return a / b


def _round(x: Any, digits: Any, kit: Kit) -> Any:
    """Half away from zero to ``digits`` decimals (an integer constant, 0 to 6)."""
    scale = 10 ** int(kit.constant(digits))
    if isinstance(x, int | float):
        exact = Fraction(_exact(x)) * scale
        whole = math.floor(abs(exact) + Fraction(1, 2))
        rounded = Fraction(whole if exact >= 0 else -whole, scale)
        return int(rounded) if x.__class__ is int else float(rounded)
    up = kit.floor((x * (2 * scale) + 1) / 2)
    down = -kit.floor((x * (-2 * scale) + 1) / 2)
    return kit.choose(x >= 0, up, down) / scale


def _lower(a: Any, b: Any, kit: Kit) -> Any:
    return kit.choose(a <= b, a, b)


def _higher(a: Any, b: Any, kit: Kit) -> Any:
    return kit.choose(a >= b, a, b)


def _plain(function: Callable[[Any, Any], Any]) -> Callable[[Any, Any, Kit], Any]:
    def formula(a: Any, b: Any, kit: Kit) -> Any:
        return function(a, b)

    return formula


@record
class Operator:
    """One binary operator and everything a stage needs to know about it."""

    symbol: str  # as written in the source, and the graph's "op"
    family: Family
    strength: int  # COMPARE, SUM or PRODUCT
    left_needs: int  # the binding strength its left operand needs without parentheses
    right_needs: int  # ... and its right operand
    unit_rule: UnitRule
    formula: Callable[[Any, Any, Kit], Any]  # on known values, with a stage's Kit
    sign: str  # in the flowchart and the generated suite's names: "≤", "×"
    words: str  # in prose: "is at most", "times"; a function's phrase: "the lower of {left} and {right}"
    python: str  # the Python target's spelling: an infix symbol, or a prelude function (`_times`)
    sql: str  # the SQL target's spelling (standard SQL, as sqlglot writes it)
    negation: str | None = None  # comparisons: the operator of ``not (a op b)``
    mirror: str | None = None  # comparisons: ``b mirror a`` means ``a op b``
    mutants: tuple[str, ...] = ()  # comparisons: what mutation testing flips it to
    equality: bool = False  # comparisons: also compares members and booleans
    numbers_only: bool = True  # operands must be numbers
    keeps_integers: bool = True  # arithmetic: integer operands give an integer
    real: bool = False  # z3 computes it on reals (an integer operand is converted first)
    # computes on the decimals its operands print as (the SQL target casts to DECIMAL; an
    # operator that keeps integers computes two integers directly, in BIGINT)
    decimal: bool = False

    @property
    def apply(self) -> Callable[[Any, Any], Any]:
        """The formula on Python values (numbers, members, booleans)."""
        formula = self.formula
        plain = _PLAIN.get(self.symbol)
        if plain is not None:
            return plain
        return lambda a, b: formula(a, b, PYTHON)


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
        _plain(apply),
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
    symbol: str,
    strength: int,
    unit_rule: UnitRule,
    formula: Callable[[Any, Any, Kit], Any],
    sign: str,
    words: str,
    keeps_integers: bool = True,
    real: bool = False,
    python: str | None = None,
) -> Operator:
    return Operator(
        symbol,
        "arithmetic",
        strength,
        strength,
        strength + 1,
        unit_rule,
        formula,
        sign,
        words,
        python or symbol,
        symbol,
        keeps_integers=keeps_integers,
        real=real,
        decimal=python is not None,
    )


def _function(
    name: str, unit_rule: UnitRule, formula: Callable[[Any, Any, Kit], Any], words: str, sql: str, real: bool
) -> Operator:
    return Operator(
        name,
        "function",
        POSTFIX,
        OPEN,
        OPEN,
        unit_rule,
        formula,
        name,
        words,
        f"_{name}",
        sql,
        keeps_integers=name != "round",
        real=real,
        decimal=name == "round",
    )


_PLAIN: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "+": plus,
    "-": minus,
}


BINARY: dict[str, Operator] = {
    op.symbol: op
    for op in (
        _comparison("<", operator.lt, "<", "is below", ">=", ">", ("<=", ">=")),
        _comparison("<=", operator.le, "≤", "is at most", ">", ">=", ("<", ">")),
        _comparison(">", operator.gt, ">", "is above", "<=", "<", (">=", "<=")),
        _comparison(">=", operator.ge, "≥", "is at least", "<", "<=", (">", "<")),
        _comparison("==", operator.eq, "=", "equals", "!=", "==", ("!=",), sql="="),
        _comparison("!=", operator.ne, "≠", "differs from", "==", "!=", ("==",), sql="<>"),
        _arithmetic("+", SUM, "same", _plain(plus), "+", "plus", python="_plus"),
        _arithmetic("-", SUM, "same", _plain(minus), "−", "minus", python="_minus"),
        _arithmetic("*", PRODUCT, "product", _multiply, "×", "times", python="_times"),
        _arithmetic("/", PRODUCT, "quotient", _divide, "÷", "divided by", False, real=True, python="_divide"),
        _function("round", "left", _round, "{left} rounded to {right} decimals", "ROUND", real=True),
        _function("min", "same", _lower, "the lower of {left} and {right}", "LEAST", real=False),
        _function("max", "same", _higher, "the higher of {left} and {right}", "GREATEST", real=False),
    )
}
COMPARISONS: tuple[str, ...] = tuple(op.symbol for op in BINARY.values() if op.family == "comparison")
ARITHMETIC: tuple[str, ...] = tuple(op.symbol for op in BINARY.values() if op.family != "comparison")
INFIX_ARITHMETIC: tuple[str, ...] = tuple(op.symbol for op in BINARY.values() if op.family == "arithmetic")
FUNCTIONS: tuple[str, ...] = tuple(op.symbol for op in BINARY.values() if op.family == "function")


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
        case "arithmetic" | "function":
            return "number"
        case unreachable:
            assert_never(unreachable)


def result_unit(op: Operator, left: str | None, right: str | None) -> tuple[str | None, str | None]:
    """``(unit, problem)``: the unit of ``left op right`` from its operands' units
    (canonical spellings, None for a plain number), or why they do not combine."""
    match op.unit_rule:
        case "same" | "compare":
            if left is not None and right is not None and not unit_algebra.same(left, right):
                return None, f"units differ: {left} and {right}"
            unit = left or right
            return (None if op.unit_rule == "compare" else unit), None
        case "product":
            return unit_algebra.product(left, right), None
        case "quotient":
            return unit_algebra.quotient(left, right), None
        case "left":
            if right is not None:
                return None, f"the number of decimals is a plain number, not {right}"
            return left, None
        case unreachable:
            assert_never(unreachable)
