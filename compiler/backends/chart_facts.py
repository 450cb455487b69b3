"""What the flowchart's key says about the data, beyond the pathway: the facts assumed when
absent (``default V when absent``) and each ordinal's bands with their points.

Both read the graph JSON and give (key, words) rows for ``dot_labels.key_table``; a
guideline without defaults or ordinals gives no rows, so its chart is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JSON = Mapping[str, Any]


def _number(value: Any) -> str:
    return str(value)


def default_words(declared: JSON, enums: JSON) -> str:
    """A default in plain words: ``no``, ``40 years``, a member's label."""
    value = declared["default"]
    type_ = declared.get("type") or {}
    if isinstance(value, bool):
        return "yes" if value else "no"
    if type_.get("kind") == "enum":
        enum = enums.get(str(type_.get("enum")), {})
        return str((enum.get("member_labels") or {}).get(value, value))
    unit = type_.get("unit")
    return f"{_number(value)} {unit}" if unit else _number(value)


def assumed_rows(graph: JSON) -> list[tuple[str, str]]:
    """One row per input with a default: its label and the value assumed when it is absent."""
    enums = graph.get("enums") or {}
    rows = []
    for name, declared in (graph.get("inputs") or {}).items():
        if "default" in declared:
            label = declared.get("label") or name
            assumed = default_words(declared, enums)
            rows.append(("⊘", f"{label}: assumed {assumed} when not recorded (results list it as assumed)"))
    return rows


def ordinal_rows(graph: JSON) -> list[tuple[str, str]]:
    """One row per ordinal: its label and each band's label and points, in band order."""
    rows = []
    for name, enum in (graph.get("enums") or {}).items():
        points = enum.get("points")
        if not points:
            continue
        labels = enum.get("member_labels") or {}
        bands = "; ".join(
            f"{labels.get(member, member)}: {_number(points[member])} "
            f"{'point' if points[member] == 1 else 'points'}"
            for member in enum.get("members", [])
            if member in points
        )
        rows.append(("•", f"{enum.get('label') or name}: {bands}"))
    return rows
