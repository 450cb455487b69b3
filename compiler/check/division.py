"""Division: a divisor must be shown never to be zero (FIB146).

The proof is interval arithmetic over what the guideline declares: a
constant, an input's declared range (``decimal 50 to 250 cm`` never holds
0), and definitions built from them with ``+ - * /``, ``round``, ``min``,
``max``, unary minus and ``if`` (both branches). A divisor whose interval
contains 0, or which reads something without a declared range, is an error:
the runtime would otherwise have to divide by zero for some patient. Units
do not matter here (a range is in the input's own unit and conversions are
by positive factors).
"""

from __future__ import annotations

from fractions import Fraction

from compiler.check.context import Context
from compiler.check.expressions import show, walk
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s

Interval = tuple[Fraction, Fraction]


def check_division(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    intervals = _Intervals(guideline)
    found: list[Diagnostic] = []
    for root in context.model.roots:
        for node in walk(root.expression):
            if isinstance(node, s.Arithmetic) and node.operator == "/":
                found += _divisor(node, intervals)
    return found


def _divisor(node: s.Arithmetic, intervals: _Intervals) -> list[Diagnostic]:
    interval = intervals.of(node.right)
    if interval is not None and (interval[0] > 0 or interval[1] < 0):
        return []
    divisor = show(node.right)
    if interval is None:
        why = f"`{divisor}` reads a value without a declared range, so it may be zero"
    else:
        why = f"`{divisor}` may be zero: it lies between {_decimal(interval[0])} and {_decimal(interval[1])}"
    return [
        diag.make(
            "FIB146",
            f"`{show(node)}` divides by a value that may be zero: {why}",
            node.right.span,
            hint="declare the input's range so that it excludes zero (e.g. `decimal 50 to 250 cm`), "
            "or divide by a constant",
        )
    ]


def _decimal(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):g}"


class _Intervals:
    """The interval each expression's value lies in, from declared ranges and constants."""

    def __init__(self, guideline: s.Guideline) -> None:
        self.inputs: dict[str, Interval] = {}
        self.definitions: dict[str, s.Expr] = {}
        for declaration in guideline.declarations:
            if isinstance(declaration, s.Input) and isinstance(declaration.type, s.NumberType):
                low, high = declaration.type.low, declaration.type.high
                if low is not None and high is not None:
                    self.inputs[declaration.name.text] = (Fraction(low), Fraction(high))
            elif isinstance(declaration, s.Definition):
                self.definitions[declaration.name.text] = declaration.expression
        self.visiting: set[str] = set()

    def of(self, expr: s.Expr) -> Interval | None:
        if isinstance(expr, s.NumberLiteral):
            value = Fraction(expr.quantity.value)
            return value, value
        if isinstance(expr, s.Reference):
            return self.reference(expr.name.text)
        if isinstance(expr, s.Negative):
            inner = self.of(expr.operand)
            return None if inner is None else (-inner[1], -inner[0])
        if isinstance(expr, s.Conditional):
            then, otherwise = self.of(expr.then), self.of(expr.otherwise)
            if then is None or otherwise is None:
                return None
            return min(then[0], otherwise[0]), max(then[1], otherwise[1])
        if isinstance(expr, s.Arithmetic):
            return self.arithmetic(expr)
        return None

    def reference(self, name: str) -> Interval | None:
        if name in self.inputs:
            return self.inputs[name]
        expression = self.definitions.get(name)
        if expression is None or name in self.visiting:
            return None
        self.visiting.add(name)
        try:
            return self.of(expression)
        finally:
            self.visiting.discard(name)

    def arithmetic(self, expr: s.Arithmetic) -> Interval | None:
        left, right = self.of(expr.left), self.of(expr.right)
        if left is None or right is None:
            return None
        (a, b), (c, d) = left, right
        match expr.operator:
            case "+":
                return a + c, b + d
            case "-":
                return a - d, b - c
            case "*":
                products = (a * c, a * d, b * c, b * d)
                return min(products), max(products)
            case "/":
                if c <= 0 <= d:
                    return None
                quotients = (a / c, a / d, b / c, b / d)
                return min(quotients), max(quotients)
            case "round":
                half = Fraction(1, 2 * 10 ** int(c))
                return a - half, b + half
            case "min":
                return min(a, c), min(b, d)
            case "max":
                return max(a, c), max(b, d)
        return None
