"""Walking and showing the expressions of a guideline's syntax tree, for the checker's passes."""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterator
from typing import Any

from compiler.format.layout import quote
from compiler.front import syntax as s
from fibrolang.operators import FUNCTIONS


def children(expr: s.Expr) -> tuple[s.Expr, ...]:
    """The sub-expressions of an expression, in source order."""
    return _CHILDREN.get(type(expr), _none)(expr)


def _none(expr: object) -> tuple[s.Expr, ...]:
    return ()


def _quantifier(expr: s.Quantifier) -> tuple[s.Expr, ...]:
    return (expr.collection,) if expr.body is None else (expr.collection, expr.body)


def _set_literal(expr: s.SetLiteral) -> tuple[s.Expr, ...]:
    return tuple(c for c in expr.conditions if c is not None)


def _table(expr: s.Table) -> tuple[s.Expr, ...]:
    if expr.chain is None:
        return ()
    return (*expr.keys, expr.chain, *expr.implied)  # checked as its `if` chain (front/tables.py)


# Each kind of expression (every member of ``s.Expr``, tests/check/test_walk.py) and how to
# read its sub-expressions: one dictionary look-up (the checker's passes walk every
# expression many times); anything else has none.
_CHILDREN: dict[type, Callable[[Any], tuple[s.Expr, ...]]] = {
    s.Entry: operator.attrgetter("map", "key"),
    s.Field: lambda expr: (expr.record,),
    s.Membership: operator.attrgetter("element", "collection"),
    s.Comparison: operator.attrgetter("left", "right"),
    s.Arithmetic: operator.attrgetter("left", "right"),
    s.Between: operator.attrgetter("value", "low", "high"),
    s.Negative: lambda expr: (expr.operand,),
    s.Not: lambda expr: (expr.operand,),
    s.PointsOf: lambda expr: (expr.operand,),
    s.Elapsed: operator.attrgetter("start", "end"),
    s.And: operator.attrgetter("operands"),
    s.Or: operator.attrgetter("operands"),
    s.Conditional: operator.attrgetter("condition", "then", "otherwise"),
    s.Quantifier: _quantifier,
    s.CountTrue: operator.attrgetter("conditions"),
    s.SetLiteral: _set_literal,
    s.Table: _table,
    s.BooleanLiteral: _none,
    s.NumberLiteral: _none,
    s.Reference: _none,
    s.PlanQuery: _none,
    s.Unset: _none,
    s.TextLiteral: _none,
    s.Call: _none,
}


def walk(expr: s.Expr) -> Iterator[s.Expr]:
    """Every node of an expression, parents before children, in source order."""
    if _remembered is None:
        return _walk(expr)
    known = _remembered.get(id(expr))
    if known is None or known[0] is not expr:
        known = _remembered[id(expr)] = (expr, tuple(_walk(expr)))
    return iter(known[1])


def _walk(expr: s.Expr) -> Iterator[s.Expr]:
    stack = [expr]
    pop, extend, read = stack.pop, stack.extend, _CHILDREN.get
    while stack:
        node = pop()
        yield node
        below = read(type(node), _none)(node)
        if below:
            extend(reversed(below))


# While the checker runs (``walks_remembered``), each expression's walk, by the expression's
# identity (the expression is held with it, so its id is not reused): the passes walk the
# same expressions a dozen times. Forgotten when the checker is done.
_remembered: dict[int, tuple[s.Expr, tuple[s.Expr, ...]]] | None = None


@contextlib.contextmanager
def walks_remembered() -> Iterator[None]:
    """Remember every walk made inside the ``with`` block (syntax trees never change)."""
    global _remembered
    outer = _remembered
    _remembered = {} if outer is None else outer
    try:
        yield
    finally:
        _remembered = outer


def show(expr: s.Expr, limit: int = 40) -> str:
    """A short rendering of an expression for messages ("this expression" if long)."""
    text = _render(expr)
    return text if text is not None and len(text) <= limit else "this expression"


def _render(expr: s.Expr) -> str | None:
    if isinstance(expr, s.Reference):
        return expr.name.text
    if isinstance(expr, s.NumberLiteral):
        return quantity_text(expr.quantity)
    if isinstance(expr, s.BooleanLiteral):
        return "true" if expr.value else "false"
    if isinstance(expr, s.Unset):
        return "unset"
    if isinstance(expr, s.TextLiteral):
        return quote(expr.value)  # the one spelling of a text literal
    if isinstance(expr, s.Field):
        inner = _render(expr.record)
        return f"{inner}.{expr.name.text}" if inner is not None else None
    if isinstance(expr, s.Entry):
        inner, key = _render(expr.map), _render(expr.key)
        return f"{inner}[{key}]" if inner is not None and key is not None else None
    if isinstance(expr, s.Negative):
        inner = _render(expr.operand)
        return f"-{inner}" if inner is not None else None
    if isinstance(expr, s.Arithmetic):
        left, right = _render(expr.left), _render(expr.right)
        if left is None or right is None:
            return None
        if expr.operator == "max" and isinstance(expr.right, s.Negative) and expr.right.operand == expr.left:
            return f"abs({left})"
        if expr.operator in FUNCTIONS:
            return f"{expr.operator}({left}, {right})"
        return f"{left} {expr.operator} {right}"
    if isinstance(expr, s.SetLiteral):
        return "{" + ", ".join(m.text for m in expr.members) + "}"
    if isinstance(expr, s.PlanQuery) and expr.kind == "dose" and expr.subject is not None:
        return f"dose of {expr.subject.text}"
    if isinstance(expr, s.PointsOf):
        inner = _render(expr.operand)
        return f"points of {inner}" if inner is not None else None
    if isinstance(expr, s.Elapsed):
        start, end = _render(expr.start), _render(expr.end)
        return f"{expr.unit.text} from {start} to {end}" if start is not None and end is not None else None
    return None


def quantity_text(quantity: s.Quantity) -> str:
    value = str(quantity.value)
    return f"{value} {quantity.unit.text}" if quantity.unit is not None else value
