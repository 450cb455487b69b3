"""The lookup tables of a definition as data for display (graph JSON ``tables``).

The graph evaluates a table as its ``if`` chain (compiler/front/tables.py); the
flowchart and the review draw it as the author wrote it, from this: the keys,
the column headings (two keys), each row's heading and cells, and the
``otherwise`` cell, every one as the text ``fibrolang fmt`` writes.
"""

from __future__ import annotations

from typing import Any

from compiler.check.expressions import walk
from compiler.format.tables import cell, heading
from compiler.format.tables import head as table_head
from compiler.front import syntax as s


def displays(expr: s.Expr) -> list[dict[str, Any]]:
    """Every table of an expression, in source order."""
    return [display(node) for node in walk(expr) if isinstance(node, s.Table)]


def display(table: s.Table) -> dict[str, Any]:
    return {
        "by": table_head(table).removeprefix("table by "),
        "columns": [heading(column) for column in table.columns],
        "rows": [
            {"heading": heading(row.key), "cells": [cell(value) for value in row.cells]} for row in table.rows
        ],
        "otherwise": cell(table.otherwise) if table.otherwise is not None else None,
    }
