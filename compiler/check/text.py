"""Texts are shown, never reasoned on (FIB147).

A text literal (``"Refer to nephrology"``) is a value an output shows: a cell of
a lookup table, an arm of an ``if`` chain, an output, or a definition that is
part of one. Nothing may read a text to decide something: not a condition
(``if``, ``when``, a safety rule, ``and``/``or``/``not``), not a comparison
(``==``, ``is``, ``<``), not arithmetic, ``between``, ``in``, a quantifier or a
table's key. What a text says is for a clinician to read; a decision rests on
the values it was chosen by (the table's keys) or on an enumeration, whose
members the checker, the proofs and the generated tests can all enumerate.

The types pass leaves every text operand to this pass (``types._known``), so a
reading is reported once, here.
"""

from __future__ import annotations

from compiler.check.context import Context
from compiler.check.expressions import children, show, walk
from compiler.check.model import Text
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s

HINT = (
    "a text is shown, never tested: compare the table's keys (the values the text was chosen by), "
    "or use an enumeration"
)


def check_text(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    model = context.model
    found: list[Diagnostic] = []
    reported: set[int] = set()  # a table's key is read again by each heading's condition
    for root in model.roots:
        whole = root.expression
        if root.role == "condition" and isinstance(model.type_of(whole), Text):
            found.append(_reading(whole, f"{root.what} must be true or false, but `{show(whole)}` is a text"))
        for node in walk(whole):
            operand = next((o for o in _read(node) if isinstance(model.type_of(o), Text)), None)
            if operand is not None and id(operand) not in reported:  # one report, at the first text operand
                reported.add(id(operand))
                found.append(_reading(operand, f"{_reader(node)} reads `{show(operand)}`, which is a text"))
    return found


def _read(node: s.Expr) -> tuple[s.Expr, ...]:
    """The operands a node reasons on: all but the values an ``if`` (or a table) chooses."""
    if isinstance(node, s.Conditional):
        return (node.condition,)
    if isinstance(node, s.Table):
        return (*node.keys, *node.implied)
    return children(node)


def _reader(node: s.Expr) -> str:
    """The operator that reads an operand, in the author's words."""
    if isinstance(node, s.Conditional):
        return "the condition of `if`"
    if isinstance(node, s.Table):
        return "the table's key"
    if isinstance(node, s.Comparison | s.Arithmetic):
        return f"`{node.operator}`"
    if isinstance(node, s.Quantifier):
        return f"`{node.kind}`"
    words = {
        s.Not: "`not`",
        s.And: "`and`",
        s.Or: "`or`",
        s.Between: "`between`",
        s.Membership: "`in`",
        s.Negative: "`-`",
        s.Entry: "`[...]`",
        s.Field: "a field",
        s.CountTrue: "`count of (...)`",
        s.SetLiteral: "a member's `when`",
        s.PointsOf: "`points of`",
        s.Elapsed: "`from ... to ...`",
    }
    return words.get(type(node), "this expression")


def _reading(operand: s.Expr, what: str) -> Diagnostic:
    return diag.make(
        "FIB147",
        f"{what}: a text is shown, never reasoned on",
        operand.span,
        hint=HINT,
    )
