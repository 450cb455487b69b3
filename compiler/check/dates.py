"""Dates and durations (FIB170-FIB172): a date is compared only with a date, and
``years from a to b`` counts whole years, months, weeks or days between two dates.

A comparison or duration whose operand is already wrong (type ``Unknown``) is not
reported again; ``+``, ``-``, ``*`` and ``between`` on a date are the types pass's
FIB103 ("needs numbers, but ... is a date").
"""

from __future__ import annotations

from compiler.check import unit_catalogue as units
from compiler.check.context import Context
from compiler.check.expressions import show, walk
from compiler.check.model import Date, Model, Text, Unknown, describe
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s

ELAPSED_UNITS = ("years", "months", "weeks", "days")
"""The units ``X from a to b`` counts in (canonical spellings; ``year`` ... are aliases)."""


def check_dates(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    model = context.model
    found: list[Diagnostic] = []
    for root in model.roots:
        for node in walk(root.expression):
            if isinstance(node, s.Comparison) and node.operator not in ("is", "is not"):
                found += _comparison(node, model)
            elif isinstance(node, s.Elapsed):
                found += _elapsed(node, model)
    return found


def _comparison(node: s.Comparison, model: Model) -> list[Diagnostic]:
    left, right = model.type_of(node.left), model.type_of(node.right)
    if isinstance(left, Unknown | Text) or isinstance(right, Unknown | Text):  # text: FIB147
        return []
    if isinstance(left, Date) == isinstance(right, Date):
        return []
    date, other = (node.left, node.right) if isinstance(left, Date) else (node.right, node.left)
    return [
        diag.make(
            "FIB170",
            f"`{show(date)}` is a date but `{show(other)}` is {describe(model.type_of(other))}, "
            "so they cannot be compared",
            node.span,
            hint="compare a date with another date (`start_date <= assessment_date`), or the time "
            "between two dates with a duration (`years from birth_date to assessment_date >= 18 years`)",
        )
    ]


def _elapsed(node: s.Elapsed, model: Model) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    unit = units.canonical(node.unit.text, model.symbols.units)
    if unit not in ELAPSED_UNITS:
        found.append(
            diag.make(
                "FIB172",
                f"`{node.unit.text} from ... to ...` counts an unknown unit of time",
                node.unit.span,
                hint="write `years`, `months`, `weeks` or `days` from one date to another",
            )
        )
    for operand in (node.start, node.end):
        type_ = model.type_of(operand)
        if not isinstance(type_, Date | Unknown | Text):  # text: FIB147
            found.append(
                diag.make(
                    "FIB171",
                    f"`{node.unit.text} from ... to ...` counts the time between two dates, "
                    f"but `{show(operand)}` is {describe(type_)}",
                    operand.span,
                    hint="declare the input as a date (`input start_date: date`)",
                )
            )
    return found
