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
        _collect(definition.get("expr"), [], found)
        tables = definition.get("tables", [])
        if len(found) == len(tables):
            for table, pointer in zip(tables, found, strict=True):
                table["at"] = pointer
    for key, value in graph.items():  # a table in a guard or an item: no display, no mark
        if key != "definitions":
            _collect(value, [], [])


def _collect(node: Any, steps: list[str], found: list[str]) -> None:
    """Remove the marks under ``node`` (reached by ``steps``, the keys and indexes as they are),
    appending each marked node's pointer to ``found``; a pointer is written (its steps escaped)
    only for a marked node, and only objects and arrays, which alone can hold a mark, are
    walked into."""
    if isinstance(node, dict):
        if node.pop(TABLE_MARK, False):
            found.append("".join(f"/{_escaped(step)}" for step in steps))
        for key, inner in node.items():  # insertion order: the order the lowering wrote
            if isinstance(inner, _CONTAINERS):
                steps.append(key)
                _collect(inner, steps, found)
                steps.pop()
    elif isinstance(node, list):
        for index, inner in enumerate(node):
            if isinstance(inner, _CONTAINERS):
                steps.append(str(index))
                _collect(inner, steps, found)
                steps.pop()


_CONTAINERS = (dict, list)


def _escaped(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
