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

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import fibrolang
from compiler.analysis.covering import guards_using
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS
from compiler.testgen.equivalence import Classifier, Verdict
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


def _affected(mutant: Mutant, users: dict[str, list[str]]) -> tuple[set[str], set[str]]:
    """The guards (branch and item ids) and the nodes the mutant changes."""
    if mutant.location.startswith("define "):
        guards = set(users.get(mutant.location.removeprefix("define "), []))
    else:
        guards = {mutant.location}
    return guards, {guard.split("/", 1)[0] for guard in guards}


@dataclass(frozen=True)
class _Seen:
    """What one test's original result shows: guards that held, guards evaluated, nodes reached."""

    held: frozenset[str]
    evaluated: frozenset[str]
    reached: frozenset[str]

    @staticmethod
    def of(view: Any) -> _Seen:
        if not isinstance(view, dict):
            return _Seen(frozenset(), frozenset(), frozenset())
        guards = [g.rsplit(": ", 1) for g in view["trace"]["guards"]]
        return _Seen(
            frozenset(g for g, value in guards if value == "true"),
            frozenset(g for g, _ in guards),
            frozenset(edge.split("/", 1)[0] for edge in view["trace"]["edges"]),
        )


def _order(mutant: Mutant, seen: list[_Seen], users: dict[str, list[str]]) -> list[int]:
    """Test indexes, most likely killers first: a test in which an affected guard held, then one
    that evaluated an affected guard, then one that reached an affected node, then the rest. A
    speed-up only: every test is tried before a mutant counts as surviving."""
    guards, nodes = _affected(mutant, users)
    ranks = []
    for index, test in enumerate(seen):
        rank = 0 if test.held & guards else 1 if test.evaluated & guards else 2 if test.reached & nodes else 3
        ranks.append((rank, index))
    return [index for _, index in sorted(ranks)]


def run(
    graph: JSON,
    patients: list[SuitePatient],
    classify_survivors: bool = True,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    progress: Callable[[int, int], None] | None = None,
) -> MutationReport:
    graph = json.loads(json.dumps(graph, sort_keys=True))
    original = fibrolang.load(graph)
    expected = [_view(original, p.patient) for p in patients]
    users = guards_using(graph)
    seen = [_Seen.of(view) for view in expected]
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
                patients[i].test
                for i in _order(mutant, seen, users)
                if _view(evaluator, patients[i].patient) != expected[i]
            ),
            None,
        )
        if killer is not None:
            report.outcomes.append(Outcome(mutant, "killed", killed_by=killer))
        else:
            survivors.append(mutant)
    report.seconds_running = time.perf_counter() - started
    started = time.perf_counter()
    classifier = Classifier(graph, timeout_ms) if survivors and classify_survivors else None
    for mutant in survivors:
        if classifier is None:
            report.outcomes.append(Outcome(mutant, "survivor", detail="not classified (--no-classify)"))
            continue
        verdict = classifier.classify(mutant.graph)
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
    return json.dumps(patient, sort_keys=True, ensure_ascii=False)
