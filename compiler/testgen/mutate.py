"""The mutation score of a committed generated suite (``fibrolang mutate``).

For every mutant (``mutants.mutants``) the evaluator is rebuilt from the
mutated graph (``fibrolang.load``) and every patient of the committed suite
(read with ``ast.literal_eval``, never executed) is evaluated on it. The
mutant is **killed** when some patient's snapshot view differs from the one
the original graph gives, or when the runtime raises (a safety invariant
broken, a decision with no branch left).

This is the generated suite itself, run faster: the suite asserts
``snapshot_view(result) == snapshot`` and is green on the original graph, so
its snapshots *are* the original graph's views; comparing views needs no
pytest process per mutant. (``tests/testgen`` checks on a few mutants that
pytest fails exactly when this comparison says killed.)

Survivors are classified by z3 (``equivalence.classify``): **equivalent**
when no patient can tell them apart, a **real survivor** (with a patient
that would kill it, replayed through the runtime) otherwise. The score is
killed / (mutants − equivalent − stillborn).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import fibrolang
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS
from compiler.testgen.equivalence import Verdict, classify
from compiler.testgen.mutants import OPERATORS, Mutant, mutants
from compiler.testgen.suite import SuitePatient
from compiler.testgen.view import snapshot_view

JSON = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    status: str  # killed, equivalent, survivor, unclassified, stillborn
    killed_by: str | None = None  # the first test whose snapshot differs
    verdict: Verdict | None = None
    detail: str = ""


@dataclass
class MutationReport:
    guideline: str
    tests: int
    outcomes: list[Outcome] = field(default_factory=list)
    seconds_running: float = 0.0
    seconds_classifying: float = 0.0

    def count(self, status: str, operator: str | None = None) -> int:
        return sum(
            1
            for o in self.outcomes
            if o.status == status and (operator is None or o.mutant.operator == operator)
        )

    @property
    def considered(self) -> int:
        return len(self.outcomes) - self.count("equivalent") - self.count("stillborn")

    @property
    def score(self) -> float:
        considered = self.considered
        return 100.0 * self.count("killed") / considered if considered else 100.0


def _view(guideline: fibrolang.Guideline, patient: JSON) -> Any:
    try:
        return snapshot_view(guideline.evaluate(patient).to_dict())
    except (fibrolang.SafetyViolation, fibrolang.GuidelineError, fibrolang.InvalidPatient) as error:
        return f"raises {type(error).__name__}"


def run(
    graph: JSON,
    patients: list[SuitePatient],
    classify_survivors: bool = True,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    progress: Callable[[int, int], None] | None = None,
) -> MutationReport:
    original = fibrolang.load(graph)
    expected = [_view(original, p.patient) for p in patients]
    report = MutationReport(graph["guideline"]["id"], len(patients))
    started = time.perf_counter()
    survivors: list[Mutant] = []
    every = mutants(graph)
    for number, mutant in enumerate(every, start=1):
        if progress is not None:
            progress(number, len(every))
        try:
            evaluator = fibrolang.load(mutant.graph)
        except fibrolang.GuidelineError as error:
            report.outcomes.append(Outcome(mutant, "stillborn", detail=error.headline))
            continue
        killer = next(
            (
                p.test
                for p, want in zip(patients, expected, strict=True)
                if _view(evaluator, p.patient) != want
            ),
            None,
        )
        if killer is not None:
            report.outcomes.append(Outcome(mutant, "killed", killed_by=killer))
        else:
            survivors.append(mutant)
    report.seconds_running = time.perf_counter() - started
    started = time.perf_counter()
    for mutant in survivors:
        if not classify_survivors:
            report.outcomes.append(Outcome(mutant, "survivor", detail="not classified (--no-classify)"))
            continue
        verdict = classify(graph, mutant.graph, timeout_ms)
        report.outcomes.append(Outcome(mutant, verdict.kind, verdict=verdict, detail=verdict.reason))
    report.seconds_classifying = time.perf_counter() - started
    order = {m.id: i for i, m in enumerate(every)}
    report.outcomes.sort(key=lambda o: order[o.mutant.id])
    return report


def render_markdown(report: MutationReport, command: str, explanations: dict[str, str] | None = None) -> str:
    """The report as Markdown (no timings: the file is committed and must not churn)."""
    explanations = explanations or {}
    lines = [
        f"# Mutation report: {report.guideline}",
        "",
        f"Generated by `{command}`; do not edit by hand.",
        "",
        f"The committed generated suite ({report.tests} tests) was run against every mutant of the",
        "guideline's decision graph (docs/testing.md, Mutation). A mutant is killed when at least",
        "one test's snapshot differs or the runtime raises.",
        "",
        f"**Mutation score: {report.score:.1f}%** of non-equivalent mutants killed "
        f"({report.count('killed')} of {report.considered}); "
        f"{report.count('equivalent')} equivalent, {report.count('survivor')} real survivors, "
        f"{report.count('unclassified')} unclassified, {report.count('stillborn')} stillborn.",
        "",
        "| operator | mutants | killed | equivalent | survivors | unclassified | stillborn |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for operator in OPERATORS:
        total = sum(1 for o in report.outcomes if o.mutant.operator == operator)
        if total == 0:
            continue
        counts = [
            report.count(s, operator)
            for s in ("killed", "equivalent", "survivor", "unclassified", "stillborn")
        ]
        lines.append(f"| {operator} | {total} | " + " | ".join(str(c) for c in counts) + " |")
    lines.append(
        f"| **all** | {len(report.outcomes)} | "
        + " | ".join(
            str(report.count(s)) for s in ("killed", "equivalent", "survivor", "unclassified", "stillborn")
        )
        + " |"
    )
    for status, title in (
        ("survivor", "Real survivors (a patient that would kill each)"),
        ("unclassified", "Unclassified survivors"),
        ("equivalent", "Equivalent mutants (no patient can tell them apart)"),
        ("stillborn", "Stillborn mutants (the runtime rejects the mutated graph)"),
    ):
        chosen = [o for o in report.outcomes if o.status == status]
        if not chosen:
            continue
        lines += ["", f"## {title}", ""]
        for outcome in chosen:
            why = explanations.get(outcome.mutant.id) or outcome.detail
            lines.append(f"- `{outcome.mutant.id}`: {why}")
            if outcome.verdict is not None and outcome.verdict.patient is not None and status != "equivalent":
                lines.append(f"  - patient: `{_compact(outcome.verdict.patient)}`")
    lines += ["", "## Killed mutants", "", "| mutant | first failing test |", "| --- | --- |"]
    for outcome in report.outcomes:
        if outcome.status == "killed":
            lines.append(f"| `{outcome.mutant.id}` | `{outcome.killed_by}` |")
    return "\n".join(lines) + "\n"


def _compact(patient: JSON) -> str:
    import json

    return json.dumps(patient, sort_keys=True, ensure_ascii=False)
