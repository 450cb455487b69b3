"""Benchmark population evaluation: one guideline over N synthetic patients, in one run, on
DuckDB and Spark (local mode) next to the per-patient runtime and the compiled Python module.

    python benchmarks/bench_population.py --guideline guidelines/fibromyalgia.fibro \
        --patients 1000000 [--sizes 100000,1000000,10000000] [--sample 20000] [--no-spark]

The patients are generated in DuckDB (seeded ``setseed``) straight into a Parquet file laid
out as the patients table (docs/population.md): every fact absent with probability
``--missing``, numbers uniform in their declared bounds or at the guideline's thresholds,
map entries present with probability 0.3.

Timed, on the same file:

- DuckDB: the compiled query (``fibrolang compile --target sql``), read Parquet and
  ``COPY`` the results to Parquet, in both result forms: ``compact`` (the lists as BIGINT
  bit words; what ``fibrolang population --form compact`` writes) and ``full`` (the lists
  decoded), ``--rounds`` times each, with the CPU seconds the process used; compile-to-SQL
  time reported apart. At the size ``--patients``, one more run under DuckDB's profiler
  splits the operators' time into read (``READ_PARQUET``), evaluate (the projections) and
  write (``COPY``).
- Spark (local[2]): the same query (full form) transpiled to Spark SQL, read Parquet and
  write Parquet (session start reported apart).
- The runtime (``Guideline.evaluate_many``) and the compiled Python module
  (``fibrolang compile --target python``, ``evaluate``) on ``--sample`` records read back
  from the same file, scaled to N (per-patient rates do not depend on N).

``--sizes`` repeats the DuckDB measurement at each size (growth from 100k to 10M). When 1M
is among the sizes, one line starting ``TARGET (issue 15)`` gives the compact run's best
wall time of the rounds at 1,000,000 patients (and its CPU seconds) against issue 15's
target of 2 s, with the load average: the figure to quote.

DuckDB runs with the settings ``fibrolang population`` uses (``engines.tune_duckdb``: the
``projection_placement`` optimizer pass off); ``--untuned`` gives DuckDB's defaults.

``--floors`` times, on the largest file, what any query over it pays: reading every column
(``SELECT`` of all of them, counted), and writing the compact results alone (the query's
output materialised in memory first, then ``COPY``'d to Parquet), next to the query
computing only the status (every guard, no result list). ``--baseline-sql FILE`` times an
older query text (``fibrolang compile --target sql`` of an earlier commit) against the
current one (``--baseline-form``: compact, the default, or full) on the same file, alternating
``--rounds`` times (the machine is shared: a ratio within one run), wall and CPU seconds, and
checks that both write the same rows in the same order.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

import fibrolang
from compiler import api
from compiler.backends.python.module import python_module
from compiler.backends.sql.engines import tune_duckdb
from compiler.backends.sql.layout import Layout, LayoutColumn
from compiler.backends.sql.query import sql_query
from compiler.backends.sql.records import record_of_row
from fibrolang.graph import Graph, NumberType


def thresholds(graph: Graph) -> list[float]:
    from fibrolang import expressions as ex

    found: set[float] = set()

    def walk(expr: Any) -> None:
        if isinstance(expr, ex.Constant) and not isinstance(expr.value, bool):
            found.add(float(expr.value))
        for name in getattr(expr, "__dataclass_fields__", {}):
            value = getattr(expr, name)
            for child in value if isinstance(value, tuple) else (value,):
                if type(child).__module__ == ex.__name__:
                    walk(child)

    for definition in graph.definitions:
        walk(definition.expr)
    for node in graph.nodes:
        for edge in getattr(node, "branches", ()):
            walk(edge.guard)
        for item in getattr(node, "items", ()):
            walk(item.guard)
    return sorted(found)


def _value(column: LayoutColumn, near: list[float]) -> str:
    declared = column.declared
    if column.sql_type == "BOOLEAN":
        return "random() < 0.5"
    if isinstance(declared, NumberType):
        low = declared.minimum if declared.minimum is not None else 0
        high = declared.maximum if declared.maximum is not None else 1000
        points = [value for value in near if low <= value <= high] or [low]
        listed = ", ".join(repr(float(p)) for p in points)
        uniform = f"({low} + random() * ({high} - {low}))"
        pick = f"list_extract([{listed}], 1 + floor(random() * {len(points)})::INTEGER)"
        value = f"CASE WHEN random() < 0.5 THEN {pick} ELSE {uniform} END"
        return f"round({value})::BIGINT" if declared.integral else f"round({value}, 1)::DOUBLE"
    members = ", ".join("'" + m + "'" for m in column.enum)
    if column.sql_type == "VARCHAR":
        return f"list_extract([{members}], 1 + floor(random() * {len(column.enum)})::INTEGER)"
    return f"list_filter([{members}], lambda x: random() < 0.3)"


def make_population(graph: Graph, path: Path, count: int, seed: int, missing: float) -> None:
    """``count`` synthetic patients as Parquet (seeded), in the patients table layout."""
    layout = Layout(graph)
    near = thresholds(graph)
    raw = ["range::VARCHAR AS patient_id"]
    final = ["patient_id"]
    for column in layout.columns:
        name = f'"{column.name}"'
        parts = column.path.split(".")
        if column.declared is None:
            chance = 1 - missing if len(parts) == 1 else 0.3
            raw.append(f"CASE WHEN random() < {chance} THEN TRUE END AS {name}")
            if len(parts) == 1:
                final.append(name)
            else:
                final.append(f'CASE WHEN "{parts[0]}" THEN {name} END AS {name}')
            continue
        raw.append(f"CASE WHEN random() >= {missing} THEN {_value(column, near)} END AS {name}")
        if len(parts) == 3:
            entry = f'"{parts[0]}__{parts[1]}"'
            final.append(f'CASE WHEN "{parts[0]}" AND {entry} THEN {name} END AS {name}')
        else:
            final.append(name)
    connection = duckdb.connect()
    connection.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    connection.execute(
        f"COPY (SELECT {', '.join(final)} FROM (SELECT {', '.join(raw)} FROM range({count}))) "
        f"TO '{path}' (FORMAT parquet)"
    )


TUNED = True  # DuckDB settings as `fibrolang population` runs the query (engines.tune_duckdb)


def connect(path: Path) -> Any:
    """A DuckDB connection with the view ``patients`` over the Parquet file, set up as
    `fibrolang population` runs the query (unless ``--untuned``)."""
    connection = duckdb.connect()
    if TUNED:
        tune_duckdb(connection)
    connection.execute(f"CREATE VIEW patients AS SELECT * FROM read_parquet('{path}')")
    return connection


def time_duckdb(query: str, path: Path, out: Path, rounds: int = 1) -> list[tuple[float, float]]:
    """Per round: seconds to read, evaluate and write Parquet, and the CPU seconds the process
    used meanwhile (DuckDB's threads included)."""
    connection = connect(path)
    body = query.rstrip().rstrip(";")
    measured = []
    for _round in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        connection.execute(f"COPY ({body}) TO '{out}' (FORMAT parquet)")
        measured.append((time.perf_counter() - started, time.process_time() - cpu))
    return measured


def profile_duckdb(query: str, path: Path, out: Path, directory: Path) -> dict[str, float]:
    """DuckDB's profiler on one read+evaluate+write run: the operators' times (summed over the
    threads) grouped as read (READ_PARQUET), evaluate (the projections) and write (COPY)."""
    connection = connect(path)
    report = directory / "profile.json"
    connection.execute("PRAGMA enable_profiling = 'json'")
    connection.execute(f"PRAGMA profiling_output = '{report}'")
    connection.execute(f"COPY ({query.rstrip().rstrip(';')}) TO '{out}' (FORMAT parquet)")
    connection.execute("PRAGMA disable_profiling")
    profile = json.loads(report.read_text(encoding="utf-8"))
    parts = {"read": 0.0, "evaluate": 0.0, "write": 0.0, "other": 0.0}

    def walk(node: dict[str, Any]) -> None:
        kind = str(node.get("operator_type", node.get("type", "")))
        seconds = float(node.get("operator_timing", node.get("timing", 0.0)) or 0.0)
        if "READ_PARQUET" in kind or "TABLE_SCAN" in kind:
            parts["read"] += seconds
        elif kind == "PROJECTION":
            parts["evaluate"] += seconds
        elif "COPY_TO_FILE" in kind:
            parts["write"] += seconds
        else:
            parts["other"] += seconds
        for child in node.get("children", []):
            walk(child)

    for node in profile.get("operator", profile.get("children", [])):
        walk(node)
    return parts


def _timed(connection: Any, sql: str) -> float:
    started = time.perf_counter()
    connection.execute(sql).fetchall()
    return time.perf_counter() - started


def time_floors(query: str, path: Path, out: Path, rounds: int) -> dict[str, float]:
    """Best of ``rounds`` seconds: read every column; the status alone (every guard, no
    result list); write the finished results (materialised first) to Parquet."""
    connection = connect(path)
    body = query.rstrip().rstrip(";")
    names = [row[0] for row in connection.execute("DESCRIBE patients").fetchall()]
    scan = "SELECT " + ", ".join(f'count("{name}")' for name in names) + " FROM patients"
    connection.execute(f"CREATE TEMP TABLE results AS {body}")
    timings: dict[str, list[float]] = {}
    for _round in range(rounds):
        timings.setdefault("read every column", []).append(_timed(connection, scan))
        timings.setdefault("query, status only", []).append(
            _timed(connection, f'SELECT count("status") FROM ({body})')
        )
        timings.setdefault("write the results alone", []).append(
            _timed(connection, f"COPY results TO '{out}' (FORMAT parquet)")
        )
    return {name: min(values) for name, values in timings.items()}


def time_against(
    baseline: str, query: str, path: Path, directory: Path, rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """The baseline and the current query, read+evaluate+write, alternating; the outputs are
    compared row by row, in order. Per round: (wall, CPU) seconds."""
    connection = connect(path)
    timings: dict[str, list[tuple[float, float]]] = {"baseline": [], "current": []}
    for _round in range(rounds):
        for name, text in (("baseline", baseline), ("current", query)):
            body = text.rstrip().rstrip(";")
            target = directory / f"{name}.parquet"
            cpu = time.process_time()
            wall = _timed(connection, f"COPY ({body}) TO '{target}' (FORMAT parquet)")
            timings[name].append((wall, time.process_time() - cpu))
    numbered = "SELECT row_number() OVER () AS row_number, * FROM read_parquet('{}')"
    differing = connection.execute(
        f"SELECT count(*) FROM (({numbered.format(directory / 'baseline.parquet')}) "
        f"EXCEPT ALL ({numbered.format(directory / 'current.parquet')}))"
    ).fetchone()
    assert differing is not None and differing[0] == 0, f"{differing} rows differ from the baseline's"
    return timings


def time_spark(graph: Graph, path: Path, out: Path) -> tuple[float, float]:
    from compiler.backends.sql.engines import spark_session

    started = time.perf_counter()
    session = spark_session()
    session.range(1).collect()
    start_up = time.perf_counter() - started
    query = sql_query(graph, "spark").rstrip().rstrip(";")
    started = time.perf_counter()
    session.read.parquet(str(path)).createOrReplaceTempView("patients")
    session.sql(query).write.mode("overwrite").parquet(str(out))
    return start_up, time.perf_counter() - started


def sample_records(graph: Graph, path: Path, count: int) -> list[dict[str, Any]]:
    layout = Layout(graph)
    cursor = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}') LIMIT {count}")
    names = [d[0] for d in cursor.description]
    records = []
    for values in cursor.fetchall():
        record, problems = record_of_row(layout, dict(zip(names, values, strict=True)))
        assert not problems
        records.append(record)
    return records


def time_runtime(guideline: fibrolang.Guideline, records: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for _result in guideline.evaluate_many(records):
        pass
    return time.perf_counter() - started


def time_python_module(graph: Graph, records: list[dict[str, Any]], directory: Path) -> float:
    path = directory / "generated_guideline.py"
    path.write_text(python_module(graph), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("generated_guideline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started = time.perf_counter()
    for record in records:
        module.evaluate(record)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--guideline", type=Path, default=Path("guidelines/fibromyalgia.fibro"))
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="", help="comma-separated sizes for the DuckDB growth table")
    parser.add_argument(
        "--sample", type=int, default=20_000, help="records for the runtime and Python module"
    )
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--missing", type=float, default=0.05)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--compact-only", action="store_true", help="time only the compact results")
    parser.add_argument("--floors", action="store_true", help="time reading alone and writing alone")
    parser.add_argument("--baseline-sql", type=Path, default=None, help="an older query to time against")
    parser.add_argument(
        "--baseline-form",
        choices=("compact", "full"),
        default="compact",
        help="the current query's form to time against --baseline-sql (compact: the target's)",
    )
    parser.add_argument(
        "--untuned",
        action="store_true",
        help="DuckDB's default settings instead of those `fibrolang population` uses",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each DuckDB timing")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    global TUNED
    TUNED = not args.untuned

    guideline = fibrolang.load(api.compile_file(args.guideline))
    graph = guideline.graph
    print(
        f"{platform.python_implementation()} {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(dir=args.workdir) as scratch:
        directory = Path(scratch)
        started = time.perf_counter()
        query = sql_query(graph, "duckdb")
        compile_seconds = time.perf_counter() - started
        compact = sql_query(graph, "duckdb", form="compact")
        print(f"compile to SQL: {compile_seconds:.2f} s ({len(query):,}, compact {len(compact):,})")
        sizes = [int(s) for s in args.sizes.split(",") if s] or [args.patients]
        if args.patients not in sizes:
            sizes.append(args.patients)
        walls: dict[int, float] = {}
        targets: dict[int, tuple[float, float]] = {}  # per size: the compact form's best (wall, CPU)
        for size in sorted(sizes):
            path = directory / f"patients-{size}.parquet"
            started = time.perf_counter()
            make_population(graph, path, size, args.seed, args.missing)
            made = time.perf_counter() - started
            print(f"{size:,} patients generated in {made:.1f} s (load average {os.getloadavg()[0]:.1f})")
            for form, text in (("compact", compact), ("full", query)):
                if form == "full" and args.compact_only:
                    continue
                measured = time_duckdb(text, path, directory / "out.parquet", args.rounds)
                best = min(wall for wall, _cpu in measured)
                if form == "compact":
                    walls[size] = best
                    targets[size] = min(measured)
                shown = ", ".join(f"{wall:.2f} s (CPU {cpu:.2f} s)" for wall, cpu in measured)
                print(
                    f"duckdb {form:<7} {size:>11,} patients: read+evaluate+write {shown}; best "
                    f"{size / best:,.0f} patients/s; load average {os.getloadavg()[0]:.1f}"
                )
                if size == args.patients and size <= 1_000_000:
                    parts = profile_duckdb(text, path, directory / "out.parquet", directory)
                    total = sum(parts.values()) or 1.0
                    print(
                        "  DuckDB profiler, operator seconds summed over threads: "
                        + ", ".join(f"{name} {sec:.2f} ({sec / total:.0%})" for name, sec in parts.items())
                    )
            if size != args.patients:
                path.unlink()
        path = directory / f"patients-{args.patients}.parquet"
        n = args.patients
        if 1_000_000 in targets:
            wall, cpu = targets[1_000_000]
            verdict = "met" if wall <= 2.0 else "NOT met"
            threads = connect(path).execute("SELECT current_setting('threads')").fetchone()
            print(
                f"TARGET (issue 15) 1,000,000 patients through DuckDB in <= 2 s (compact results, read + "
                f"evaluate + write Parquet, {threads[0] if threads else '?'} DuckDB threads): "
                f"best wall {wall:.2f} s (CPU {cpu:.2f} s): {verdict}; "
                f"load average {os.getloadavg()[0]:.1f}"
            )
        if args.floors:
            floors = time_floors(compact, path, directory / "floor.parquet", args.rounds)
            for name, seconds in floors.items():
                print(f"floor, {name:<26} {seconds:6.2f} s (best of {args.rounds})")
        if args.baseline_sql is not None:
            baseline = args.baseline_sql.read_text(encoding="utf-8")
            current = compact if args.baseline_form == "compact" else query
            against = time_against(baseline, current, path, directory, args.rounds)
            for name, values in against.items():
                shown = ", ".join(f"{wall:.2f} s (CPU {cpu:.2f} s)" for wall, cpu in values)
                print(
                    f"{name:<8} ({args.baseline_form}) read+evaluate+write: {shown}; "
                    f"best {min(wall for wall, _cpu in values):.2f} s"
                )
            print(
                "current / baseline, round by round, wall: "
                + ", ".join(
                    f"{c[0] / b[0]:.2f}" for b, c in zip(against["baseline"], against["current"], strict=True)
                )
                + "; CPU: "
                + ", ".join(
                    f"{c[1] / b[1]:.2f}" for b, c in zip(against["baseline"], against["current"], strict=True)
                )
                + f" (same rows, same order; load average {os.getloadavg()[0]:.1f})"
            )
        results = {"duckdb (compact results)": walls[n]}
        if not args.no_spark:
            start_up, spark_seconds = time_spark(graph, path, directory / "spark-out")
            results["spark local[2]"] = spark_seconds
            print(f"spark: session start {start_up:.1f} s; {spark_seconds:.2f} s read+evaluate+write")
        records = sample_records(graph, path, args.sample)
        runtime = time_runtime(guideline, records) * n / len(records)
        module = time_python_module(graph, records, directory) * n / len(records)
        results["runtime evaluate_many"] = runtime
        results["python module evaluate"] = module
        print(f"\n{n:,} patients (runtime and Python module: {len(records):,} records, scaled):")
        for name, seconds in results.items():
            print(
                f"  {name:<24} {seconds:9.2f} s  {n / seconds:>12,.0f} patients/s  "
                f"{seconds / walls[n]:7.1f} x duckdb"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
