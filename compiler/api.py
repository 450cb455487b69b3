"""The toolchain as a Python API: the CLI and the tests call these functions.

The pipeline runs one way: read → parse → build the syntax tree → check →
lower to the decision graph. Each step returns its diagnostics; a later step
runs only when the earlier ones found no errors. The checker hands lowering a
``CheckedGuideline`` (its namespaces and typed model, made only when there is
no error), and lowering reads its name resolution from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler import parse_cache
from compiler.check import check_in_context
from compiler.check.checked import CheckedGuideline, accept
from compiler.collector import collector_paused
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front.parameters import expand as expand_parameters
from compiler.front.parameters import once_per_template
from compiler.front.source import SourceText, read_source
from compiler.front.syntax import Guideline, Span

if TYPE_CHECKING:
    from fibrolang.graph import Graph


class CompileError(Exception):
    """The guideline has errors; ``diagnostics`` says which."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0] if diagnostics else None
        where = f"{first.span.file}:{first.span.line}:{first.span.column}: " if first else ""
        summary = f"{where}{first.code} {first.message}" if first else "errors"
        super().__init__(f"{len(diagnostics)} problem(s); first: {summary}")


@dataclass
class SourceCache:
    """Guideline texts read so far, for drawing source lines under diagnostics."""

    texts: dict[str, SourceText] = field(default_factory=dict)

    def add(self, source: SourceText) -> None:
        self.texts[source.file] = source

    def line(self, file: str, number: int) -> str:
        source = self.texts.get(file)
        return source.line(number) if source is not None else ""


@dataclass(frozen=True)
class Checked:
    """The result of checking one guideline file; ``accepted`` is what lowering reads,
    present only when there is no error."""

    source: SourceText | None
    guideline: Guideline | None
    diagnostics: list[Diagnostic]
    accepted: CheckedGuideline | None = None

    @property
    def ok(self) -> bool:
        return self.accepted is not None


def check_source(source: SourceText, base_dir: Path, cache: Path | None = None) -> Checked:
    """Parse and check a guideline's text (quotes are checked against the source documents
    beside ``base_dir``); with ``cache`` (a cache directory, ``proof_cache.cache_dir``), the
    syntax tree of a text parsed before is read from it (``compiler.parse_cache``)."""
    guideline, problems = parse_cache.parse(source, cache)
    if guideline is None:
        return Checked(source, None, diag.arrange(problems))
    context = None
    try:
        with collector_paused():
            written = guideline
            guideline, expanded = expand_parameters(written)
            problems += expanded
            if not diag.has_errors(expanded):  # a bad call leaves nothing sound to check
                found, context = check_in_context(guideline, base_dir)
                problems += once_per_template(found, written)
    except RecursionError:
        problems.append(
            diag.make(
                "FIB009",
                "the guideline nests too deeply to check",
                Span(source.file, 1, 1, 1, 1),
                hint="split deep expressions into named definitions with `define`",
            )
        )
    diagnostics = diag.arrange(problems)
    accepted = accept(context, diagnostics) if context is not None else None
    return Checked(source, guideline, diagnostics, accepted)


def check_file(path: str | Path, sources: SourceCache | None = None, cache: Path | None = None) -> Checked:
    source, problems = read_source(path)
    if source is None:
        return Checked(None, None, problems)
    if sources is not None:
        sources.add(source)
    return check_source(source, Path(path).resolve().parent, cache)


def compile_checked(checked: Checked, hashed: bool = True) -> dict[str, Any]:
    """The decision graph of a checked guideline; CompileError if it has errors. ``hashed=False``:
    without its integrity hash (``compiler.lower.lower``), for a graph that is not written out."""
    from compiler.lower import LoweringError, lower

    if checked.accepted is None or checked.source is None:
        raise CompileError(checked.diagnostics)
    try:
        return lower(checked.accepted, checked.source.text, hashed)
    except LoweringError as error:
        span = checked.accepted.guideline.span
        raise CompileError(
            [
                diag.make(
                    "FIB901",
                    f"internal error while building the decision graph: {error}",
                    span,
                    hint="please report this with the guideline file",
                )
            ]
        ) from error


def prove(
    checked: Checked, timeout_ms: int = 10_000, budget_seconds: float | None = None
) -> list[Diagnostic]:
    """The static safety analysis of a checked guideline (compiler.analysis): unreachable,
    dead and overlapping branches, incomplete decisions, conflicts, contraindications,
    invariants and doses, each failure with a counterexample patient replayed
    through the runtime. Empty for a guideline that proves clean. With ``budget_seconds``,
    whatever the budget leaves undecided is a FIB221 diagnostic."""
    if not checked.ok or checked.guideline is None:
        return []
    graph = graph_to_prove(checked)
    if isinstance(graph, list):
        return graph
    return prove_graph(checked, graph, timeout_ms, budget_seconds)


def graph_to_prove(checked: Checked) -> Graph | list[Diagnostic]:
    """The typed decision graph ``prove`` analyses (lowered without its hash, which the analysis
    never reads), or the internal errors that stopped it; for a guideline ``checked.ok``."""
    from fibrolang import GuidelineError, read_graph

    try:
        graph = compile_checked(checked, hashed=False)
    except CompileError as error:
        return error.diagnostics
    try:
        return read_graph(graph)
    except GuidelineError as error:
        return [
            diag.make(
                "FIB901",
                f"internal error: the runtime cannot read the decision graph: {error}",
                checked.guideline.span if checked.guideline is not None else Span("<graph>", 1, 1, 1, 1),
                hint="please report this with the guideline file",
            )
        ]


def prove_graph(
    checked: Checked, graph: Graph, timeout_ms: int = 10_000, budget_seconds: float | None = None
) -> list[Diagnostic]:
    """``prove`` of the graph ``graph_to_prove`` gave."""
    from compiler.analysis import analyse

    return analyse(graph, checked.guideline, timeout_ms=timeout_ms, budget_seconds=budget_seconds)


def compile_file(path: str | Path, sources: SourceCache | None = None) -> dict[str, Any]:
    """Check and lower a guideline file to its decision graph (a JSON-ready dict)."""
    return compile_checked(check_file(path, sources))
