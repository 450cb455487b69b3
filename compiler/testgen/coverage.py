"""Decision-graph coverage of a committed generated suite (``fibrolang coverage``).

The suite's patients are read from the module with ``ast.literal_eval``
(nothing is executed) and evaluated on the guideline's graph; the traces say
which edges, complete paths and item-guard outcomes the suite takes.
Coverage means decision outcomes, not lines (docs/testing.md):

* **edges**: every branch and step edge; the CI gate is 100%. An edge missing
  from the suite is listed with a patient that would take it, or as
  unreachable (``fibrolang check`` reports that as an error, FIB201);
* **paths**: distinct complete paths taken, out of those a patient can take
  (z3 decides each path while there are at most ``PATH_LIMIT``);
* **item outcomes**: each guarded action item seen applying and not applying,
  out of the outcomes some patient can have;
* **arms**, **values**, **MC/DC**, **boundaries**, **missing data**: the goals
  inside definitions and outputs (``logic_coverage``), each out of the goals
  some patient can meet; a goal z3 proves no patient can meet is reported as
  unreachable, not counted as a miss. ``--fail-under`` applies to edges and to
  each of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import fibrolang
from compiler.analysis import covering
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover
from compiler.testgen.cases import PATH_LIMIT, canonical_document
from compiler.testgen.logic_coverage import KindCoverage, logic_coverage
from compiler.testgen.suite import SuitePatient
from fibrolang import graph_order
from fibrolang.printable import printable_lines

JSON = dict[str, Any]  # a patient record or a runtime result


@dataclass
class Missing:
    what: str  # "edge adult/1", "item safety/1 applies"
    patient: JSON | None  # a patient that would cover it, None when no patient can


@dataclass
class CoverageReport:
    guideline: str
    tests: int
    edges: int
    edges_taken: int
    paths_taken: int
    paths_feasible: int | None  # None when the paths were too many to decide one by one
    path_count: int
    item_outcomes: int
    item_outcomes_taken: int
    missing: list[Missing] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kinds: list[KindCoverage] = field(default_factory=list)

    def below(self, fail_under: float) -> list[str]:
        """The coverage kinds (edges first) under ``fail_under`` percent, in words."""
        found = []
        if self.edge_percent < fail_under:
            found.append(f"edge coverage {self.edge_percent:.1f}%")
        found += [f"{k.title} coverage {k.percent:.1f}%" for k in self.kinds if k.percent < fail_under]
        return found

    @property
    def edge_percent(self) -> float:
        return 100.0 * self.edges_taken / self.edges if self.edges else 100.0


def measure(
    document: Mapping[str, Any],
    patients: list[SuitePatient],
    path_limit: int = PATH_LIMIT,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> CoverageReport:
    guideline = fibrolang.load(canonical_document(document))
    graph = guideline.graph
    edges_taken: set[str] = set()
    paths_taken: set[tuple[str, ...]] = set()
    items_taken: set[tuple[str, bool]] = set()
    errors = []
    results: list[JSON | None] = []
    for entry in patients:
        try:
            result = guideline.evaluate(entry.patient)
        except (fibrolang.InvalidPatient, fibrolang.SafetyViolation, fibrolang.GuidelineError) as error:
            errors.append(f"{entry.test}: {type(error).__name__}: {error}")
            results.append(None)
            continue
        results.append(result.to_dict())
        edges_taken.update(result.trace.edges)
        paths_taken.add(tuple(result.trace.edges))
        items_taken.update(
            (g.item, bool(g.value)) for g in result.trace.guards if g.item and g.value is not None
        )
    paths = PathConditions(graph)
    prover = Prover(paths, timeout_ms)
    all_edges = [edge.id for node in graph.nodes for edge in graph_order.successors(node)]
    missing = []
    for edge in all_edges:
        if edge in edges_taken:
            continue
        condition = paths.edges.get(edge)
        patient = prover.witness(condition.taken) if condition is not None else None
        missing.append(Missing(f"edge {edge}" + ("" if patient else " (unreachable: FIB201)"), patient))
    every = covering.complete_paths(graph, path_limit)
    feasible: int | None = None
    if every is not None:
        feasible = 0
        for path in every:
            if path in paths_taken:
                feasible += 1
                continue
            goals = covering.path_goal(paths, path)
            if goals is not None and prover.satisfiable(*goals):
                feasible += 1
                missing.append(Missing(f"path {' -> '.join(path)}", prover.witness(*goals)))
    outcomes = 0
    for outcome in covering.item_outcomes(paths):
        key = (outcome.item, outcome.applies)
        if key in items_taken:
            outcomes += 1
            continue
        patient = prover.witness(outcome.goal)
        if patient is not None:
            outcomes += 1
            verdict = "applies" if outcome.applies else "does not apply"
            missing.append(Missing(f"item {outcome.item} {verdict}", patient))
    return CoverageReport(
        graph.guideline.id,
        len(patients),
        len(all_edges),
        sum(1 for edge in all_edges if edge in edges_taken),
        len(paths_taken) if every is None else sum(1 for path in every if path in paths_taken),
        feasible,
        covering.count_paths(graph),
        outcomes,
        sum(1 for key in items_taken if key[0] in paths.items),
        missing,
        errors,
        logic_coverage(graph, paths, prover, patients, results, missing),
    )


def render_text(report: CoverageReport) -> str:
    if report.paths_feasible is not None:
        paths = f"{report.paths_taken}/{report.paths_feasible} feasible ({report.path_count} in the graph)"
    else:
        paths = (
            f"{report.paths_taken} taken ({report.path_count} in the graph: too many to decide one by one)"
        )
    lines = [
        f"{report.guideline}: {report.tests} tests",
        f"  edges          {report.edges_taken}/{report.edges} ({report.edge_percent:.1f}%)",
        f"  complete paths {paths}",
        f"  item outcomes  {report.item_outcomes_taken}/{report.item_outcomes} applying / not applying",
    ]
    for kind in report.kinds:
        unreachable = f"; {kind.unreachable} unreachable (z3: no patient)" if kind.unreachable else ""
        lines.append(f"  {kind.title:<14} {kind.met}/{kind.reachable} ({kind.percent:.1f}%){unreachable}")
    for entry in report.missing:
        lines.append(f"  missing: {entry.what}")
        if entry.patient is not None:
            import json

            lines.append(f"    a patient that covers it: {json.dumps(entry.patient, sort_keys=True)}")
    lines += [f"  error: {error}" for error in report.errors]
    return printable_lines(lines)
