"""The ``testgen``, ``coverage`` and ``mutate`` commands (compiler/cli.py is a thin layer over these).

Exit codes follow the CLI: 0 clean, 1 problems found (a stale suite,
coverage below the gate, a surviving non-equivalent mutant, a guideline with
errors or unreachable edges), 2 internal error (a solver ``unknown`` or a
replay that disagrees with the solver).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from compiler import api
from compiler.analysis.solve import SolverUnknown
from compiler.analysis.witnesses import ReplayMismatch
from compiler.testgen import coverage as measuring
from compiler.testgen import mutate as mutating
from compiler.testgen.cases import GenerationError
from compiler.testgen.harness import harness_stale, record_first_snapshots, write_harness
from compiler.testgen.module import ReadBackError
from compiler.testgen.suite import generate, read_patients, stale, suite_file, write
from fibrolang.printable import printable

Echo = Callable[[str], None]


def _compile(guideline: Path, echo: Echo) -> dict[str, object] | None:
    try:
        return api.compile_file(guideline)
    except api.CompileError as error:
        for diagnostic in error.diagnostics:
            span = diagnostic.span
            echo(printable(f"{span.file}:{span.line}:{span.column}: {diagnostic.code} {diagnostic.message}"))
        return None


def testgen(
    guidelines: list[Path],
    output_dir: Path,
    check_only: bool,
    root: Path,
    path_limit: int,
    timeout_ms: int,
    echo: Echo,
) -> int:
    failed = False
    for guideline in guidelines:
        graph = _compile(guideline, echo)
        if graph is None:
            failed = True
            continue
        try:
            generated = generate(guideline, output_dir, root, path_limit, timeout_ms, graph=graph)
        except GenerationError as error:
            for problem in error.problems:
                echo(printable(f"{guideline}: error: {problem}"))
            failed = True
            continue
        except (SolverUnknown, ReplayMismatch, ReadBackError) as error:
            echo(f"{guideline}: internal error: {error}")
            return 2
        suite = generated.suite
        summary = (
            f"{len(suite.cases)} tests ({suite.edges} edges, "
            + (
                f"{suite.feasible_paths}/{suite.path_count} paths"
                if suite.mode == "paths"
                else f"{suite.pairs_feasible} decision pairs for {suite.path_count} paths"
            )
            + f", {suite.item_outcomes_feasible} item outcomes, {suite.boundaries} boundaries, "
            + ", ".join(
                f"{suite.logic.get(kind, (0, 0))[0]} {what}"
                for kind, what in (("arm", "arms"), ("value", "output values"), ("mcdc", "MC/DC goals"))
            )
            + f", {suite.logic.get('boundary', (0, 0))[0]} boundaries in definitions"
            + f", {suite.missing_inputs[0]} inputs left out)"
        )
        if check_only:
            reasons = stale(generated) + harness_stale(output_dir)
            for reason in reasons:
                echo(f"{reason}; run `fibrolang testgen {guideline} -o {output_dir}`")
            failed = failed or bool(reasons)
            if not reasons:
                echo(f"{generated.path}: current, {summary}")
        else:
            echo(f"wrote {write(generated)}: {summary}")
            harness = write_harness(output_dir)  # so that `pytest DIR` runs wherever DIR is
            if harness is not None:
                echo(f"wrote {harness}")
            first = not generated.snapshot_file.exists()
            unrecorded = record_first_snapshots(generated.path, generated.snapshot_file)
            if unrecorded is not None:
                echo(f"{guideline}: error: {unrecorded}")
                failed = True
            elif first:
                echo(f"wrote {generated.snapshot_file}: first snapshots (the current answers: review them)")
    return 1 if failed else 0


def coverage(
    guidelines: list[Path], suite_dir: Path, fail_under: float, path_limit: int, timeout_ms: int, echo: Echo
) -> int:
    failed = False
    for guideline in guidelines:
        graph = _compile(guideline, echo)
        if graph is None:
            failed = True
            continue
        module = suite_file(guideline, suite_dir)
        if not module.exists():
            echo(f"{module}: missing; run `fibrolang testgen {guideline} -o {suite_dir}`")
            failed = True
            continue
        report = measuring.measure(graph, read_patients(module), path_limit, timeout_ms)
        echo(measuring.render_text(report))
        below = report.below(fail_under)
        for what in below:
            echo(f"{guideline}: {what} is below {fail_under:g}%")
        if below or report.errors:
            failed = True
    return 1 if failed else 0


def mutate(
    guideline: Path,
    suite_dir: Path,
    output: Path | None,
    classify: bool,
    timeout_ms: int,
    echo: Echo,
    command: str,
) -> int:
    graph = _compile(guideline, echo)
    if graph is None:
        return 1
    module = suite_file(guideline, suite_dir)
    if not module.exists():
        echo(f"{module}: missing; run `fibrolang testgen {guideline} -o {suite_dir}`")
        return 1
    report = mutating.run(graph, read_patients(module), classify_survivors=classify, timeout_ms=timeout_ms)
    echo(
        f"{report.guideline}: mutation score {report.score:.1f}% ({report.count('killed')} of "
        f"{report.considered} non-equivalent mutants killed; {report.count('equivalent')} equivalent, "
        f"{report.count('survivor')} survivors, {report.count('unclassified')} unclassified, "
        f"{report.count('stillborn')} stillborn) in {report.seconds_running:.1f} s "
        f"+ {report.seconds_classifying:.1f} s classifying survivors"
    )
    for outcome in report.outcomes:
        if outcome.status in ("survivor", "unclassified", "equivalent"):
            echo(printable(f"  {outcome.status}: {outcome.mutant.id}: {outcome.detail}"))
            if outcome.verdict is not None and outcome.verdict.patient and outcome.status != "equivalent":
                echo(f"    patient: {json.dumps(outcome.verdict.patient, sort_keys=True)}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(mutating.render_markdown(report, command), encoding="utf-8")
        echo(f"wrote {output}")
    return 1 if report.count("survivor") or report.count("unclassified") else 0
