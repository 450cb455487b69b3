"""Walking and showing the expressions of a guideline's syntax tree, for the checker's passes."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.format.layout import quote
from compiler.front import syntax as s
from fibrolang.operators import FUNCTIONS


def children(expr: s.Expr) -> tuple[s.Expr, ...]:
    """The sub-expressions of an expression, in source order."""
    if isinstance(expr, s.Entry):
        return (expr.map, expr.key)
    if isinstance(expr, s.Field):
        return (expr.record,)
    if isinstance(expr, s.Membership):
        return (expr.element, expr.collection)
    if isinstance(expr, s.Comparison | s.Arithmetic):
        return (expr.left, expr.right)
    if isinstance(expr, s.Between):
        return (expr.value, expr.low, expr.high)
    if isinstance(expr, s.Negative | s.Not | s.PointsOf):
        return (expr.operand,)
    if isinstance(expr, s.Elapsed):
        return (expr.start, expr.end)
    if isinstance(expr, s.And | s.Or):
        return expr.operands
    if isinstance(expr, s.Conditional):
        return (expr.condition, expr.then, expr.otherwise)
    if isinstance(expr, s.Quantifier):
        return (expr.collection,) if expr.body is None else (expr.collection, expr.body)
    if isinstance(expr, s.CountTrue):
        return expr.conditions
    if isinstance(expr, s.SetLiteral):
        return tuple(c for c in expr.conditions if c is not None)
    if isinstance(expr, s.Table) and expr.chain is not None:
        return (*expr.keys, expr.chain, *expr.implied)  # checked as its `if` chain (front/tables.py)
    return ()


def walk(expr: s.Expr) -> Iterator[s.Expr]:
    """Every node of an expression, parents before children, in source order."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


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
