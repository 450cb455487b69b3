"""Safety properties of the finished plan: the guideline's invariants, plans
that recommend and avoid the same intervention, and recommendations whose
contraindication holds.

All three are properties of the plans the runtime returns, i.e. of walks that
end at an ``ok`` outcome (other outcomes return no plan). For each, one query
asks for a patient reaching some ``ok`` outcome with a plan that breaks the
property; its answer is proof (unsat), a counterexample replayed through the
runtime, or ``unknown``.

- FIB207: an invariant (``never`` / ``always``) is refuted. Replayed on a
  probe graph holding only that invariant: the runtime must raise
  ``SafetyViolation`` for it.
- FIB205: a plan recommends an intervention and lists it to avoid. Replayed
  on the graph without invariants: the runtime's plan must hold both.
- FIB206: a plan recommends a drug while one of its declared
  contraindications holds. Replayed on a probe graph whose one invariant is
  ``never (X recommended and contraindication)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import z3

from compiler.analysis.context import Analysis
from compiler.analysis.encode import Plan, Term, conj, disj
from compiler.analysis.replay import Replay, with_invariant, without_invariants
from compiler.diagnostics.catalogue import RelatedSpan
from compiler.front import syntax as s
from fibrolang import expressions as ex
from fibrolang.graph import ActionItem, ActionNode, Contraindication, Invariant, SourcePosition, TerminalNode

Status = Literal["proved", "refuted", "unknown", "internal error"]
PROBE = "analysis_probe"


@dataclass(frozen=True)
class InvariantStatus:
    name: str
    title: str | None
    kind: str
    quote: str | None
    source: SourcePosition | None
    status: Status
    counterexample: dict[str, Any] | None = None
    path: tuple[str, ...] = ()


def _finished(analysis: Analysis, bad: Callable[[Plan], Term]) -> Term:
    """Some patient reaches an ``ok`` outcome with a plan for which ``bad`` holds."""
    paths = analysis.paths
    nodes = paths.nodes
    cases = []
    for t in paths.terminals():
        node = nodes[t]
        if isinstance(node, TerminalNode) and node.status == "ok":
            cases.append(conj(paths.reach[t], bad(paths.entry_plan[t])))
    return disj(*cases)


def _violates(name: str) -> Callable[[Replay], bool]:
    return lambda replay: replay.outcome == "violation" and replay.violated == name


def _in_both(name: str) -> Callable[[Replay], bool]:
    return lambda replay: replay.outcome == "ok" and name in replay.recommended and name in replay.avoided


def _recommended_and_avoided(name: str) -> Callable[[Plan], Term]:
    return lambda plan: conj(plan.recommended[name], plan.avoided[name])


def check_invariants(analysis: Analysis) -> list[InvariantStatus]:
    statuses = []
    encoder = analysis.paths.encoder
    for invariant in analysis.graph.invariants:
        name = invariant.name
        condition = invariant.condition
        never = invariant.kind == "never"

        def bad(plan: Plan, condition: ex.Expression = condition, never: bool = never) -> Term:
            sym = encoder.condition(condition, plan)
            return sym.holds() if never else sym.fails()

        goal = _finished(analysis, bad)
        span = analysis.sources.condition_span(invariant.trace.source, s.Invariant)
        probe = replace(analysis.graph, invariants=(invariant,))
        before = len(analysis.diagnostics)
        found = None
        if not z3.is_false(goal):
            found = analysis.find(
                span,
                f"a plan breaking invariant {name}",
                [goal],
                probe,
                _violates(name),
            )
        if found is None:
            failed = analysis.diagnostics[before:]
            status: Status = "proved"
            if any(d.code in ("FIB220", "FIB221") for d in failed):
                status = "unknown"
            elif any(d.code == "FIB901" for d in failed):
                status = "internal error"
            statuses.append(_status(invariant, status))
            continue
        patient, replay = found
        rule = "never" if never else "always"
        analysis.report(
            "FIB207",
            f"invariant {name} ({rule}) does not hold: the plan below breaks it",
            span,
            hint="the pathway (or the invariant) is wrong; the counterexample takes the path shown",
            patient=patient,
            path=replay.edges,
        )
        statuses.append(_status(invariant, "refuted", patient, replay.edges))
    return statuses


def _status(
    invariant: Invariant,
    status: Status,
    patient: dict[str, Any] | None = None,
    path: tuple[str, ...] = (),
) -> InvariantStatus:
    return InvariantStatus(
        invariant.name,
        invariant.title,
        invariant.kind,
        invariant.trace.quote,
        invariant.trace.source,
        status,
        patient,
        path,
    )


def _recommendation_item(analysis: Analysis, result: Any, intervention: str, kind: str) -> ActionItem | None:
    """The item of the runtime's plan that recommended (or avoided) ``intervention``."""
    listing = result.get("recommendations" if kind == "recommend" else "avoid", [])
    for entry in listing:
        if entry.get("intervention") == intervention and entry.get("action") != "stop":
            node = analysis.paths.nodes.get(entry.get("node"))
            for item in node.items if isinstance(node, ActionNode) else ():
                if item.id == entry.get("item"):
                    return item
    return None


def check_conflicts(analysis: Analysis) -> None:
    graph = analysis.graph
    plain = without_invariants(graph)
    for intervention in graph.interventions:
        name = intervention.id
        declared = analysis.sources.span(intervention.source, s.Intervention)
        goal = _finished(analysis, _recommended_and_avoided(name))
        if not z3.is_false(goal):
            found = analysis.find(
                declared,
                f"a plan that recommends and avoids {name}",
                [goal],
                plain,
                _in_both(name),
            )
            if found is not None:
                patient, replay = found
                recommend = _recommendation_item(analysis, replay.result, name, "recommend")
                avoid = _recommendation_item(analysis, replay.result, name, "avoid")
                span = analysis.sources.span(recommend.trace.source if recommend else None, s.Recommendation)
                analysis.report(
                    "FIB205",
                    f"a plan both recommends {name} and lists it to avoid",
                    span if recommend else declared,
                    hint="guard the recommendation or the avoid item so they exclude each other",
                    related=[
                        RelatedSpan(
                            analysis.sources.span(avoid.trace.source, s.AvoidItem), f"{name} avoided here"
                        )
                    ]
                    if avoid
                    else [],
                    patient=patient,
                    path=replay.edges,
                )
        for index, contraindication in enumerate(intervention.contraindications):
            _contraindication(analysis, name, index, contraindication, declared)


def _contraindication(
    analysis: Analysis, name: str, index: int, contraindication: Contraindication, declared: Any
) -> None:
    encoder = analysis.paths.encoder
    condition = contraindication.condition
    span = analysis.sources.contraindication_span(name, index, None)
    goal = _finished(
        analysis, lambda plan: conj(plan.recommended[name], encoder.condition(condition, plan).holds())
    )
    if z3.is_false(goal):
        return
    rule = ex.Conjunction((ex.PlanQuery("recommended", name), condition))
    probe = with_invariant(analysis.graph, PROBE, "never", rule)
    found = analysis.find(
        span,
        f"a plan recommending {name} while it is contraindicated",
        [goal],
        probe,
        _violates(PROBE),
    )
    if found is None:
        return
    patient, replay = found
    plan = analysis.runtime.run(without_invariants(analysis.graph), patient)
    recommend = _recommendation_item(analysis, plan.result, name, "recommend")
    analysis.report(
        "FIB206",
        f"a plan recommends {name} while its contraindication holds",
        analysis.sources.span(recommend.trace.source, s.Recommendation) if recommend else span,
        hint=f"guard the recommendation with `not (...)` of the contraindication, or avoid {name} instead",
        related=[RelatedSpan(span, f"the contraindication of {name}")],
        patient=patient,
        path=replay.edges,
    )
