"""Lookup tables: a table as the `if` chain every later stage reads.

``table by gfr_stage, albuminuria | | a1 | a2 | | g1 | low | moderate | ...
end`` is, for the checker's type and unit passes, the lowering, the runtime,
the z3 encoding, the targets and the test generator, the chain

    if gfr_stage is g1 then (if albuminuria is a1 then low else moderate ...)
    else if gfr_stage is g2 then ... else <the last row>

built here once, when the syntax tree is built (``Table.chain``). Each cell is
one arm of the chain, so "every arm of every `if`" is "every cell of every
table" for coverage, testgen and mutation. The chain's last arm has no
condition: the checker (compiler/check/tables.py) proves the rows cover the
keys' whole domain, or the table has an ``otherwise``.
"""

from __future__ import annotations

from compiler.front import syntax as s


def with_chain(table: s.Table) -> s.Table:
    """The table with its ``chain`` (and the conditions it leaves ``implied``) filled in."""
    return s.Table(
        table.keys, table.columns, table.rows, table.otherwise, table.span, as_chain(table), implied(table)
    )


def implied(table: s.Table) -> tuple[s.Expr, ...]:
    """The conditions of the last row (and of the last column, for two keys), which the
    chain does not test when there is no ``otherwise``: the checker checks them apart."""
    if table.otherwise is not None or not table.rows:
        return ()
    found = [key_condition(table.keys[0], table.rows[-1].key)]
    if len(table.keys) == 2 and table.columns:
        found.append(key_condition(table.keys[1], table.columns[-1]))
    return tuple(found)


def as_chain(table: s.Table) -> s.Expr:
    """The table as nested ``if`` expressions, rows in order, then columns in order."""
    if len(table.keys) == 1 or not table.columns:
        arms = [(key_condition(table.keys[0], row.key), row.cells[0], row.span) for row in table.rows]
        return _chain(arms, table.otherwise, table.span)
    column_key = table.keys[1]
    arms = []
    for row in table.rows:
        inner = [
            (key_condition(column_key, column), cell, _cell_span(cell))
            for column, cell in zip(table.columns, row.cells, strict=False)
        ]
        arms.append(
            (key_condition(table.keys[0], row.key), _chain(inner, table.otherwise, row.span), row.span)
        )
    return _chain(arms, table.otherwise, table.span)


def key_condition(key: s.Expr, heading: s.TableKey) -> s.Expr:
    """``key is g1``, ``key == 2``, ``key >= 60 and key < 90``."""
    span = heading.span
    if heading.member is not None:
        return s.Comparison("is", key, s.Reference(heading.member, heading.member.span), span)
    low, high = heading.low, heading.high
    if (
        low is not None
        and high is not None
        and low == high
        and heading.low_included
        and heading.high_included
    ):
        return s.Comparison("==", key, s.NumberLiteral(low, span), span)
    bounds: list[s.Expr] = []
    if low is not None:
        bounds.append(
            s.Comparison(">=" if heading.low_included else ">", key, s.NumberLiteral(low, span), span)
        )
    if high is not None:
        bounds.append(
            s.Comparison("<=" if heading.high_included else "<", key, s.NumberLiteral(high, span), span)
        )
    if len(bounds) == 1:
        return bounds[0]
    return s.And(tuple(bounds), span)


def _chain(arms: list[tuple[s.Expr, s.Expr, s.Span]], otherwise: s.Expr | None, span: s.Span) -> s.Expr:
    if not arms:
        return otherwise if otherwise is not None else s.BooleanLiteral(False, span)
    if otherwise is not None:
        result = otherwise
        conditioned = arms
    else:
        result = arms[-1][1]
        conditioned = arms[:-1]
    for condition, value, arm_span in reversed(conditioned):
        result = s.Conditional(condition, value, result, arm_span, table_arm=True)
    return result


def _cell_span(cell: s.Expr) -> s.Span:
    return getattr(cell, "span", s.NO_SPAN)  # every Expr has one; getattr keeps mypy calm on the union


def headings(table: s.Table) -> tuple[tuple[s.TableKey, ...], tuple[s.TableKey, ...]]:
    """The row headings and the column headings (empty for one key)."""
    return tuple(row.key for row in table.rows), table.columns


def heading_text(heading: s.TableKey) -> str:
    """A heading as the author wrote it (``g1``, ``2``, ``>= 90 mL/min``, ``60 to < 90``)."""
    if heading.member is not None:
        return heading.member.text
    low, high = heading.low, heading.high
    if low is not None and high is not None:
        if low == high and heading.low_included and heading.high_included:
            return _quantity(low)
        low_text = str(low.value) if low.unit is not None and high.unit == low.unit else _quantity(low)
        return f"{low_text} to {'' if heading.high_included else '< '}{_quantity(high)}"
    if low is not None:
        return f"{'>=' if heading.low_included else '>'} {_quantity(low)}"
    if high is not None:
        return f"{'<=' if heading.high_included else '<'} {_quantity(high)}"
    return "?"


def _quantity(quantity: s.Quantity) -> str:
    return f"{quantity.value} {quantity.unit.text}" if quantity.unit is not None else str(quantity.value)
