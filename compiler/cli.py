"""The ``fibrolang`` command line: a thin layer over compiler.api.

Exit codes: 0 clean, 1 problems found (errors in a guideline, a failed
proof, a stale artifact), 2 usage or internal error. An exception no
command expected is reported in one sentence (``Commands``), never as a
traceback unless ``FIBROLANG_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from compiler import api, proof_cache
from compiler.diagnostics.catalogue import Diagnostic, has_errors
from compiler.diagnostics.renderers import render_json, render_text

FORMATS = click.Choice(["human", "plain", "json"])


def _colour(format_: str) -> bool:
    return format_ == "human" and sys.stdout.isatty()


def compile_or_exit(guideline: Path, format_: str) -> dict[str, Any]:
    """The decision graph of a guideline; on problems, print them and exit
    (1 for errors in the guideline, 2 for an internal error)."""
    sources = api.SourceCache()
    checked = api.check_file(guideline, sources)
    if not checked.ok:
        emit_diagnostics(checked.diagnostics, format_, sources)
        sys.exit(1)
    try:
        return api.compile_checked(checked)
    except api.CompileError as error:
        emit_diagnostics(error.diagnostics, format_, sources)
        sys.exit(2)


def emit_diagnostics(diagnostics: list[Diagnostic], format_: str, sources: api.SourceCache) -> None:
    if format_ == "json":
        click.echo(render_json(diagnostics))
    elif diagnostics:
        click.echo(render_text(diagnostics, sources.line, colour=_colour(format_)), err=False)


DEBUG_VARIABLE = "FIBROLANG_DEBUG"


# Commands whose modules (and what they import: jinja2, the review pages) load only when
# they run or when help lists them, not on every start-up: name -> (module, command).
LAZY_COMMANDS = {
    "diff": ("compiler.commands.diff_command", "diff_command"),
    "review": ("compiler.commands.review_command", "review_command"),
    "population": ("compiler.commands.population_command", "population_command"),
}


class Commands(click.Group):
    """The command group, with one last line of defence: an exception no command expected (a
    bug in fibrolang) is reported in one sentence with exit code 2, not as a traceback.
    ``FIBROLANG_DEBUG=1`` lets it through, traceback and all, for the bug report."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attribute = LAZY_COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (``| head``): not a bug, nothing more to say
            with contextlib.suppress(OSError, ValueError):  # no more writes to the closed pipe at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except Exception as error:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            where = f"fibrolang {ctx.invoked_subcommand}" if ctx.invoked_subcommand else "fibrolang"
            click.echo(f"{where}: internal error: {type(error).__name__}: {error}", err=True)
            click.echo(
                "  This is a bug in fibrolang, not a problem in your files: do not use any output\n"
                "  of this run. Please report it with the command and the files it read; run it\n"
                f"  again with {DEBUG_VARIABLE}=1 to see where it happened.",
                err=True,
            )
            ctx.exit(2)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fibrolang")
def main() -> None:
    """fibrolang: write clinical pathways, check them, compile them to a
    decision graph, draw them, and test them."""


# For the commands that read the committed generated suites (coverage, mutate).
SUITE_DIR = click.option(
    "--suite",
    "suite_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("tests/generated"),
    show_default=True,
    help="the directory of the generated suites",
)

# For the commands that ask z3 for patients (testgen, coverage, mutate).
SOLVER_TIMEOUT = click.option(
    "--solver-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="seconds z3 may spend on one question; one it cannot decide in time is reported, never guessed",
)


@main.command()
@click.argument("guidelines", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_",
    type=FORMATS,
    default="human",
    show_default=True,
    help="human (colour on a terminal), plain (no colour) or json",
)
@click.option(
    "--no-prove",
    is_flag=True,
    help="skip the solver: no reachability, completeness, overlap, conflict or invariant proofs",
)
@click.option(
    "--solver-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="seconds the solver may spend on one question before answering unknown (FIB220)",
)
@click.option(
    "--proof-budget",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="seconds all the proofs of one guideline may take; what is left undecided is "
    "reported (FIB221, exit 1); 0: no budget",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="parse and prove afresh: neither read nor write the cache of syntax trees and proofs "
    "(compiler/parse_cache.py, compiler/proof_cache.py)",
)
def check(
    guidelines: tuple[Path, ...],
    format_: str,
    no_prove: bool,
    solver_timeout: float,
    proof_budget: float,
    no_cache: bool,
) -> None:
    """Check guidelines: syntax, names, types, units, ranges, citations,
    quotes against the source, and the shape of the pathway; then prove, for
    every possible patient, that every branch is reachable, every decision
    complete, exclusive branches exclusive, no plan recommends what it avoids
    or contraindicates, and every invariant holds (counterexamples are
    printed as patient JSON). The syntax tree and the proofs of a guideline checked
    before, unchanged, with the same toolchain and limits, are read from a cache
    (--no-cache: parse and prove afresh)."""
    sources = api.SourceCache()
    found: list[Diagnostic] = []
    cache = None if no_cache else proof_cache.cache_dir()
    for path in guidelines:
        checked = api.check_file(path, sources, cache)
        found.extend(checked.diagnostics)
        if checked.ok and not no_prove:
            budget = proof_budget or None
            timeout_ms = int(solver_timeout * 1000)
            found.extend(proof_cache.prove(checked, timeout_ms, budget, cache))
    emit_diagnostics(found, format_, sources)
    if format_ != "json" and not found:
        names = ", ".join(str(p) for p in guidelines)
        click.echo(f"{names}: no problems found")
    internal = any(d.code.startswith("FIB9") for d in found)
    sys.exit(2 if internal else 1 if has_errors(found) else 0)


@main.command(name="compile")
@click.argument("guideline", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="where to write the graph JSON (default: standard output)",
)
@click.option(
    "--format", "format_", type=FORMATS, default="human", show_default=True, help="how to print problems"
)
@click.option(
    "--target",
    type=click.Choice(["graph", "python", "fhir", "sql"]),
    default="graph",
    show_default=True,
    help="graph: the decision graph JSON; python: a standalone Python module (docs/python-target.md); "
    "fhir: a CPG-on-FHIR PlanDefinition (docs/fhir.md); sql: one query over a patients table "
    "(docs/population.md)",
)
@click.option(
    "--dialect",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="the SQL dialect of --target sql",
)
def compile_command(guideline: Path, output: Path | None, format_: str, target: str, dialect: str) -> None:
    """Compile a guideline to its decision graph (canonical JSON) for the runtime, or to
    another target."""
    from compiler.backends.graph_json import dumps

    document = compile_or_exit(guideline, format_)
    if target == "python":
        from compiler.backends.python.module import PythonTargetError, module_of_document

        try:
            text = module_of_document(document)
        except PythonTargetError as error:
            click.echo(f"error: cannot write {guideline} as a Python module: {error}", err=True)
            sys.exit(1)
    elif target == "fhir":
        from compiler.backends.fhir.plan_definition import plan_definition

        text = dumps(plan_definition(document))
    elif target == "sql":
        from compiler.backends.sql import sql_of_document
        from compiler.backends.sql.layout import SqlTargetError

        try:
            text = sql_of_document(document, dialect)
        except SqlTargetError as error:
            place = f"{guideline}:{error.line}:{error.column}" if error.line else str(guideline)
            # An element SQL cannot express is named (``where``); a refusal of the whole
            # guideline (compiler/backends/refusals.py) is already a sentence.
            what = f"the SQL target cannot express {error}" if error.where else str(error)
            click.echo(f"{place}: error: {what}", err=True)
            sys.exit(1)
        except ImportError as error:
            click.echo(f"error: --target sql needs the population extra ({error})", err=True)
            sys.exit(2)
    else:
        text = dumps(document)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("guidelines", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="do not write; fail if any committed artifact is missing or stale",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="the project root (docs/ lives there)",
)
def build(guidelines: tuple[Path, ...], check_only: bool, root: Path) -> None:
    """Regenerate every committed artifact of each guideline: the graph JSON,
    the flowcharts, the traceability and safety reports. With --check, verify them."""
    from compiler.commands import build as building

    for path in guidelines:  # the reports name each guideline by its path under the root
        if not path.resolve().is_relative_to(root.resolve()):
            raise click.UsageError(
                f"{path} is not inside the project root {root} (--root): give a root that holds it"
            )
    failed = False
    produced: dict[Path, list[building.Artifact]] = {}
    for path in guidelines:
        sources = api.SourceCache()
        artifacts, checked = building.artifacts_for(path, root)
        if not checked.ok:
            if checked.source is not None:
                sources.add(checked.source)
            emit_diagnostics(checked.diagnostics, "plain", sources)
            failed = True
            continue
        produced[path] = artifacts
    clashes = building.clashes(produced)
    for artifact_path, writers in clashes.items():
        names = " and ".join(str(writer) for writer in writers)
        click.echo(f"{artifact_path}: written by both {names}; it can hold only one", err=True)
        failed = True
    for path, artifacts in produced.items():
        if clashes:
            break  # write or check nothing that two guidelines claim
        if check_only:
            for stale_path in building.stale(artifacts):
                click.echo(f"{stale_path}: stale or missing; run `fibrolang build {path}`")
                failed = True
        else:
            for written in building.write(artifacts):
                click.echo(f"wrote {written}")
    if check_only and not failed:
        click.echo(f"all artifacts current for {len(guidelines)} guideline(s)")
    sys.exit(1 if failed else 0)


@main.command(name="trace")
@click.argument("guideline", type=click.Path(path_type=Path))
@click.option(
    "--source", "source_name", default=None, help="which declared source to trace (default: the first)"
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="write the Markdown report here (default: standard output)",
)
def trace_command(guideline: Path, source_name: str | None, output: Path | None) -> None:
    """List each sentence of the guideline's source and the elements that
    encode it (or the waiver that exempts it). Exits 1 if a sentence is unmapped."""
    from compiler.traceability.report import report_markdown, trace
    from fibrolang.printable import printable

    sources = api.SourceCache()
    checked = api.check_file(guideline, sources)
    if checked.guideline is None or not checked.ok:
        emit_diagnostics(checked.diagnostics, "plain", sources)
        sys.exit(1)
    try:
        report = trace(checked.guideline, guideline.resolve().parent, source_name)
    except (ValueError, OSError) as error:
        click.echo(f"fibrolang trace: {error}", err=True)
        sys.exit(2)
    text = report_markdown(report)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    for entry in report.unmapped:
        where = f"{report.source_file}:{entry.sentence.line}"
        click.echo(printable(f"{where}: unmapped: {entry.sentence.text}"), err=True)
    for quote in report.unlocated_quotes:
        where = f"{guideline}:{quote.line}"
        click.echo(printable(f"{where}: quote not found in the source ({quote.description})"), err=True)
    sys.exit(1 if report.unmapped else 0)


@main.command(name="eval")
@click.argument("guideline", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--patient",
    "patient_file",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="a JSON patient, or a JSON Lines file with one patient per line",
)
@click.option("--explain", is_flag=True, help="add a human-readable account of the decisions taken")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: the result as data; text: a short account",
)
def eval_command(guideline: Path, patient_file: Path, explain: bool, format_: str) -> None:
    """Evaluate patients against a guideline (.fibro source or compiled .json graph).

    Exit 0 when every patient got a result, 1 when any patient record was
    invalid (its problems are listed instead of a result), 2 on usage errors."""
    from compiler.commands import patients
    from fibrolang.explain import asked_later

    try:
        loaded = patients.load_guideline(guideline)
    except api.CompileError as error:
        sources = api.SourceCache()
        checked = api.check_file(guideline, sources)
        emit_diagnostics(checked.diagnostics or error.diagnostics, "plain", sources)
        sys.exit(1)
    except Exception as error:  # a graph file that is not a fibrolang graph
        click.echo(f"fibrolang eval: cannot load {guideline}: {error}", err=True)
        sys.exit(2)
    try:
        many, records = patients.read_patients(patient_file)
    except OSError as error:
        click.echo(f"fibrolang eval: cannot read {patient_file}: {error}", err=True)
        sys.exit(2)
    invalid = False

    def show(evaluated: patients.Outcome) -> None:
        nonlocal invalid
        outcome = evaluated.data
        if evaluated.result is None:
            invalid = True
            if format_ == "text" or not many:
                click.echo(patients.describe_error(outcome), err=format_ == "json")
                if format_ == "json" and not many:
                    click.echo(patients.json_line(outcome))
                return
        elif format_ == "text":
            if explain:
                text = loaded.explain(evaluated.result, evaluated.patient)
            else:
                later = asked_later(loaded.graph, evaluated.result, evaluated.patient or {})
                text = patients.summary_text(outcome, later)
            click.echo(text)
            return
        elif explain:
            outcome = {**outcome, "explanation": loaded.explain(evaluated.result, evaluated.patient)}
        click.echo(patients.json_line(outcome, indent=None if many else 2))

    stream = patients.iterate(loaded, records)
    if many and sys.stderr.isatty():
        with click.progressbar(stream, label="patients", file=sys.stderr) as bar:
            for outcome in bar:
                show(outcome)
    else:
        for outcome in stream:
            show(outcome)
    sys.exit(1 if invalid else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="change nothing; show a diff for each file that is not formatted")
def fmt(files: tuple[Path, ...], check: bool) -> None:
    """Rewrite guidelines in the one canonical layout, keeping every comment.
    Exits 1 if a file has syntax errors (or, with --check, is not formatted)."""
    from compiler.format.formatter import run_fmt

    sys.exit(run_fmt(list(files), check=check))


@main.command(name="graph")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="the file to write: .svg, .pdf, .png or .dot (the extension picks the format)",
)
@click.option(
    "--direction",
    type=click.Choice(["TB", "LR"]),
    default="TB",
    show_default=True,
    help="TB: top to bottom; LR: left to right",
)
@click.option(
    "--patient",
    type=click.Path(path_type=Path),
    default=None,
    help="a patient record (JSON): highlight the path this patient takes, for case review",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter", "one-page"]),
    default=None,
    help="for .pdf: the printable multi-page chart on A4 (the default) or Letter, "
    "or one-page: the whole chart on one large page like the SVG",
)
@click.option(
    "--format", "format_", type=FORMATS, default="human", show_default=True, help="how to print problems"
)
def graph_command(
    source: Path, output: Path, direction: str, patient: Path | None, paper: str | None, format_: str
) -> None:
    """Draw the flowchart of a guideline (.fibro) or of its decision graph (.json)."""
    import json

    from compiler.backends.flowchart.files import RenderError, format_of, write_flowchart

    try:
        output_format = format_of(output)
    except RenderError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if paper is not None and output_format != "pdf":
        click.echo("error: --paper applies to .pdf output only", err=True)
        sys.exit(2)
    if source.suffix.lower() == ".json":
        from fibrolang import GuidelineError, read_graph
        from fibrolang.integrity import verify

        try:
            raw = source.read_bytes()
            decision_graph = json.loads(raw.decode("utf-8"))
            verify(decision_graph, raw, f"graph file {source}")  # never draw a changed graph
            read_graph(decision_graph)  # the chart draws the typed graph: a malformed one stops here
        except (OSError, ValueError, GuidelineError) as error:
            click.echo(f"error: cannot read the graph {source}: {error}", err=True)
            sys.exit(2)
    else:
        decision_graph = compile_or_exit(source, format_)
    highlight = None
    if patient is not None:
        import fibrolang

        try:
            record = json.loads(patient.read_text(encoding="utf-8"))
            highlight = fibrolang.load(decision_graph).evaluate(record).trace
        except (OSError, ValueError, fibrolang.GuidelineError, fibrolang.SafetyViolation) as error:
            click.echo(f"error: cannot evaluate {patient}: {error}", err=True)
            sys.exit(1)
    try:
        written = write_flowchart(
            decision_graph,
            output,
            direction=direction,
            highlight=highlight,
            paper=None if paper == "one-page" else (paper or "a4"),
        )
    except RenderError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"wrote {written}", err=True)


@main.command()
@click.argument(
    "guidelines", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False)
)
@click.option(
    "-o",
    "--output",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("tests/generated"),
    show_default=True,
    help="the directory of the generated suites",
)
@click.option("--check", "check_only", is_flag=True, help="write nothing; fail if a committed suite is stale")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="the project root: paths in the generated header are relative to it",
)
@click.option(
    "--path-limit",
    type=click.IntRange(min=1),
    default=None,
    help="test every complete path up to this many paths (default 128); above, cover pairs of decisions",
)
@SOLVER_TIMEOUT
def testgen(
    guidelines: tuple[Path, ...],
    output_dir: Path,
    check_only: bool,
    root: Path,
    path_limit: int | None,
    solver_timeout: float,
) -> None:
    """Generate a pytest suite per guideline: a witness patient for every edge and
    path, each guarded item applying and not, boundary patients at every
    threshold, every arm of every `if` and value of every output, MC/DC on yes/no
    definitions and a patient without each input read, each pinned by a syrupy
    snapshot (docs/testing.md)."""
    from compiler.commands import testgen_commands as commands
    from compiler.testgen.cases import PATH_LIMIT

    limit = path_limit or PATH_LIMIT
    timeout = int(solver_timeout * 1000)
    sys.exit(commands.testgen(list(guidelines), output_dir, check_only, root, limit, timeout, click.echo))


@main.command()
@click.argument(
    "guidelines", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False)
)
@SUITE_DIR
@click.option(
    "--fail-under",
    type=click.FloatRange(min=0, max=100),
    default=100.0,
    show_default=True,
    help="exit 1 when edge coverage, or any other coverage kind (arms, output values, MC/DC, "
    "boundaries, missing data), is below this percentage",
)
@SOLVER_TIMEOUT
def coverage(guidelines: tuple[Path, ...], suite_dir: Path, fail_under: float, solver_timeout: float) -> None:
    """Report the coverage of the committed generated suites (edges, paths, item
    outcomes, arms, output values, MC/DC, boundaries, missing data), with a patient
    for everything missing; exit 1 when a kind is below --fail-under."""
    from compiler.commands import testgen_commands as commands
    from compiler.testgen.cases import PATH_LIMIT

    timeout = int(solver_timeout * 1000)
    sys.exit(commands.coverage(list(guidelines), suite_dir, fail_under, PATH_LIMIT, timeout, click.echo))


@main.command()
@click.argument("guideline", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@SUITE_DIR
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="write a Markdown report",
)
@click.option("--no-classify", is_flag=True, help="do not ask z3 whether surviving mutants are equivalent")
@SOLVER_TIMEOUT
def mutate(
    guideline: Path, suite_dir: Path, output: Path | None, no_classify: bool, solver_timeout: float
) -> None:
    """Mutate the guideline (flip a comparison, move a threshold, drop a branch,
    swap an agent, drop a flag, avoid or monitoring item), run the committed
    generated suite against each mutant and report the mutation score.
    Exit 1 when a non-equivalent mutant survives."""
    from compiler.commands import testgen_commands as commands

    command = f"fibrolang mutate {guideline.as_posix()} --suite {suite_dir.as_posix()}"
    if output is not None:
        command += f" -o {output.as_posix()}"
    timeout = int(solver_timeout * 1000)
    sys.exit(commands.mutate(guideline, suite_dir, output, not no_classify, timeout, click.echo, command))


@main.command()
@click.argument("guidelines", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="the interface to listen on")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--format", "format_", type=FORMATS, default="human", show_default=True, help="how to print problems"
)
def serve(guidelines: tuple[Path, ...], host: str, port: int, format_: str) -> None:
    """Serve guidelines as CDS Hooks 2.0 services (patient-view, order-select) with
    FastAPI and uvicorn; needs the serve extra (docs/cds-hooks.md)."""
    from compiler.commands.serve_command import run

    run(guidelines, host, port, lambda path: compile_or_exit(path, format_), click.echo)


if __name__ == "__main__":
    main()
