"""Lookup tables: the shape of the grid, gaps, overlaps and the kind of each cell.

A table's rows (and columns) must cover the whole domain of their key (every
member of its enumeration; every value of a number input's declared range, or
every number when the key has no declared range) exactly once, unless the
table ends with an ``otherwise`` cell for what the rows leave out. Numbers
compare with their inclusion: ``60 to < 90`` and ``90 to 120`` meet without
overlapping; for an integer key, ``0 to 2`` and ``3 to 5`` leave no gap.

FIB140 gap, FIB141 overlap, FIB142 a cell of another kind than the first,
FIB143 a malformed grid (cells per row, header row, a key that is neither a
number nor a member). A heading of the wrong kind for its key is the types
pass's FIB103 (the heading's comparison with the key). Units of number cells
and of headings are checked by the units pass, which reads the table as its
``if`` chain (compiler/front/tables.py).
"""

from __future__ import annotations

import math
from decimal import Decimal

from compiler.check.context import Context
from compiler.check.expressions import walk
from compiler.check.model import Boolean, Member, Number, Text, Type, describe
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s
from compiler.front.tables import heading_text
from fibrolang.records import record


def check_tables(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for root in context.model.roots:
        for expr in walk(root.expression):
            if isinstance(expr, s.Table):
                found.extend(_table(expr, context))
    return found


def _table(table: s.Table, context: Context) -> list[Diagnostic]:
    found = _shape(table)
    if found:
        return found
    found += _cells(table, context)
    row_headings = tuple(row.key for row in table.rows)
    axes = [(table.keys[0], row_headings)]
    if len(table.keys) == 2:
        axes.append((table.keys[1], table.columns))
    for key, headings in axes:
        found += _axis(table, key, headings, context)
    return found


def _shape(table: s.Table) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if len(table.keys) == 2 and not table.columns:
        found.append(
            diag.make(
                "FIB143",
                "a table by two keys needs a header row with the values of the second key",
                table.span,
                hint="write the column keys first, after an empty corner cell: `| | a1 | a2 | a3 |`",
            )
        )
        return found
    if len(table.keys) == 1 and table.columns:
        found.append(
            diag.make(
                "FIB143",
                "this table has a header row but only one key",
                table.span,
                hint="name the second key after `by` (`table by gfr, albuminuria`), or remove the header row",
            )
        )
        return found
    width = max(1, len(table.columns))
    for row in table.rows:
        if len(row.cells) != width:
            what = "one cell" if width == 1 else f"{width} cells, one per column"
            has = "1 cell" if len(row.cells) == 1 else f"{len(row.cells)} cells"
            found.append(
                diag.make(
                    "FIB143",
                    f"the row `{heading_text(row.key)}` has {has}; this table needs {what}",
                    row.span,
                    hint="give every row a heading and one cell per column, each between `|`",
                )
            )
    return found


def _cells(table: s.Table, context: Context) -> list[Diagnostic]:
    cells = [cell for row in table.rows for cell in row.cells]
    if table.otherwise is not None:
        cells.append(table.otherwise)
    first = context.model.type_of(cells[0])
    found = []
    for cell in cells[1:]:
        kind = context.model.type_of(cell)
        if _known(first) and _known(kind) and not _same_kind(first, kind):
            found.append(
                diag.make(
                    "FIB142",
                    f"this cell is {describe(kind)} but the table's first cell is {describe(first)}",
                    cell.span,
                    hint="every cell of a table gives the same kind of value",
                    related=(RelatedSpan(cells[0].span, "the first cell"),),
                )
            )
    return found


def _known(kind: Type) -> bool:
    return isinstance(kind, Number | Member | Boolean | Text)


def _same_kind(left: Type, right: Type) -> bool:
    if isinstance(left, Number) and isinstance(right, Number):
        return True  # units: the units pass
    return left == right


def _axis(
    table: s.Table, key: s.Expr, headings: tuple[s.TableKey, ...], context: Context
) -> list[Diagnostic]:
    kind = context.model.type_of(key)
    if isinstance(kind, Member):
        return _members(table, key, kind.enum, headings, context)
    if isinstance(kind, Number):
        return _numbers(table, key, kind, headings, context)
    if not _known(kind) or isinstance(kind, Text):  # a text key: compiler/check/text.py (FIB147)
        return []
    return [
        diag.make(
            "FIB143",
            f"a table's key is a number or an enum member; `{_key_text(key)}` is {describe(kind)}",
            key.span,
            hint="write the condition as `if ... then ... else ...`",
        )
    ]


def _key_text(key: s.Expr) -> str:
    return key.name.text if isinstance(key, s.Reference) else "this key"


def _members(
    table: s.Table, key: s.Expr, enum: str, headings: tuple[s.TableKey, ...], context: Context
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: dict[str, s.TableKey] = {}
    wrong_kind = False
    for heading in headings:
        if heading.member is None:  # the types pass reports the comparison (FIB103)
            wrong_kind = True
            continue
        name = heading.member.text
        if name in seen:
            found.append(_overlap(key, heading, seen[name], name))
        seen[name] = heading
    declared = context.symbols.enums.get(enum)
    if declared is None or table.otherwise is not None or found or wrong_kind:
        return found
    left_out = [m.name.text for m in declared.members if m.name.text not in seen]
    if left_out:
        found.append(_gap(table, key, ", ".join(f"`{m}`" for m in left_out)))
    return found


def _overlap(key: s.Expr, heading: s.TableKey, earlier: s.TableKey, values: str) -> Diagnostic:
    return diag.make(
        "FIB141",
        f"`{heading_text(heading)}` overlaps `{heading_text(earlier)}`: "
        f"both cover {values} of `{_key_text(key)}`",
        heading.span,
        hint="each value of a key has one row (or column); split or merge the two",
        related=(RelatedSpan(earlier.span, "the earlier heading"),),
    )


def _gap(table: s.Table, key: s.Expr, values: str) -> Diagnostic:
    return diag.make(
        "FIB140",
        f"the table leaves out {values} of `{_key_text(key)}`",
        key.span,
        hint="add a row (or column) for what is left out, or end the table with `otherwise <value>`",
    )


# ---- numbers ---------------------------------------------------------------


@record
class _Interval:
    """A set of numbers: ``low``/``high`` None is unbounded."""

    low: Decimal | None
    low_included: bool
    high: Decimal | None
    high_included: bool


def _numbers(
    table: s.Table, key: s.Expr, kind: Number, headings: tuple[s.TableKey, ...], context: Context
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    intervals: list[tuple[s.TableKey, _Interval]] = []
    wrong_kind = False
    for heading in headings:
        if heading.member is not None:  # the types pass reports the comparison (FIB103)
            wrong_kind = True
            continue
        interval = _Interval(
            heading.low.value if heading.low is not None else None,
            heading.low_included,
            heading.high.value if heading.high is not None else None,
            heading.high_included,
        )
        if kind.integer:
            interval = _whole(interval)
        intervals.append((heading, interval))
    for index, (heading, interval) in enumerate(intervals):
        for earlier, other in intervals[:index]:
            common = _meet(interval, other)
            if common is not None:
                found.append(_overlap(key, heading, earlier, _show(common, kind.integer)))
                break
    if found or table.otherwise is not None or wrong_kind:
        return found
    declared = context.model.declared_number(key)
    domain = _Interval(None, False, None, False)
    if declared is not None:
        number_type = declared[1]
        domain = _Interval(number_type.low, True, number_type.high, True)
    if kind.integer:
        domain = _whole(domain)
    gaps = _gaps(domain, [interval for _, interval in intervals], kind.integer)
    if gaps:
        found.append(_gap(table, key, ", ".join(f"`{_show(gap, kind.integer)}`" for gap in gaps)))
    return found


def _whole(interval: _Interval) -> _Interval:
    """An interval of integers, as the closed interval of the integers it holds."""
    low, high = interval.low, interval.high
    if low is not None:
        first = Decimal(math.ceil(low))
        low = first + 1 if first == low and not interval.low_included else first
    if high is not None:
        last = Decimal(math.floor(high))
        high = last - 1 if last == high and not interval.high_included else last
    return _Interval(low, True, high, True)


def _meet(left: _Interval, right: _Interval) -> _Interval | None:
    """The numbers both intervals hold, or None."""
    low, low_included = _bound(left.low, left.low_included, right.low, right.low_included, lower=True)
    high, high_included = _bound(left.high, left.high_included, right.high, right.high_included, lower=False)
    if (
        low is not None
        and high is not None
        and (low > high or (low == high and not (low_included and high_included)))
    ):
        return None
    return _Interval(low, low_included, high, high_included)


def _bound(
    a: Decimal | None, a_in: bool, b: Decimal | None, b_in: bool, lower: bool
) -> tuple[Decimal | None, bool]:
    if a is None:
        return b, b_in
    if b is None:
        return a, a_in
    if a == b:
        return a, a_in and b_in
    tighter = (a > b) if lower else (a < b)
    return (a, a_in) if tighter else (b, b_in)


def _gaps(domain: _Interval, intervals: list[_Interval], integer: bool) -> list[_Interval]:
    """The parts of ``domain`` no interval holds, in order."""
    missing = [domain]
    for interval in intervals:
        missing = [part for piece in missing for part in _minus(piece, interval, integer)]
    return missing


def _minus(piece: _Interval, cut: _Interval, integer: bool) -> list[_Interval]:
    """``piece`` without ``cut``: zero, one or two intervals."""
    if _meet(piece, cut) is None:
        return [piece]
    parts = []
    if cut.low is not None:
        below = _meet(piece, _Interval(None, False, cut.low, not cut.low_included))
        if below is not None:
            parts.append(_whole(below) if integer else below)
    if cut.high is not None:
        above = _meet(piece, _Interval(cut.high, not cut.high_included, None, False))
        if above is not None:
            parts.append(_whole(above) if integer else above)
    return [part for part in parts if not integer or _meet(part, part) is not None]


def _show(interval: _Interval, integer: bool) -> str:
    """An interval as a heading an author could write."""
    low, high = interval.low, interval.high
    if low is not None and high is not None:
        if low == high:
            return f"{low}"
        if integer:
            return f"{low} to {high}"
        if not interval.low_included:
            return f"> {low} and {'<=' if interval.high_included else '<'} {high}"
        return f"{low} to {'' if interval.high_included else '< '}{high}"
    if low is not None:
        return f"{'>=' if interval.low_included else '>'} {low}"
    if high is not None:
        return f"{'<=' if interval.high_included else '<'} {high}"
    return "every value"
