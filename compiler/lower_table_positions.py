"""Where each lookup table's ``if`` chain sits in its definition's ``expr`` (graph ``tables``
``at``), so that an explanation can find the cell a patient's values select.

Lowering marks the chain of every table (``TABLE_MARK``); the unit conversions copy the
mark with the node (they rebuild nodes as ``{**node, ...}``), so ``place_tables``, run
after them, finds each chain where it finally is, records its JSON Pointer (RFC 6901,
``"/else"``, ``""`` for the whole expression) in the table's display, and removes the mark.
The chains are found in the order the lowering wrote their nodes, which is source order,
the order of ``tables``; a count that does not match leaves ``at`` out (never a wrong one).
"""

from __future__ import annotations

from typing import Any

TABLE_MARK = "__table__"  # a key no graph has: removed before the graph is hashed or written


def place_tables(graph: dict[str, Any]) -> None:
    """Record each table's position as ``at`` and remove every mark, in place."""
    for definition in graph.get("definitions", []):
        found: list[str] = []
        _collect(definition.get("expr"), "", found)
        tables = definition.get("tables", [])
        if len(found) == len(tables):
            for table, pointer in zip(tables, found, strict=True):
                table["at"] = pointer
    for key, value in graph.items():  # a table in a guard or an item: no display, no mark
        if key != "definitions":
            _collect(value, "", [])


def _collect(node: Any, pointer: str, found: list[str]) -> None:
    if isinstance(node, dict):
        if node.pop(TABLE_MARK, False):
            found.append(pointer)
        for key, inner in node.items():  # insertion order: the order the lowering wrote
            _collect(inner, f"{pointer}/{_escaped(key)}", found)
    elif isinstance(node, list):
        for index, inner in enumerate(node):
            _collect(inner, f"{pointer}/{index}", found)


def _escaped(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
