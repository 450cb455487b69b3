"""Read and validate a population for ``fibrolang population``: Parquet, CSV or JSON Lines.

Every input row ends either in the ``patients`` view the compiled query reads (valid rows,
laid out as docs/population.md says) or in the list of invalid rows, with the runtime's
own problems for the record the row stands for: a row is never dropped silently.

- Parquet: typed columns, checked in DuckDB in one vectorised pass; the few invalid rows
  are read back and their problems are the runtime validator's (``fibrolang``), plus the
  table's own layout problems (a field given for an entry that is not).
- CSV: each cell read as docs/population.md says (empty is absent; numbers, true/false,
  JSON arrays for sets), then the same as a record; JSON Lines: one patient record (the
  runtime's JSON form) a line. Both are validated by the runtime validator, row by row.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlglot import exp

import fibrolang
from compiler.backends.sql.engines import duckdb_columns, write_rows_jsonl
from compiler.backends.sql.layout import Layout, LayoutColumn
from compiler.backends.sql.query import ID_COLUMN
from compiler.backends.sql.records import flat_row, record_of_row
from fibrolang.errors import Problem
from fibrolang.graph import NumberType

FORMATS = ("parquet", "csv", "jsonl")
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_FLOAT_TYPES = ("FLOAT", "DOUBLE")


class PopulationError(Exception):
    """The patients file cannot be read as a patients table (one message naming every fault)."""


@dataclass(frozen=True)
class InvalidRow:
    row: int  # 1-based row (CSV: data row; JSON Lines: line)
    patient_id: str | None
    problems: tuple[Problem, ...]


@dataclass
class Prepared:
    """The ``patients`` view (valid rows) in the DuckDB connection, and the invalid rows."""

    input_rows: int
    valid_rows: int
    invalid: list[InvalidRow]
    missing_columns: list[str]


def file_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "ndjson":
        suffix = "jsonl"
    if suffix not in FORMATS:
        raise PopulationError(f"{path}: the patients file is .parquet, .csv or .jsonl, not {path.suffix!r}")
    return suffix


def prepare(connection: Any, guideline: fibrolang.Guideline, path: Path, scratch: Path) -> Prepared:
    """Create the ``patients`` view of the valid rows of ``path``; report the invalid ones."""
    layout = Layout(guideline.graph)
    kind = file_format(path)
    if kind == "parquet":
        return _prepare_parquet(connection, guideline, layout, path)
    records = _csv_records(layout, path) if kind == "csv" else _jsonl_records(path)
    return _prepare_records(connection, guideline, layout, records, scratch)


# ---- records (CSV, JSON Lines): the runtime validator, row by row ------------------------


def _prepare_records(
    connection: Any,
    guideline: fibrolang.Guideline,
    layout: Layout,
    records: Iterator[tuple[int, str | None, Any, tuple[Problem, ...]]],
    scratch: Path,
) -> Prepared:
    invalid: list[InvalidRow] = []
    count = 0

    def valid_rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        for row, patient_id, record, problems in records:
            count += 1
            if problems:
                invalid.append(InvalidRow(row, patient_id, problems))
                continue
            try:
                normalised = guideline.validate(record)
            except fibrolang.InvalidPatient as error:
                invalid.append(InvalidRow(row, patient_id, error.problems))
                continue
            flat = flat_row(guideline.graph, normalised)
            flat[ID_COLUMN] = patient_id if patient_id is not None else str(row)
            yield flat

    table = scratch / "valid.jsonl"
    written = write_rows_jsonl(valid_rows(), table)
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in duckdb_columns(layout).items())
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE patients AS SELECT * FROM read_json(?, format = 'newline_delimited', "
        f"columns = {{{columns}}})",
        [str(table)],
    )
    return Prepared(count, written, invalid, [])


def _jsonl_records(path: Path) -> Iterator[tuple[int, str | None, Any, tuple[Problem, ...]]]:
    from compiler.commands import patients

    _many, records = patients.read_patients(path)
    for record in records:
        identifier = None
        if isinstance(record.patient, dict):
            given = record.patient.get(ID_COLUMN)
            if isinstance(given, str | int) and not isinstance(given, bool):
                identifier = str(given)
                record.patient.pop(ID_COLUMN)
        yield record.line, identifier, record.patient, record.problems


def _csv_records(layout: Layout, path: Path) -> Iterator[tuple[int, str | None, Any, tuple[Problem, ...]]]:
    types = {column.name: column for column in layout.columns}
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        header = reader.fieldnames or []
        _check_header(path, [name for name in header if name != ID_COLUMN], types)
        for number, cells in enumerate(reader, start=1):
            row = {name: _cell(types[name], text) for name, text in cells.items() if name in types}
            if None in cells:  # more cells than the header names
                problem = Problem(
                    "", f"row {number} has more cells than the header has columns", "wrong_type"
                )
                yield number, cells.get(ID_COLUMN) or None, None, (problem,)
                continue
            record, layout_problems = record_of_row(layout, row)
            problems = tuple(Problem(path_, message, "layout") for path_, message in layout_problems)
            yield number, cells.get(ID_COLUMN) or None, record, problems


def _cell(column: LayoutColumn, text: str | None) -> Any:
    """A CSV cell as a JSON value: empty is absent; true/false; a number; a JSON array; else a string."""
    if text is None or text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    if column.sql_type in ("BIGINT", "DOUBLE"):
        for parse in (int, float):
            try:
                return parse(text)
            except ValueError:
                pass
        return text
    if column.sql_type.endswith("[]") and text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _check_header(path: Path, names: list[str], known: dict[str, LayoutColumn]) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        described = []
        for name in unknown:
            match = difflib.get_close_matches(name, sorted(known), n=1)
            described.append(f"{name!r}" + (f" (did you mean {match[0]!r}?)" if match else ""))
        raise PopulationError(
            f"{path}: column(s) not in the patients table of this guideline: {', '.join(described)} "
            "(docs/population.md lists the columns)"
        )


# ---- Parquet: typed columns, checked in DuckDB ------------------------------------------


def _prepare_parquet(connection: Any, guideline: fibrolang.Guideline, layout: Layout, path: Path) -> Prepared:
    source = f"read_parquet({_literal(str(path))}, file_row_number = true)"
    try:
        described = connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except Exception as error:
        raise PopulationError(f"{path}: cannot read it as Parquet: {error}") from error
    types = {name: kind for name, kind, *_ in described if name != "file_row_number"}
    _check_header(path, [name for name in types if name != ID_COLUMN], {c.name: c for c in layout.columns})
    faults = []
    reads: dict[str, str] = {}
    checks: list[str] = []
    missing = []
    for column in layout.columns:
        kind = types.get(column.name)
        if kind is None:
            missing.append(column.name)
            reads[column.name] = f"CAST(NULL AS {column.sql_type})"
            continue
        read, fault = _read(column, kind)
        if fault:
            faults.append(fault)
            continue
        reads[column.name] = read
        checks.append(_check(column, read, kind, layout))
    if faults:
        raise PopulationError(f"{path}: " + "; ".join(faults))
    identifier = (
        f"CAST({_quoted(ID_COLUMN)} AS VARCHAR)"
        if ID_COLUMN in types
        else "CAST(file_row_number + 1 AS VARCHAR)"
    )
    selected = ", ".join(f"{read} AS {_quoted(name)}" for name, read in reads.items())
    valid = " AND ".join(f"({check})" for check in checks) or "TRUE"
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW population_source AS SELECT file_row_number + 1 AS row, "
        f"{identifier} AS {_quoted(ID_COLUMN)}, {selected}, ({valid}) AS valid FROM {source}"
    )
    counts = connection.execute(
        "SELECT count(*), count(*) FILTER (WHERE valid) FROM population_source"
    ).fetchone()
    total, valid_count = int(counts[0]), int(counts[1])
    invalid = []
    cursor = connection.execute("SELECT * FROM population_source WHERE NOT valid ORDER BY row")
    names = [d[0] for d in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        invalid.append(InvalidRow(int(row["row"]), row[ID_COLUMN], row_problems(guideline, layout, row)))
    casts = ", ".join(f"CAST({_quoted(c.name)} AS {c.sql_type}) AS {_quoted(c.name)}" for c in layout.columns)
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW patients AS SELECT {_quoted(ID_COLUMN)}, {casts} "
        "FROM population_source WHERE valid"
    )
    return Prepared(total, valid_count, invalid, missing)


def row_problems(guideline: fibrolang.Guideline, layout: Layout, row: dict[str, Any]) -> tuple[Problem, ...]:
    """The problems of a row: the table's layout problems, then the runtime's for its record."""
    record, layout_problems = record_of_row(layout, row)
    problems = [Problem(path, message, "layout") for path, message in layout_problems]
    try:
        guideline.validate(record)
    except fibrolang.InvalidPatient as error:
        problems += error.problems
    if not problems:
        raise AssertionError(f"row {row.get('row')} failed the table's checks but the runtime accepts it")
    return tuple(problems)


def _read(column: LayoutColumn, kind: str) -> tuple[str, str | None]:
    """How to read a column of the file (as the record would hold it), or why it cannot be."""
    name = _quoted(column.name)
    wanted = column.sql_type
    if wanted in ("BIGINT", "DOUBLE"):
        if kind in _INTEGER_TYPES or kind == "HUGEINT":
            return f"CAST({name} AS BIGINT)", None
        if kind in _FLOAT_TYPES or kind.startswith("DECIMAL"):
            return f"CAST({name} AS DOUBLE)", None
        return "", f"column {column.name} is {kind}; it holds a number ({_describe(column)})"
    if kind != wanted:
        return "", f"column {column.name} is {kind}; it should be {wanted} ({_describe(column)})"
    return name, None


def _check(column: LayoutColumn, read: str, kind: str, layout: Layout) -> str:
    """A condition that holds when the column's value is valid (or absent) in its row."""
    parts = column.path.split(".")
    if column.declared is None:  # presence flags: an entry needs its map
        if len(parts) == 2:
            return f"NOT coalesce({read}, FALSE) OR coalesce({_quoted(parts[0])}, FALSE) IS TRUE"
        return "TRUE"
    conditions = []
    if len(parts) == 3:  # a field: its entry and map are given
        entry = _quoted(f"{parts[0]}__{parts[1]}")
        conditions.append(f"coalesce({entry}, FALSE) AND coalesce({_quoted(parts[0])}, FALSE)")
    declared = column.declared
    if isinstance(declared, NumberType):
        if read.endswith("AS DOUBLE)"):
            conditions.append(f"isfinite({read})")
            if declared.integral:
                conditions.append(f"{read} = floor({read})")
        if declared.minimum is not None:
            conditions.append(f"{read} >= {_number(declared.minimum)}")
        if declared.maximum is not None:
            conditions.append(f"{read} <= {_number(declared.maximum)}")
    elif column.sql_type == "VARCHAR":
        conditions.append(f"{read} IN ({', '.join(_literal(m) for m in column.enum)})")
    elif column.sql_type == "VARCHAR[]":
        members = ", ".join(_literal(m) for m in column.enum)
        conditions.append(
            f"len(list_filter({read}, lambda x: x IS NULL OR NOT list_contains([{members}], x))) = 0"
        )
    if not conditions:
        return "TRUE"
    return f"{read} IS NULL OR ({' AND '.join(conditions)})"


def _describe(column: LayoutColumn) -> str:
    declared = column.declared
    if isinstance(declared, NumberType):
        unit = f" in {declared.unit}" if declared.unit else ""
        return f"an integer{unit}" if declared.integral else f"a number{unit}"
    if column.sql_type == "VARCHAR[]":
        return "a list of members"
    if column.sql_type == "VARCHAR":
        return "a member, as text"
    return "true, false or NULL"


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError("bounds are finite")
    return f"CAST({value!r} AS DOUBLE)"


def _quoted(name: str) -> str:
    """A column name as a quoted DuckDB identifier (escaped by sqlglot)."""
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def _literal(text: str) -> str:
    """A string as a DuckDB literal (escaped by sqlglot)."""
    return exp.Literal.string(text).sql("duckdb")
