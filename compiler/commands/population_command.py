"""The ``fibrolang population`` command (registered in ``compiler.cli``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

ENGINES = ("duckdb", "spark")
SUMMARY_FORMATS = ("text", "markdown", "html")
FORMS = ("full", "compact")

INVALID_SHOWN = 20


@click.command(name="population")
@click.argument("guideline", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--patients",
    "patients_file",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="the patients table: .parquet or .csv (docs/population.md), or .jsonl (one patient record a line)",
)
@click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="the results (Parquet)",
)
@click.option(
    "--form",
    type=click.Choice(FORMS),
    default="full",
    show_default=True,
    help="full: the result lists as list columns; compact: the lists as bit words (BIGINT columns), "
    "decoded by OUTPUT.dictionary.parquet (faster to compute and write; docs/population.md)",
)
@click.option(
    "--summary-format",
    type=click.Choice(SUMMARY_FORMATS),
    default="text",
    show_default=True,
    help="how to print the summary (patients per status, path and recommendation)",
)
@click.option(
    "--summary",
    "summary_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="write the summary to this file instead of printing it",
)
def population_command(
    guideline: Path,
    patients_file: Path,
    engine: str,
    output: Path,
    form: str,
    summary_format: str,
    summary_file: Path | None,
) -> None:
    """Evaluate a guideline (.fibro source or compiled .json graph) over a whole population,
    as one SQL query on DuckDB (embedded) or Spark (local mode).

    Invalid rows get no recommendation: each is reported (row, field, problem) and all are
    written to OUTPUT.invalid.csv. Exit 0 when every row was valid, 1 when any was invalid
    or the guideline cannot be compiled to SQL, 2 when the patients file cannot be read as a
    patients table."""
    from compiler.backends.sql.layout import SqlTargetError
    from compiler.commands import patients
    from compiler.commands.population import render, run
    from compiler.commands.population_input import PopulationError

    try:
        loaded = patients.load_guideline(guideline)
    except Exception as error:
        click.echo(f"fibrolang population: cannot load {guideline}: {error}", err=True)
        sys.exit(1)
    stages = ["reading and validating", "compiling", "evaluating", "summarising"]
    with click.progressbar(
        length=len(stages),
        label="population",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda stage: stage,
    ) as bar:
        started = [False]

        def step(stage: str) -> None:  # called as each stage starts: the bar counts those finished
            bar.update(1 if started[0] else 0, stage)
            started[0] = True

        try:
            result = run(loaded, patients_file, output, engine, step, progress=sys.stderr.isatty(), form=form)
        except SqlTargetError as error:
            click.echo(f"\nerror: the SQL target cannot express {guideline}: {error}", err=True)
            sys.exit(1)
        except PopulationError as error:
            click.echo(f"\nerror: {error}", err=True)
            sys.exit(2)
        bar.update(len(stages) - bar.pos, "done")
    invalid = result.invalid
    side = output.with_name(output.name + ".invalid.csv")
    side.unlink(missing_ok=True)  # never a stale list from an earlier run
    if invalid:
        _write_invalid(side, invalid)
        click.echo(
            f"{len(invalid):,} invalid row(s), no recommendation for them (all listed in {side}):", err=True
        )
        shown = [(row, problem) for row in invalid for problem in row.problems][:INVALID_SHOWN]
        for row, problem in shown:
            who = f" ({row.patient_id})" if row.patient_id else ""
            click.echo(f"  row {row.row}{who}: {problem}", err=True)
        total = sum(len(row.problems) for row in invalid)
        if total > len(shown):
            click.echo(f"  ... and {total - len(shown)} more problem(s)", err=True)
    text = render(result.summary, summary_format)
    if summary_file is None:
        click.echo(text, nl=False)
    else:
        summary_file.parent.mkdir(parents=True, exist_ok=True)
        summary_file.write_text(text, encoding="utf-8")
        click.echo(f"wrote {summary_file}", err=True)
    click.echo(f"wrote {output} ({result.summary.output_rows:,} results)", err=True)
    if form == "compact":
        from compiler.commands.population import dictionary_path

        click.echo(f"wrote {dictionary_path(output)} (what each bit of the compact columns means)", err=True)
    sys.exit(1 if invalid else 0)


def _write_invalid(path: Path, invalid: list) -> None:  # type: ignore[type-arg]
    import csv

    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["row", "patient_id", "field", "problem", "code"])
        for row in invalid:
            for problem in row.problems:
                writer.writerow([row.row, row.patient_id or "", problem.path, problem.message, problem.code])
