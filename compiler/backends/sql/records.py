"""Patient records (the runtime's JSON form) and rows of the patients table, both ways.

``flat_row`` lays a valid, normalised record (``fibrolang``'s validator output) out as the
table's columns; ``record_of_row`` reads a row back as the record the runtime would be
given for it, so that a row's problems are exactly the runtime's problems for that record.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from compiler.backends.sql.layout import SEPARATOR, Layout
from fibrolang.graph import Graph, MapType


def flat_row(graph: Graph, record: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a valid, normalised record (absent facts as None)."""
    row: dict[str, Any] = {}
    for declared in graph.inputs:
        value = record.get(declared.name)
        if isinstance(declared.type, MapType):
            row.update(_map_columns(graph, declared.name, declared.type, value))
        elif isinstance(value, frozenset | set | list | tuple):
            row[declared.name] = sorted(value)
        else:
            row[declared.name] = value
    return row


def _map_columns(graph: Graph, name: str, declared: MapType, value: Any) -> dict[str, Any]:
    members = next((enum.members for enum in graph.enums if enum.name == declared.key), ())
    record = next((r for r in graph.records if r.name == declared.record), None)
    fields = record.fields if record else ()
    row: dict[str, Any] = {name: None if value is None else True}
    for key in members:
        entry = None if value is None else value.get(key)
        row[f"{name}{SEPARATOR}{key}"] = None if entry is None else True
        for field in fields:
            found = None if entry is None else entry.get(field.name)
            if isinstance(found, frozenset | set | list | tuple):
                found = sorted(found)
            row[f"{name}{SEPARATOR}{key}{SEPARATOR}{field.name}"] = found
    return row


def record_of_row(layout: Layout, row: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The patient record a row stands for, and the row's layout problems (path, message):
    a field given for an entry that is not, an entry given for a map that is not."""
    record: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for column in layout.columns:
        value = row.get(column.name)
        if isinstance(value, float) and math.isnan(value):
            value = math.nan
        parts = column.path.split(".")
        if column.declared is None:  # a presence flag
            if value is None or value is False:
                continue
            if value is not True:
                problems.append((column.path, f"column {column.name} is a presence flag: TRUE or NULL"))
                continue
            if len(parts) == 1:
                record.setdefault(parts[0], {})
            else:
                if row.get(parts[0]) is not True:
                    problems.append(
                        (
                            column.path,
                            f"column {column.name} gives an entry, but column {parts[0]} is not TRUE",
                        )
                    )
                    continue
                record.setdefault(parts[0], {}).setdefault(parts[1], {})
            continue
        if value is None:
            continue
        if len(parts) == 1:
            record[parts[0]] = value
            continue
        entry = f"{parts[0]}{SEPARATOR}{parts[1]}"
        if row.get(entry) is not True or row.get(parts[0]) is not True:
            problems.append((column.path, f"column {column.name} is given, but column {entry} is not TRUE"))
            continue
        record.setdefault(parts[0], {}).setdefault(parts[1], {})[parts[2]] = value
    return record, problems
