"""``fibrolang population``: validation of the patients table against the runtime's, and the command.

Differential: random Parquet tables (typed columns holding valid values, absent ones, and
invalid ones of every kind: out of range, NaN, infinities, non-integral numbers for an
integer, unknown members, lists with unknown or NULL members, fields of entries that are not
given) are checked by DuckDB; exactly the rows the runtime's validator rejects (for the
record each row stands for) are reported, each with the runtime's problems.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

import fibrolang
from compiler import api
from compiler.backends.sql.layout import Layout, LayoutColumn
from compiler.backends.sql.records import record_of_row
from compiler.cli import main
from compiler.commands.population_input import prepare, row_problems
from fibrolang.graph import NumberType

sys.path.insert(0, str(Path(__file__).parent))
from sql_answers import population as suite_population

ROOT = Path(__file__).resolve().parents[2]
FIBROMYALGIA = ROOT / "guidelines" / "fibromyalgia.fibro"


@pytest.fixture(scope="module")
def guideline() -> fibrolang.Guideline:
    return fibrolang.load(api.compile_file(FIBROMYALGIA))


def valid_value(column: LayoutColumn, rng: random.Random) -> Any:
    declared = column.declared
    if column.sql_type == "BOOLEAN":
        return rng.random() < 0.6
    if isinstance(declared, NumberType):
        low = declared.minimum if declared.minimum is not None else -10
        high = declared.maximum if declared.maximum is not None else 1000
        value = rng.uniform(low, high)
        return float(math.floor(value)) if declared.integral else round(value, 1)
    if column.sql_type == "VARCHAR":
        return rng.choice(column.enum)
    return rng.sample(list(column.enum), rng.randint(0, len(column.enum)))


def invalid_value(column: LayoutColumn, rng: random.Random) -> Any:
    declared = column.declared
    if isinstance(declared, NumberType):
        high = declared.maximum if declared.maximum is not None else 1000
        low = declared.minimum if declared.minimum is not None else -10
        bad = [math.nan, math.inf, -math.inf, low - 1, high + 0.5]
        return rng.choice([*bad, 17.5] if declared.integral else bad)
    if column.sql_type == "VARCHAR":
        return rng.choice(["Adequate", "nope", ""])
    if column.sql_type == "VARCHAR[]":
        return [*column.enum[:1], rng.choice(["nope", None, "Headache"])]
    return True  # a presence flag or a boolean: made inconsistent below


def random_row(layout: Layout, rng: random.Random) -> dict[str, Any]:
    """A consistent row (a map's fields only for entries given) with facts absent at random."""
    row: dict[str, Any] = {}
    for column in layout.columns:
        parts = column.path.split(".")
        if column.declared is None:
            given = rng.random() < (0.9 if len(parts) == 1 else 0.4)
            row[column.name] = True if given and (len(parts) == 1 or row.get(parts[0])) else None
        elif len(parts) == 3 and not row.get(f"{parts[0]}__{parts[1]}"):
            row[column.name] = None
        else:
            row[column.name] = valid_value(column, rng) if rng.random() < 0.8 else None
    return row


def random_table(layout: Layout, path: Path, count: int, seed: int) -> None:
    """A Parquet table whose integer columns are DOUBLE (so that 17.5 or NaN can be given);
    a third of the rows get one to three faults: an invalid value, or a field of an entry
    (an entry of a map) that is not given."""
    rng = random.Random(seed)
    types = {c.name: ("DOUBLE" if c.sql_type == "BIGINT" else c.sql_type) for c in layout.columns}
    connection = duckdb.connect()
    columns = ", ".join(f'"{name}" {kind}' for name, kind in {"patient_id": "VARCHAR", **types}.items())
    connection.execute(f"CREATE TABLE t ({columns})")
    rows = []
    for index in range(count):
        row = random_row(layout, rng)
        if rng.random() < 0.33:
            for column in rng.sample(layout.columns, rng.randint(1, 3)):
                row[column.name] = invalid_value(column, rng)
        rows.append([f"p{index}", *(row[c.name] for c in layout.columns)])
    marks = ", ".join("?" for _ in range(len(types) + 1))
    connection.executemany(f"INSERT INTO t VALUES ({marks})", rows)
    connection.execute(f"COPY t TO '{path}' (FORMAT parquet)")


def test_parquet_validation_reports_exactly_the_runtime_problems(
    guideline: fibrolang.Guideline, tmp_path: Path
) -> None:
    layout = Layout(guideline.graph)
    path = tmp_path / "patients.parquet"
    random_table(layout, path, 1500, seed=15)
    connection = duckdb.connect()
    prepared = prepare(connection, guideline, path, tmp_path)
    reported = {row.row: row.problems for row in prepared.invalid}
    cursor = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')")
    names = [d[0] for d in cursor.description]
    expected: dict[int, Any] = {}
    for number, values in enumerate(cursor.fetchall(), start=1):
        row = dict(zip(names, values, strict=True))
        record, layout_problems = record_of_row(layout, row)
        try:
            guideline.validate(record)
            problems: list[Any] = []
        except fibrolang.InvalidPatient as error:
            problems = list(error.problems)
        if problems or layout_problems:
            expected[number] = row_problems(guideline, layout, {**row, "row": number})
    assert 100 < len(expected) < 1000  # both kinds of row are there
    assert reported == expected
    assert prepared.input_rows == 1500 == prepared.valid_rows + len(prepared.invalid)
    valid = connection.execute("SELECT count(*) FROM patients").fetchone()
    assert valid is not None and valid[0] == prepared.valid_rows


def test_the_command_on_json_lines_csv_and_parquet(guideline: fibrolang.Guideline, tmp_path: Path) -> None:
    patients = suite_population("fibromyalgia", guideline, 200)
    lines = [json.dumps(patient) for patient in patients]
    lines += ['{"age": "old"}', "not json"]
    jsonl = tmp_path / "patients.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out.parquet"
    result = runner.invoke(
        main,
        [
            "population",
            str(FIBROMYALGIA),
            "--patients",
            str(jsonl),
            "-o",
            str(out),
            "--summary-format",
            "markdown",
        ],
    )
    assert result.exit_code == 1, result.output
    assert f"{len(lines):,} input rows = {len(patients):,} results + 2 invalid rows" in result.output
    assert "| status | patients |" in result.output
    count = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()
    assert count is not None and count[0] == len(patients)
    with (tmp_path / "out.parquet.invalid.csv").open(encoding="utf-8") as file:
        invalid = list(csv.DictReader(file))
    assert [(row["row"], row["field"], row["code"]) for row in invalid] == [
        (str(len(patients) + 1), "age", "wrong_type"),
        (str(len(patients) + 2), "", "invalid_json"),
    ]
    # the same statuses as the runtime, patient by patient
    statuses = dict(
        duckdb.connect().execute(f"SELECT patient_id, status FROM read_parquet('{out}')").fetchall()
    )
    for number, patient in enumerate(patients, start=1):
        assert statuses[str(number)] == guideline.evaluate(patient).status
    # the results as Parquet input give the same summary; HTML escapes what it shows
    parquet = tmp_path / "valid.parquet"
    connection = duckdb.connect()
    prepare(connection, guideline, jsonl, tmp_path)
    connection.execute(f"COPY patients TO '{parquet}' (FORMAT parquet)")
    summary = tmp_path / "summary.html"
    again = runner.invoke(
        main,
        [
            "population",
            str(FIBROMYALGIA),
            "--patients",
            str(parquet),
            "-o",
            str(tmp_path / "again.parquet"),
            "--summary-format",
            "html",
            "--summary",
            str(summary),
        ],
    )
    assert again.exit_code == 0, again.output
    text = summary.read_text(encoding="utf-8")
    assert "<table>" in text and "start &gt; adult/1" in text


def test_a_table_with_an_unknown_column_is_refused(guideline: fibrolang.Guideline, tmp_path: Path) -> None:
    table = tmp_path / "patients.csv"
    table.write_text("patient_id,age,egfrr\np1,40,50\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["population", str(FIBROMYALGIA), "--patients", str(table), "-o", str(tmp_path / "o.parquet")]
    )
    assert result.exit_code == 2
    assert "'egfrr' (did you mean 'egfr'?)" in result.output


def test_csv_cells_are_read_as_the_documented_values(guideline: fibrolang.Guideline, tmp_path: Path) -> None:
    table = tmp_path / "patients.csv"
    table.write_text(
        "patient_id,age,comorbidities,chronic_liver_disease,egfr,medications,medications__duloxetine,"
        "medications__duloxetine__weeks\n"
        'p1,40,"[""headache""]",false,55.5,true,true,6\n'
        "p2,forty,,,,,,\n"
        "p3,17,,,,,,3\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.parquet"
    result = CliRunner().invoke(
        main, ["population", str(FIBROMYALGIA), "--patients", str(table), "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "row 2 (p2): age: expected an integer in years, got a string" in result.output
    assert (
        "row 3 (p3): medications.duloxetine.weeks: column medications__duloxetine__weeks is given"
        in result.output
    )
    rows = duckdb.connect().execute(f"SELECT patient_id, status FROM read_parquet('{out}')").fetchall()
    expected = guideline.evaluate(
        {
            "age": 40,
            "comorbidities": ["headache"],
            "chronic_liver_disease": False,
            "egfr": 55.5,
            "medications": {"duloxetine": {"weeks": 6}},
        }
    ).status
    assert rows == [("p1", expected)]


def test_the_compact_form_writes_the_same_results_and_summary(
    guideline: fibrolang.Guideline, tmp_path: Path
) -> None:
    """``--form compact``: bit words and a dictionary beside them that decode, row by row, to
    the full form's results; the summary (statuses, paths, recommendations) is the same."""
    from compiler.backends.sql.compact import decoded
    from compiler.backends.sql.query import compact_columns, result_dictionary

    patients = suite_population("fibromyalgia", guideline, 300)
    jsonl = tmp_path / "patients.jsonl"
    jsonl.write_text("".join(json.dumps(patient) + "\n" for patient in patients), encoding="utf-8")
    summaries, rows = {}, {}
    for form in ("full", "compact"):
        out = tmp_path / f"{form}.parquet"
        summary = tmp_path / f"{form}.md"
        arguments = ["population", str(FIBROMYALGIA), "--patients", str(jsonl), "-o", str(out)]
        arguments += ["--form", form, "--summary-format", "markdown", "--summary", str(summary)]
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 0, result.output
        summaries[form] = summary.read_text(encoding="utf-8")
        cursor = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}')")
        names = [d[0] for d in cursor.description]
        rows[form] = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    assert summaries["compact"] == summaries["full"]
    assert "start &gt;" not in summaries["full"] and "| ok |" in summaries["full"]
    assert list(next(iter(rows["compact"].values()))) == compact_columns(guideline.graph)
    dictionary = result_dictionary(guideline.graph)
    assert len(rows["compact"]) == len(rows["full"]) == len(patients)
    for patient_id, full in rows["full"].items():
        assert decoded(rows["compact"][patient_id], dictionary) == full
    side = (
        duckdb.connect()
        .execute(
            f"SELECT list, count(*) FROM read_parquet('{tmp_path / 'compact.parquet.dictionary.parquet'}') "
            "GROUP BY list ORDER BY list"
        )
        .fetchall()
    )
    expected: dict[str, int] = {}
    for entry in dictionary:
        expected[entry.result_list] = expected.get(entry.result_list, 0) + 1
    assert side == sorted(expected.items())
    assert not (tmp_path / "full.parquet.dictionary.parquet").exists()


@pytest.mark.slow
def test_the_command_on_spark_gives_the_duckdb_results(
    guideline: fibrolang.Guideline, tmp_path: Path
) -> None:
    patients = suite_population("fibromyalgia", guideline, 100)
    jsonl = tmp_path / "patients.jsonl"
    jsonl.write_text("".join(json.dumps(patient) + "\n" for patient in patients), encoding="utf-8")
    outputs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.parquet"
        result = CliRunner().invoke(
            main,
            ["population", str(FIBROMYALGIA), "--patients", str(jsonl), "-o", str(out), "--engine", engine],
        )
        assert result.exit_code == 0, result.output
        assert f"fibromyalgia on {engine}: {len(patients):,} input rows" in result.output
        outputs[engine] = (
            duckdb.connect()
            .execute(f"SELECT * FROM read_parquet('{out}') ORDER BY CAST(patient_id AS INTEGER)")
            .fetchall()
        )
    assert len(outputs["duckdb"]) == len(patients)
    assert outputs["spark"] == outputs["duckdb"]
