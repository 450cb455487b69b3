"""Ordinal scores: ``points of X`` reads the points of an ordinal's band (FIB160).

An ``ordinal`` is an enumeration whose members (bands) each carry their
points; ``points of X`` is only meaningful when ``X`` is a member of one.
An operand that is already wrong (type ``Unknown``) is not reported again.
"""

from __future__ import annotations

from compiler.check.context import Context
from compiler.check.expressions import show, walk
from compiler.check.model import Member, Text, Unknown, describe
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s


def check_ordinals(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    model = context.model
    ordinals = sorted(name for name, enum in model.symbols.enums.items() if enum.ordinal)
    found: list[Diagnostic] = []
    for root in model.roots:
        for node in walk(root.expression):
            if not isinstance(node, s.PointsOf):
                continue
            operand = model.type_of(node.operand)
            if isinstance(operand, Unknown | Text):  # a text: compiler/check/text.py (FIB147)
                continue
            declared = model.symbols.enums.get(operand.enum) if isinstance(operand, Member) else None
            if declared is not None and declared.ordinal:
                continue
            hint = (
                'declare the bands with their points: `ordinal NAME { band "label" points 3, ... }`'
                if not ordinals
                else "`points of` takes a band of " + ", ".join(f"`{name}`" for name in ordinals)
            )
            found.append(
                diag.make(
                    "FIB160",
                    f"`points of` needs a band of an ordinal, "
                    f"but `{show(node.operand)}` is {describe(operand)}",
                    node.span,
                    hint=hint,
                )
            )
    return found
