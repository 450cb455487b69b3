"""The SQL target: a guideline as one query over a patients table (docs/population.md).

Needs the ``population`` extra (sqlglot; duckdb and pyspark to run it).
"""

from __future__ import annotations

from typing import Any


def sql_of_document(document: dict[str, Any], dialect: str = "duckdb") -> str:
    """The query of a graph JSON document (``SqlTargetError`` when SQL cannot express it)."""
    from compiler.backends.sql.query import sql_of_document as build

    return build(document, dialect)
