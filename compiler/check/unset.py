"""Outputs that may be unset: where ``unset`` may stand, and who may read such an output.

``unset`` stands only in an output, as a value it chooses: an arm of its
``if ... then ... else`` chain or a cell of its lookup table. Nothing may read
an output that may be unset (a guard, a definition, a safety rule): the
guideline would have to say what that reading means when there is no value.
An unset output is left out of the result (docs/result-format.md); the
runtime checks the same rules when it loads a graph (fibrolang/unset.py).

FIB144 for every breach.
"""

from __future__ import annotations

from compiler.check.context import Context
from compiler.check.expressions import walk
from compiler.check.model import Boolean, Member, Number, Text
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s


def check_unset(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    may_be_unset: set[str] = set()
    for root in context.model.roots:
        expression = root.expression
        if root.role != "output":
            found += [_misplaced(u, "only an output may be unset") for u in _unsets(expression)]
            continue
        if isinstance(expression, s.Unset):
            found.append(_misplaced(expression, "an output that is always unset gives nothing"))
            continue
        misplaced, arms = _spine(expression)
        found += [_misplaced(u, "`unset` stands only as a value the output chooses") for u in misplaced]
        if arms and root.definition is not None:
            may_be_unset.add(root.definition.name.text)
            kind = context.model.type_of(expression)
            if not isinstance(kind, Number | Member | Boolean | Text) and not misplaced:
                found.append(
                    _misplaced(
                        arms[0], "an output that may be unset is a number, a member, a condition or a text"
                    )
                )
    for root in context.model.roots:
        for node in walk(root.expression):
            if isinstance(node, s.Reference) and node.name.text in may_be_unset:
                found.append(
                    diag.make(
                        "FIB144",
                        f"`{node.name.text}` may be unset, so nothing may read it",
                        node.span,
                        hint="read the values it is computed from instead, or give it a value in every case",
                    )
                )
    return found


def _spine(expr: s.Expr) -> tuple[list[s.Unset], list[s.Unset]]:
    """The ``unset`` nodes out of place, and those that are arms of the output's chain."""
    if isinstance(expr, s.Unset):
        return [], [expr]
    if isinstance(expr, s.Conditional):
        misplaced = _unsets(expr.condition)
        then_misplaced, then_arms = _spine(expr.then)
        else_misplaced, else_arms = _spine(expr.otherwise)
        return misplaced + then_misplaced + else_misplaced, then_arms + else_arms
    if isinstance(expr, s.Table) and expr.chain is not None:
        misplaced = [u for key in expr.keys for u in _unsets(key)]
        chain_misplaced, arms = _spine(expr.chain)
        return misplaced + chain_misplaced, arms
    return _unsets(expr), []


def _unsets(expr: s.Expr) -> list[s.Unset]:
    return [node for node in walk(expr) if isinstance(node, s.Unset)]


def _misplaced(node: s.Unset, message: str) -> Diagnostic:
    return diag.make(
        "FIB144",
        message,
        node.span,
        hint="write `output x = if <condition> then <value> else unset`, or `unset` in a table cell",
    )
