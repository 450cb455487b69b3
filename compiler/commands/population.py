"""``fibrolang population``: one guideline over a whole population, on DuckDB or Spark.

The patients file is read and validated (``population_input``), the guideline's compiled
query (``compiler.backends.sql``) runs on the chosen engine over the valid rows, the
results go to one Parquet file (one row per valid input row), and a summary counts
patients per status, per path and per recommendation. The run checks its own books: input
rows = output rows + invalid rows, or it stops with an internal error.
"""

from __future__ import annotations

import html
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fibrolang
from compiler.backends.sql.layout import Layout
from compiler.backends.sql.query import DictionaryEntry, compiled_query
from compiler.commands.population_command import ENGINES
from compiler.commands.population_input import InvalidRow, PopulationError, prepare


@dataclass
class Summary:
    guideline: str
    engine: str
    input_rows: int
    output_rows: int
    invalid_rows: int
    statuses: list[tuple[str, int]]
    paths: list[tuple[str, int]]
    recommendations: list[tuple[str, int]]
    seconds: dict[str, float] = field(default_factory=dict)
    missing_columns: list[str] = field(default_factory=list)


@dataclass
class Population:
    summary: Summary
    invalid: list[InvalidRow]


def run(
    guideline: fibrolang.Guideline,
    patients: Path,
    output: Path,
    engine: str = "duckdb",
    step: Callable[[str], None] = lambda stage: None,
    progress: bool = False,
    form: str = "full",
) -> Population:
    """Evaluate every valid row of ``patients``; write the results to ``output`` (Parquet).

    ``form``: ``full`` writes the result lists; ``compact`` writes them as bit words and
    their dictionary beside it (``dictionary_path``; docs/population.md)."""
    import duckdb

    if engine not in ENGINES:
        raise PopulationError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    seconds: dict[str, float] = {}
    scratch = output.parent / f".{output.name}.fibrolang-tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    connection = duckdb.connect()
    if progress:  # DuckDB's own bar for the long query (Spark prints its stages' bars)
        connection.execute("SET enable_progress_bar = true")
    try:
        started = time.perf_counter()
        step("reading and validating the patients")
        prepared = prepare(connection, guideline, patients, scratch)
        seconds["read and validate"] = time.perf_counter() - started
        step(f"compiling the guideline to SQL ({form} results)")
        started = time.perf_counter()
        query, dictionary = compiled_query(guideline.graph, engine, form=form)
        if form != "compact":
            dictionary = []
        seconds["compile to SQL"] = time.perf_counter() - started
        step(f"evaluating {prepared.valid_rows:,} patients on {engine}")
        started = time.perf_counter()
        if engine == "duckdb":
            _run_duckdb(connection, query, output)
        else:
            _run_spark(connection, guideline, query, output, scratch)
        side = dictionary_path(output)
        side.unlink(missing_ok=True)  # never a stale dictionary from an earlier run
        if dictionary:
            write_dictionary(connection, dictionary, side)
        seconds["evaluate and write"] = time.perf_counter() - started
        step("summarising")
        started = time.perf_counter()
        if dictionary:
            summary = _summarise_compact(
                connection, guideline, engine, output, dictionary, prepared.input_rows, len(prepared.invalid)
            )
        else:
            summary = _summarise(
                connection, guideline, engine, output, prepared.input_rows, len(prepared.invalid)
            )
        summary.missing_columns = prepared.missing_columns
        seconds["summarise"] = time.perf_counter() - started
        summary.seconds = seconds
        if summary.input_rows != summary.output_rows + summary.invalid_rows:
            raise AssertionError(
                f"{summary.input_rows} input rows but {summary.output_rows} results and "
                f"{summary.invalid_rows} invalid rows: a row was lost"
            )
        if prepared.valid_rows != summary.output_rows:
            raise AssertionError(f"{prepared.valid_rows} valid rows but {summary.output_rows} results")
        return Population(summary, prepared.invalid)
    finally:
        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _run_duckdb(connection: Any, query: str, output: Path) -> None:
    from compiler.backends.sql.engines import tune_duckdb

    tune_duckdb(connection)
    body = query.rstrip().rstrip(";")
    connection.execute(f"COPY ({body}) TO '{_path(output)}' (FORMAT parquet)")


def _run_spark(
    connection: Any, guideline: fibrolang.Guideline, query: str, output: Path, scratch: Path
) -> None:
    from compiler.backends.sql.engines import spark_schema, spark_session

    valid = scratch / "valid.parquet"
    connection.execute(f"COPY (SELECT * FROM patients) TO '{_path(valid)}' (FORMAT parquet)")
    session = spark_session()
    frame = session.read.schema(spark_schema(Layout(guideline.graph))).parquet(str(valid))
    frame.createOrReplaceTempView("patients")
    results = scratch / "spark-results"
    session.sql(query.rstrip().rstrip(";")).write.mode("overwrite").parquet(str(results))
    parts = f"{_path(results)}/*.parquet"
    connection.execute(f"COPY (SELECT * FROM read_parquet('{parts}')) TO '{_path(output)}' (FORMAT parquet)")


def _path(path: Path) -> str:
    return str(path).replace("'", "''")


def dictionary_path(output: Path) -> Path:
    """Where the compact results' dictionary goes: beside the results."""
    return output.with_name(output.name + ".dictionary.parquet")


DICTIONARY_COLUMNS = (
    ("column", "VARCHAR"),
    ("bit", "INTEGER"),
    ("list", "VARCHAR"),
    ("position", "INTEGER"),
    ("entry", "VARCHAR"),
    ("item", "VARCHAR"),
    ("action", "VARCHAR"),
    ("dose_min", "DOUBLE"),
    ("dose_max", "DOUBLE"),
    ("dose_unit", "VARCHAR"),
    ("dose_frequency", "VARCHAR"),
    ("titration_step", "DOUBLE"),
    ("titration_every", "DOUBLE"),
    ("titration_every_unit", "VARCHAR"),
    ("titration_target", "DOUBLE"),
)


def dictionary_rows(dictionary: list[DictionaryEntry]) -> list[tuple[Any, ...]]:
    """The dictionary as rows of ``DICTIONARY_COLUMNS``: for a recommendation, ``entry`` is the
    intervention and the other fields are the recommendation's."""
    rows = []
    for described in dictionary:
        item = described.entry.item
        dose = item.dose if item else None
        titration = item.titration if item else None
        rows.append(
            (
                described.column,
                described.bit,
                described.result_list,
                described.position,
                described.entry.value,
                item.id if item else None,
                item.action if item else None,
                _float(dose.minimum) if dose else None,
                _float(dose.maximum) if dose else None,
                dose.unit if dose else None,
                dose.frequency if dose else None,
                _float(titration.step) if titration else None,
                _float(titration.every) if titration else None,
                titration.every_unit if titration else None,
                _float(titration.target) if titration else None,
            )
        )
    return rows


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def write_dictionary(connection: Any, dictionary: list[DictionaryEntry], path: Path) -> None:
    columns = ", ".join(f'"{name}" {kind}' for name, kind in DICTIONARY_COLUMNS)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE result_dictionary ({columns})")
    marks = ", ".join("?" for _ in DICTIONARY_COLUMNS)
    connection.executemany(f"INSERT INTO result_dictionary VALUES ({marks})", dictionary_rows(dictionary))
    connection.execute(
        f"COPY (SELECT * FROM result_dictionary ORDER BY list, position) TO '{_path(path)}' (FORMAT parquet)"
    )


def _summarise_compact(
    connection: Any,
    guideline: fibrolang.Guideline,
    engine: str,
    output: Path,
    dictionary: list[DictionaryEntry],
    input_rows: int,
    invalid: int,
) -> Summary:
    """The summary of compact results: the same counts as ``_summarise`` gives for the full
    results, read from the bit words (each distinct path decoded once)."""
    source = f"read_parquet('{_path(output)}')"
    total = int(connection.execute(f"SELECT count(*) FROM {source}").fetchone()[0])
    statuses = connection.execute(
        f"SELECT status, count(*) AS n FROM {source} GROUP BY status ORDER BY n DESC, status"
    ).fetchall()
    path_entries = sorted((e for e in dictionary if e.result_list == "path"), key=lambda e: e.position)
    path_words = sorted({e.column for e in path_entries})
    paths: list[tuple[str, int]] = []
    if path_words:
        selected = ", ".join(f'"{w}"' for w in path_words)
        for *words, n in connection.execute(
            f"SELECT {selected}, count(*) FROM {source} GROUP BY ALL"
        ).fetchall():
            value = dict(zip(path_words, words, strict=True))
            walked = [e.entry.value for e in path_entries if (value[e.column] >> e.bit) & 1]
            paths.append((" > ".join(walked), int(n)))
    given: dict[str, list[DictionaryEntry]] = {}
    for entry in dictionary:
        if entry.result_list == "recommendations" and entry.entry.item is not None:
            given.setdefault(f"{entry.entry.item.action} {entry.entry.item.intervention}", []).append(entry)
    counts: list[tuple[str, int]] = []
    if given:
        filters = []
        for entries in given.values():
            masks: dict[str, int] = {}
            for entry in entries:
                masks[entry.column] = masks.get(entry.column, 0) | (1 << entry.bit)
            held = " OR ".join(f'("{column}" & {mask}) <> 0' for column, mask in sorted(masks.items()))
            filters.append(f"count(*) FILTER (WHERE {held})")
        found = connection.execute(f"SELECT {', '.join(filters)} FROM {source}").fetchone()
        counts = [(label, int(n)) for label, n in zip(given, found, strict=True) if n]
    return Summary(
        guideline.id,
        engine,
        input_rows,
        total,
        invalid,
        [(str(s), int(n)) for s, n in statuses],
        sorted(paths, key=lambda p: (-p[1], p[0])),
        sorted(counts, key=lambda r: (-r[1], r[0])),
    )


def _summarise(
    connection: Any, guideline: fibrolang.Guideline, engine: str, output: Path, input_rows: int, invalid: int
) -> Summary:
    source = f"read_parquet('{_path(output)}')"
    total = int(connection.execute(f"SELECT count(*) FROM {source}").fetchone()[0])
    statuses = connection.execute(
        f"SELECT status, count(*) AS n FROM {source} GROUP BY status ORDER BY n DESC, status"
    ).fetchall()
    paths = connection.execute(
        f"SELECT array_to_string(path, ' > '), count(*) AS n FROM {source} GROUP BY 1 ORDER BY n DESC, 1"
    ).fetchall()
    recommendations = connection.execute(
        "SELECT given, count(*) AS n FROM (SELECT unnest(list_distinct(list_transform(recommendations, "
        f"lambda r: r.action || ' ' || r.intervention))) AS given FROM {source}) "
        "GROUP BY 1 ORDER BY n DESC, 1"
    ).fetchall()
    return Summary(
        guideline.id,
        engine,
        input_rows,
        total,
        invalid,
        [(str(s), int(n)) for s, n in statuses],
        [(str(p), int(n)) for p, n in paths],
        [(str(r), int(n)) for r, n in recommendations],
    )


# ---- the summary, as text, Markdown or HTML -------------------------------------------------


def _tables(summary: Summary) -> list[tuple[str, str, list[tuple[str, int]]]]:
    return [
        ("Patients per status", "status", summary.statuses),
        (
            "Patients per recommendation (action and intervention; ok results)",
            "recommendation",
            summary.recommendations,
        ),
        ("Patients per path (edge ids)", "path", summary.paths),
    ]


def _headline(summary: Summary) -> str:
    return (
        f"{summary.guideline} on {summary.engine}: {summary.input_rows:,} input rows = "
        f"{summary.output_rows:,} results + {summary.invalid_rows:,} invalid rows (no recommendation)"
    )


def render(summary: Summary, format_: str, path_limit: int = 20) -> str:
    if format_ == "markdown":
        return _markdown(summary, path_limit)
    if format_ == "html":
        return _html(summary, path_limit)
    lines = [_headline(summary)]
    if summary.missing_columns:
        lines.append(
            f"columns not in the file (absent for every patient): {', '.join(summary.missing_columns)}"
        )
    for title, _key, rows in _tables(summary):
        lines += ["", title + ":"]
        shown = rows[:path_limit]
        width = max((len(f"{count:,}") for _name, count in shown), default=1)
        lines += [f"  {count:>{width},}  {name}" for name, count in shown] or ["  (none)"]
        if len(rows) > len(shown):
            lines.append(f"  ... and {len(rows) - len(shown)} more")
    timings = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in summary.seconds.items())
    if timings:
        lines += ["", f"time: {timings}"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(summary: Summary, limit: int) -> str:
    lines = [f"# Population summary: {_cell(summary.guideline)}", "", _cell(_headline(summary))]
    for title, key, rows in _tables(summary):
        lines += ["", f"## {title}", "", f"| {key} | patients |", "| --- | ---: |"]
        lines += [f"| {_cell(name)} | {count} |" for name, count in rows[:limit]]
        if len(rows) > limit:
            lines.append(f"| ... and {len(rows) - limit} more | |")
    return "\n".join(lines) + "\n"


def _html(summary: Summary, limit: int) -> str:
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Population summary: {escape(summary.guideline)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #999;padding:.25em .6em;text-align:left}td.n{text-align:right}</style>",
        "</head><body>",
        f"<h1>Population summary: {escape(summary.guideline)}</h1>",
        f"<p>{escape(_headline(summary))}</p>",
    ]
    for title, key, rows in _tables(summary):
        parts.append(f"<h2>{escape(title)}</h2>")
        parts.append(f"<table><thead><tr><th>{escape(key)}</th><th>patients</th></tr></thead><tbody>")
        parts += [
            f'<tr><td>{escape(name)}</td><td class="n">{count:,}</td></tr>' for name, count in rows[:limit]
        ]
        if len(rows) > limit:
            parts.append(f"<tr><td>... and {len(rows) - limit} more</td><td></td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
