"""The parts of a typed expression, each with where it stands, and walks over them.

``parts(expr)`` lists the sub-expressions of one expression, each with its *step*:
the keys (and list positions) that lead to it in the graph JSON (``("left",)``,
``("operands", 2)``), in the order of the JSON file's sorted keys. So a walk over the
typed expression meets the parts in the order a walk over the canonical JSON met
them, and a path of steps names one place in an expression (``replaced``) as the
JSON path did. The toolchain's expression walkers (the analysis, the test
generator, the review) go through here rather than each matching every kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

from fibrolang import expressions as ex

Step = tuple[str | int, ...]
"""The JSON keys and list positions from an expression to one of its parts."""


def parts(expr: ex.Expression) -> tuple[tuple[Step, ex.Expression], ...]:
    """The direct sub-expressions of ``expr`` with their steps, in sorted-key order."""
    match expr:
        case ex.Comparison(left=left, right=right) | ex.Arithmetic(left=left, right=right):
            return (("left",), left), (("right",), right)
        case ex.Conjunction(operands=operands) | ex.Disjunction(operands=operands):
            return tuple((("operands", index), operand) for index, operand in enumerate(operands))
        case ex.CountTrue(operands=operands):
            return tuple((("operands", index), operand) for index, operand in enumerate(operands))
        case ex.Negation(operand=operand) | ex.UnaryMinus(operand=operand):
            return ((("operand",), operand),)
        case ex.Conditional():
            return (("condition",), expr.condition), (("else",), expr.otherwise), (("then",), expr.then)
        case ex.Quantifier(over=over, where=where):
            return ((("over",), over),) if where is None else ((("over",), over), (("where",), where))
        case ex.Sum(over=over, body=body):
            return (("body",), body), (("over",), over)
        case ex.Entry(map=map_, key=key):
            return (("key",), key), (("map",), map_)
        case ex.Field(record=record):
            return ((("record",), record),)
        case ex.Membership(element=element, collection=collection):
            return (("collection",), collection), (("element",), element)
        case ex.SelectedSet(conditions=conditions):
            return tuple((("when", index), condition) for index, condition in enumerate(conditions))
        case ex.Elapsed(start=start, end=end):
            return (("from",), start), (("to",), end)
        case _:
            return ()


def subexpressions(expr: ex.Expression) -> Iterator[ex.Expression]:
    """``expr`` and every expression inside it, depth first, parts in sorted-key order."""
    stack = [expr]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(part for _, part in reversed(parts(current)))


def replaced(expr: ex.Expression, path: Step, new: ex.Expression) -> ex.Expression:
    """``expr`` with the part at ``path`` (steps, as ``parts`` gives them) replaced by ``new``."""
    if not path:
        return new
    for step, part in parts(expr):
        if path[: len(step)] == step:
            return _with_part(expr, step, replaced(part, path[len(step) :], new))
    raise KeyError(f"no part at {path!r}")


_FIELDS = {"left": "left", "right": "right", "operand": "operand", "condition": "condition"}
_FIELDS |= {"then": "then", "else": "otherwise", "over": "over", "where": "where", "body": "body"}
_FIELDS |= {"key": "key", "map": "map", "record": "record", "collection": "collection"}
_FIELDS |= {"element": "element", "from": "start", "to": "end"}


def _with_part(expr: ex.Expression, step: Step, new: ex.Expression) -> ex.Expression:
    key = step[0]
    assert isinstance(key, str)
    if len(step) == 2:
        index = step[1]
        field = "conditions" if key == "when" else "operands"
        items = list(getattr(expr, field))
        items[index] = new  # type: ignore[index]
        changed: ex.Expression = replace(cast(Any, expr), **{field: tuple(items)})
        return changed
    result: ex.Expression = replace(cast(Any, expr), **{_FIELDS[key]: new})
    return result


def mentions(expr: ex.Expression, kinds: type | tuple[type, ...]) -> bool:
    """Whether ``expr`` or any expression inside it is of one of ``kinds``."""
    return any(isinstance(inner, kinds) for inner in subexpressions(expr))


def inline(expr: ex.Expression, definitions: dict[str, ex.Expression]) -> ex.Expression:
    """``expr`` with every reference to one of ``definitions`` replaced by its (inlined) expression."""
    if isinstance(expr, ex.DefinitionReference) and expr.name in definitions:
        return inline(definitions[expr.name], definitions)
    result = expr
    for step, part in parts(expr):
        new = inline(part, definitions)
        if new is not part:
            result = _with_part(result, step, new)
    return result
