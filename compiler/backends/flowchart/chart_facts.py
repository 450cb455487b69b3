"""What the flowchart's key says about the data, beyond the pathway: the facts assumed when
absent (``default V when absent``) and each ordinal's bands with their points.

Both read the typed graph and give (key, words) rows for ``dot_labels.key_table``; a
guideline without defaults or ordinals gives no rows, so its chart is unchanged.
"""

from __future__ import annotations

from fibrolang.graph import EnumType, Graph, InputDeclaration, NumberType


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
