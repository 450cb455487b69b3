"""The mutation score of a committed generated suite (``fibrolang mutate``).

For every mutant (``mutants.mutants``) the evaluator is rebuilt from the
mutated typed graph (``fibrolang.Guideline``, which checks its structure as
``load`` does) and every patient of the committed suite (read with
``ast.literal_eval``, never executed) is evaluated on it. The Markdown
report shows every string through ``fibrolang.printable``. The
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
import re
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import fibrolang
from compiler.analysis.covering import guards_using
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS
from compiler.collector import heap_frozen
from compiler.testgen.equivalence import Classifier, Verdict
from compiler.testgen.mutants import GUARD_OPERATORS, OPERATORS, Mutant, mutants
from compiler.testgen.sampling import PatientSampler
from compiler.testgen.suite import SuitePatient
from compiler.testgen.view import snapshot_view
from fibrolang.graph import Graph
from fibrolang.printable import markdown_code, markdown_text

JSON = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    status: str  # killed, equivalent, survivor, unclassified, stillborn
    killed_by: str | None = None  # the first test found whose snapshot differs (likely killers first)
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


def _order(
    mutant: Mutant, seen: list[_Seen], users: dict[str, list[str]], patients: list[SuitePatient]
) -> tuple[list[int], int]:
    """Test indexes, most likely killers first, and how many of them are *likely*: a test that
    says it protects the mutated location (the boundary tests of a comparison name the guard or
    definition), then one in which an affected guard held; then one that evaluated an affected
    guard, then one that reached an affected node, then the rest. A speed-up only: every test
    is tried before a mutant counts as surviving, unless z3 proves it equivalent first."""
    guards, nodes = _affected(mutant, users)
    named = re.compile(rf"(?<![\w/]){re.escape(mutant.location)}(?![\w/])")
    ranks = []
    for index, test in enumerate(seen):
        if named.search(patients[index].protects):
            rank = 0
        elif test.held & guards:
            rank = 1
        elif test.evaluated & guards:
            rank = 2
        else:
            rank = 3 if test.reached & nodes else 4
        ranks.append((rank, index))
    ranks.sort()
    return [index for _, index in ranks], sum(1 for rank, _ in ranks if rank <= 1)


@dataclass
class _Run:
    """The state of one mutation run: the original's results, and what each test showed."""

    patients: list[SuitePatient]
    expected: list[Any]
    seen: list[_Seen]
    users: dict[str, list[str]]
    classifier: Classifier | None
    report: MutationReport
    original: fibrolang.Guideline

    def killer(self, evaluator: fibrolang.Guideline, indexes: list[int]) -> str | None:
        """The first of these tests whose snapshot view differs on ``evaluator``."""
        for i in indexes:
            if _view(evaluator, self.patients[i].patient) != self.expected[i]:
                return self.patients[i].test
        return None

    def proven_equivalent(self, mutant: Mutant, mutated: Graph) -> Verdict | None:
        """z3's verdict on a mutant that changes only guards (None for the others)."""
        if self.classifier is None or mutant.operator not in GUARD_OPERATORS:
            return None
        if not self.classifier.guard_change_only(mutated):
            return None
        started = time.perf_counter()
        guards, _ = _affected(mutant, self.users)
        verdict = self.classifier.classify_guard_change(mutated, sorted(guards))
        self.report.seconds_classifying += time.perf_counter() - started
        return verdict

    def mutant(self, mutant: Mutant) -> Outcome | Verdict | None:
        """The mutant's outcome; for a survivor, z3's verdict when it has one already, else None."""
        started = time.perf_counter()
        try:
            evaluator = fibrolang.Guideline(mutant.model)  # its structure checked, as `load` checks it
        except fibrolang.GuidelineError as error:
            return Outcome(mutant, "stillborn", detail=error.headline)
        order, likely = _order(mutant, self.seen, self.users, self.patients)
        found = self.killer(evaluator, order[:likely])
        self.report.seconds_running += time.perf_counter() - started
        verdict = self.proven_equivalent(mutant, evaluator.graph) if found is None else None
        if verdict is not None and verdict.kind == "equivalent":
            verdict = cross_checked(self.original, mutant, verdict)
        if verdict is not None and verdict.kind == "equivalent":
            return Outcome(mutant, "equivalent", verdict=verdict, detail=verdict.reason)
        started = time.perf_counter()
        found = found or self.killer(evaluator, order[likely:])
        self.report.seconds_running += time.perf_counter() - started
        return Outcome(mutant, "killed", killed_by=found) if found is not None else verdict


# Random patients (a tenth of the facts left out) every equivalence verdict is checked on.
CROSS_CHECK_SAMPLES = 200


def cross_checked(original: fibrolang.Guideline, mutant: Mutant, verdict: Verdict) -> Verdict:
    """z3's equivalence verdict, checked on ``CROSS_CHECK_SAMPLES`` seeded random patients, some
    with missing facts (the encoding covers complete patients only; docs/testing.md). A patient
    who tells the mutant apart makes it a survivor, never an equivalent."""
    try:
        evaluator = fibrolang.Guideline(mutant.model)
    except fibrolang.GuidelineError as error:
        return Verdict("unclassified", f"the mutant cannot be loaded to check the verdict: {error.headline}")
    sampler = PatientSampler(evaluator.graph, seed=zlib.crc32(mutant.id.encode()))  # the same inputs
    for _ in range(CROSS_CHECK_SAMPLES):
        patient = sampler.patient()
        if _view(evaluator, patient) != _view(original, patient):
            return Verdict("survivor", "a sampled patient gets a different result from the mutant", patient)
    return Verdict(
        verdict.kind,
        f"{verdict.reason}; {CROSS_CHECK_SAMPLES} sampled patients, some with missing facts, agree",
        verdict.patient,
    )


def run(
    graph: Mapping[str, Any],
    patients: list[SuitePatient],
    classify_survivors: bool = True,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    progress: Callable[[int, int], None] | None = None,
) -> MutationReport:
    """Every mutant of ``graph`` run against ``patients`` (module docstring).

    A mutant that changes only guards and survives its likely killers is
    classified before the rest of the suite runs: when z3 proves that no
    patient evaluates a changed guard with a different value it is
    equivalent, and no test can kill it (``Classifier.classify_guard_change``),
    so the rest is not run. Every other mutant meets every test before it
    counts as surviving.
    """
    document = json.loads(json.dumps(graph, sort_keys=True))
    original = fibrolang.load(document)
    expected = [_view(original, p.patient) for p in patients]
    report = MutationReport(original.graph.guideline.id, len(patients))
    classifier = Classifier(original.graph, timeout_ms) if classify_survivors else None
    users = guards_using(original.graph)
    state = _Run(patients, expected, [_Seen.of(v) for v in expected], users, classifier, report, original)
    survivors: list[tuple[Mutant, Verdict | None]] = []
    every = mutants(original.graph)
    with heap_frozen():  # the original graph, its results and its encoding stay alive throughout
        for number, mutant in enumerate(every, start=1):
            if progress is not None:
                progress(number, len(every))
            outcome = state.mutant(mutant)
            if isinstance(outcome, Outcome):
                report.outcomes.append(outcome)
            else:
                survivors.append((mutant, outcome))
    started = time.perf_counter()
    for mutant, known in survivors:
        if classifier is None:
            report.outcomes.append(Outcome(mutant, "survivor", detail="not classified (--no-classify)"))
            continue
        verdict = known or classifier.classify(mutant.model)
        if verdict.kind == "equivalent":
            verdict = cross_checked(original, mutant, verdict)
        report.outcomes.append(Outcome(mutant, verdict.kind, verdict=verdict, detail=verdict.reason))
    report.seconds_classifying += time.perf_counter() - started
    order_of = {m.id: i for i, m in enumerate(every)}
    report.outcomes.sort(key=lambda o: order_of[o.mutant.id])
    return report


def render_markdown(report: MutationReport, command: str, explanations: dict[str, str] | None = None) -> str:
    """The report as Markdown (no timings: the file is committed and must not churn)."""
    explanations = explanations or {}
    lines = [
        f"# Mutation report: {markdown_text(report.guideline)}",
        "",
        f"Generated by {markdown_code(command)}; do not edit by hand.",
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
            lines.append(f"- {markdown_code(outcome.mutant.id)}: {markdown_text(why)}")
            if outcome.verdict is not None and outcome.verdict.patient is not None and status != "equivalent":
                lines.append(f"  - patient: {markdown_code(_compact(outcome.verdict.patient))}")
    lines += [
        "",
        "## Killed mutants",
        "",
        "| mutant | killed by (the first failing test tried) |",
        "| --- | --- |",
    ]
    for outcome in report.outcomes:
        if outcome.status == "killed":
            lines.append(f"| {markdown_code(outcome.mutant.id)} | {markdown_code(str(outcome.killed_by))} |")
    return "\n".join(lines) + "\n"


def _compact(patient: JSON) -> str:
    return json.dumps(patient, sort_keys=True, ensure_ascii=False)
