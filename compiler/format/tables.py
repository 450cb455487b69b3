"""`fibrolang fmt` for lookup tables: one row per line, the columns aligned.

    output progression "Risk of progression" = table by gfr_stage, albuminuria
      |     | a1       | a2        |
      | g1  | low      | moderate  |
      | g3a | moderate | high      |
      otherwise very_high
    end

A table nested inside another expression is written on one line (the grammar
ignores line breaks; the rows stay framed by `|`).
"""

from __future__ import annotations

from compiler.check.expressions import walk
from compiler.format.layout import POSTFIX, expression, number, quantity
from compiler.front import syntax as s


def head(table: s.Table) -> str:
    """``table by k1, k2``."""
    keys = ", ".join(_flat(expression(key, POSTFIX)) for key in table.keys)  # `by` takes a postfix
    return f"table by {keys}"


def tail_table(expr: s.Expr) -> tuple[str, s.Table] | None:
    """An expression that ends with a table (``if hypercapnic then unset else table by
    spo2 ... end``): the text before the table, and the table; None for any other."""
    if isinstance(expr, s.Table):
        return "", expr
    if isinstance(expr, s.Conditional):
        inner = tail_table(expr.otherwise)
        if inner is None or _has_table(expr.condition) or _has_table(expr.then):
            return None
        before = f"if {_flat(expression(expr.condition))} then {_flat(expression(expr.then))} else "
        return before + inner[0], inner[1]
    return None


def _has_table(expr: s.Expr) -> bool:
    return any(isinstance(node, s.Table) for node in walk(expr))  # not its text: a text may say "table by"


def grid(table: s.Table) -> list[tuple[str, s.Span]]:
    """The rows, aligned, each with the span it came from (for comment anchors);
    the header row first for a table by two keys, then ``otherwise``."""
    rows: list[tuple[list[str], s.Span]] = []
    if table.columns:
        rows.append(([""] + [heading(column) for column in table.columns], table.columns[0].span))
    for row in table.rows:
        rows.append(([heading(row.key)] + [cell(value) for value in row.cells], row.span))
    width = max(len(texts) for texts, _ in rows)
    widths = [max((len(texts[i]) for texts, _ in rows if i < len(texts)), default=0) for i in range(width)]
    lines = []
    for texts, span in rows:
        padded = [text.ljust(widths[i]) for i, text in enumerate(texts)]
        lines.append(("| " + " | ".join(padded) + " |", span))
    if table.otherwise is not None:
        lines.append((f"otherwise {cell(table.otherwise)}", table.otherwise.span))
    return lines


def one_line(table: s.Table) -> str:
    """The whole table on one line."""
    rows = " ".join(text for text, _ in grid(table))
    return f"{head(table)} {rows} end"


def heading(key: s.TableKey) -> str:
    if key.member is not None:
        return key.member.text
    low, high = key.low, key.high
    if low is not None and high is not None:
        if low == high and key.low_included and key.high_included:
            return quantity(low)
        shared = low.unit is not None and high.unit is not None and low.unit.text == high.unit.text
        start = number(low.value) if shared else quantity(low)  # `60 to < 90 mL/min`: one unit for both
        return f"{start} to {'' if key.high_included else '< '}{quantity(high)}"
    if low is not None:
        return f"{'>=' if key.low_included else '>'} {quantity(low)}"
    if high is not None:
        return f"{'<=' if key.high_included else '<'} {quantity(high)}"
    return ""


def cell(value: s.Expr) -> str:
    return _flat(expression(value))


def _flat(doc: object) -> str:
    from compiler.format.doc import Concat, Group, Nest

    if isinstance(doc, str):
        return doc
    if isinstance(doc, Concat):
        return "".join(_flat(part) for part in doc.parts)
    if isinstance(doc, Nest | Group):
        return _flat(doc.doc)
    return " " if doc.__class__.__name__ == "Break" else ""
