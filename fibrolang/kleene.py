"""Kleene's ``and`` and ``or`` as closures over compiled operands.

``kleene(operands, decisive)`` is ``and`` when the decisive value is False and
``or`` when it is True: the first decisive operand decides; otherwise the
result is unknown, naming the absent facts of every unknown operand, if any
operand is unknown (docs/graph-format.md, "Missing data"). Two, three and four
operands get a closure without a loop, the commonest cases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fibrolang.values import Context, Unknown, merge_unknown

Evaluator = Callable[[Context], Any]


def merge_unknowns(*values: Any) -> Any:
    """The unknown of an ``and``/``or`` none of whose operands was decisive (some unknown)."""
    unknowns = [value for value in values if value.__class__ is Unknown]
    return unknowns[0] if len(unknowns) == 1 else merge_unknown(*unknowns)


def kleene(operands: list[Evaluator], decisive: bool, unroll: bool = True) -> Evaluator:
    """``and`` (decisive value False) or ``or`` (decisive value True), Kleene style.

    Two, three and four operands (unless not ``unroll``) get a closure without a loop.
    """
    if len(operands) == 2:
        first, second = operands

        def both(context: Context) -> Any:
            a = first(context)
            if a is decisive:
                return a
            b = second(context)
            if b is decisive or (a is not decisive and a.__class__ is not Unknown):
                return b
            if b.__class__ is Unknown:
                return merge_unknown(a, b)
            return a

        return both

    if len(operands) == 3 and unroll:
        first, second, third = operands

        def three(context: Context) -> Any:
            a = first(context)
            if a is decisive:
                return a
            b = second(context)
            if b is decisive:
                return b
            c = third(context)
            if c is decisive:
                return c
            if a.__class__ is Unknown or b.__class__ is Unknown or c.__class__ is Unknown:
                return merge_unknowns(a, b, c)
            return not decisive

        return three

    if len(operands) == 4 and unroll:
        first, second, third, fourth = operands

        def four(context: Context) -> Any:
            a = first(context)
            if a is decisive:
                return a
            b = second(context)
            if b is decisive:
                return b
            c = third(context)
            if c is decisive:
                return c
            d = fourth(context)
            if d is decisive:
                return d
            if (
                a.__class__ is Unknown
                or b.__class__ is Unknown
                or c.__class__ is Unknown
                or d.__class__ is Unknown
            ):
                return merge_unknowns(a, b, c, d)
            return not decisive

        return four

    def every(context: Context) -> Any:
        unknown = None
        for operand in operands:
            value = operand(context)
            if value is decisive:
                return value
            if value.__class__ is Unknown:
                unknown = value if unknown is None else merge_unknown(unknown, value)
        return (not decisive) if unknown is None else unknown

    return every
