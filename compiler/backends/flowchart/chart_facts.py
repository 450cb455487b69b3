"""What the flowchart's key says about the data, beyond the pathway: the facts assumed when
absent (``default V when absent``), each ordinal's bands with their points, and when an
output that may be unset has no value.

Both read the typed graph and give (key, words) rows for ``dot_labels.key_table``; a
guideline without defaults, ordinals or unset outputs gives no rows, so its chart is unchanged.
"""

from __future__ import annotations

from compiler.backends.flowchart.plain_words import phrase
from fibrolang.expressions import Conditional, Expression, Negation, Unset
from fibrolang.graph import Definition, EnumType, Graph, InputDeclaration, NumberType


def _number(value: object) -> str:
    return str(value)


def default_words(declared: InputDeclaration, graph: Graph) -> str:
    """A default in plain words: ``no``, ``40 years``, a member's label."""
    value = declared.default
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(declared.type, EnumType):
        enums = {enum.name: enum for enum in graph.enums}
        enum = enums.get(declared.type.enum)
        return enum.label_of(str(value)) if enum else str(value)
    unit = declared.type.unit if isinstance(declared.type, NumberType) else None
    return f"{_number(value)} {unit}" if unit else _number(value)


def assumed_rows(graph: Graph) -> list[tuple[str, str]]:
    """One row per input with a default: its label and the value assumed when it is absent."""
    rows = []
    for declared in graph.inputs:
        if declared.default is not None:
            label = declared.label or declared.name
            assumed = default_words(declared, graph)
            rows.append(("⊘", f"{label}: assumed {assumed} when not recorded (results list it as assumed)"))
    return rows


def ordinal_rows(graph: Graph) -> list[tuple[str, str]]:
    """One row per ordinal: its label and each band's label and points, in band order."""
    rows = []
    for enum in graph.enums:
        points = dict(enum.points)
        if not points:
            continue
        bands = "; ".join(
            f"{enum.label_of(member)}: {_number(points[member])} "
            f"{'point' if points[member] == 1 else 'points'}"
            for member in enum.members
            if member in points
        )
        rows.append(("•", f"{enum.label or enum.name}: {bands}"))
    return rows


def unset_conditions(definition: Definition) -> list[tuple[tuple[Expression, bool], ...]]:
    """The ``if`` arms (each condition with the value it must have) that lead an output to
    ``unset``, outside its tables, one tuple per ``unset``; a table that has an ``unset``
    cell ends a tuple with no condition of its own (the grid shows the cell)."""
    roots = {table.at for table in definition.tables if table.at is not None}
    found: list[tuple[tuple[Expression, bool], ...]] = []

    def visit(node: Expression, pointer: str, taken: tuple[tuple[Expression, bool], ...]) -> None:
        if pointer in roots:
            if _has_unset(node):
                found.append(taken)
        elif isinstance(node, Unset):
            found.append(taken)
        elif isinstance(node, Conditional):
            visit(node.then, pointer + "/then", (*taken, (node.condition, True)))
            visit(node.otherwise, pointer + "/else", (*taken, (node.condition, False)))

    visit(definition.expr, "", ())
    return found


def _has_unset(node: Expression) -> bool:
    if isinstance(node, Unset):
        return True
    return isinstance(node, Conditional) and (_has_unset(node.then) or _has_unset(node.otherwise))


def unset_words(graph: Graph, definition: Definition) -> str | None:
    """``not set when ...``: when an output that may be unset has no value, in plain words."""
    cases = []
    for taken in unset_conditions(definition):
        words = [phrase(graph, condition if holds else Negation(condition)) for condition, holds in taken]
        cases.append(" and ".join(words) if words else "its table says unset")
    if not cases:
        return None
    return "not set (no value) when " + "; or when ".join(cases)


def unset_rows(graph: Graph) -> list[tuple[str, str]]:
    """One row per output that some patients get no value for, and when."""
    rows = []
    for definition in graph.definitions:
        words = unset_words(graph, definition) if definition.output else None
        if words is not None:
            rows.append(("∅", f"{definition.label or definition.name}: {words}"))
    return rows
