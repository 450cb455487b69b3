"""What every analysis shares: the graph, its path conditions, one solver, the
runtime for replays, the source map, and the helpers that turn a verdict into
a diagnostic (a counterexample patient, an ``unknown``, an internal error)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compiler.analysis.encode import Term
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Replay, Runtime
from compiler.analysis.solve import OutOfBudget, Prover, SolverUnknown
from compiler.analysis.spans import SourceMap
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front.syntax import Span
from fibrolang.graph import Graph


@dataclass
class Analysis:
    graph: Graph
    paths: PathConditions
    prover: Prover
    sources: SourceMap
    runtime: Runtime = field(default_factory=Runtime)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    budget_seconds: float | None = None  # the proof budget the prover's deadline comes from

    def report(
        self,
        code: str,
        message: str,
        span: Span,
        hint: str | None = None,
        related: list[RelatedSpan] | None = None,
        patient: dict[str, Any] | None = None,
        path: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        data: list[tuple[str, object]] = []
        if patient is not None:
            data.append(("counterexample", patient))
        if path:
            data.append(("path", " -> ".join(path)))
        self.diagnostics.append(diag.make(code, message, span, hint, related or [], data))

    def undecided(self, span: Span, what: str, error: SolverUnknown) -> None:
        self.report(
            "FIB220",
            f"the analysis could not decide {what} within the solver's time limit of "
            f"{error.timeout_ms / 1000:g} s ({error.reason}): unknown",
            span,
            hint="simplify the guards involved, or raise the limit with --solver-timeout",
        )

    def out_of_budget(self, span: Span, what: str, verb: str) -> None:
        """A question the proof budget left unasked (FIB221): its property is not proved."""
        budget = f"{self.budget_seconds:g} s" if self.budget_seconds is not None else "time"
        self.report(
            "FIB221",
            f"not proved: the proof budget of {budget} ran out before the analysis could {verb} {what}",
            span,
            hint="nothing is known about this property; give the proofs more time with "
            "`fibrolang check --proof-budget SECONDS` (0: no budget)",
        )

    def disagreement(self, span: Span, what: str, patient: dict[str, Any], replay: Replay) -> None:
        self.report(
            "FIB901",
            f"internal error: the analysis found {what}, but the runtime does not confirm it "
            f"(runtime outcome: {replay.outcome}; path {' -> '.join(replay.edges) or '?'}"
            f"{'; ' + replay.detail if replay.detail else ''})",
            span,
            hint="no verdict is reported for this property; please report this with the guideline file",
            patient=patient,
        )

    def find(
        self,
        span: Span,
        what: str,
        goals: list[Term],
        probe: Graph,
        confirms: Callable[[Replay], bool],
    ) -> tuple[dict[str, Any], Replay] | None:
        """A patient satisfying ``goals`` that the runtime confirms on ``probe``.

        None when no patient exists (the property holds), or when the verdict
        could not be reached (an ``unknown`` or an internal error was reported).
        """
        try:
            patient = self.prover.counterexample(*goals)
        except SolverUnknown as error:
            self.undecided(span, what, error)
            return None
        except OutOfBudget:
            self.out_of_budget(span, what, "look for")
            return None
        if patient is None:
            return None
        replay = self.runtime.run(probe, patient)
        if not confirms(replay):
            self.disagreement(span, what, patient, replay)
            return None
        return patient, replay

    def holds(self, span: Span, what: str, goals: list[Term]) -> bool | None:
        """Whether some patient satisfies ``goals`` (None: unknown, already reported)."""
        try:
            return self.prover.satisfiable(*goals)
        except SolverUnknown as error:
            self.undecided(span, what, error)
            return None
        except OutOfBudget:
            self.out_of_budget(span, what, "decide")
            return None
